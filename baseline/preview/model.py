"""The plan an offline preview produces: what the program registered, as the engine saw it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Pulumi's wire signatures (sdk/go/common/resource/sig): a special value is a map holding
# SIG_KEY; an unknown value (a computed output during preview) is the UNKNOWN string.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass(frozen=True)
class PlannedResource:
    """One resource the program registered.

    `inputs` and `outputs` are engine-encoded property maps (the JSON form of the protobuf
    Struct the engine exchanges with plugins): camelCase names, numbers as floats, secrets and
    unknowns with Pulumi's signatures, exactly as a policy analyzer would receive them.
    """

    urn: str
    type: str
    name: str
    custom: bool
    parent: str = ""
    id: str = ""
    provider: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    protect: bool = False
    delete_before_replace: bool = False
    # Where the program declared it, as the engine records it in state
    # (`project:///<path relative to the project>#<line>`); "" when unknown.
    source_position: str = ""
    # The URNs the engine would also find it under in a stack's state (its aliases, as the
    # engine computes them from the program's `pulumi.Alias` options).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    project: str
    stack: str
    resources: tuple[PlannedResource, ...]
    stack_outputs: dict[str, Any]
    program_seconds: float


@dataclass(frozen=True)
class Violation:
    pack: str
    policy: str
    enforcement: str  # "advisory" or "mandatory", as Pulumi reports it
    urn: str
    message: str
    description: str = ""
    severity: str = ""
    # The policy's remediation steps, as its pack describes it (GetAnalyzerInfo).
    remediation: str = ""


# The advisory policy through which a pack reports each per-resource exemption, with the
# message `exempted <policy>: <reason>` on the exempted resource's URN.
EXEMPTIONS_POLICY = "policy-exemptions"


@dataclass(frozen=True)
class Exemption:
    """A resource exempted from one policy of a pack, and why: reported, never counted."""

    pack: str
    policy: str
    urn: str
    reason: str
