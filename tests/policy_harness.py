"""Drive the policy pack's validations the way pulumi_policy's analyzer does.

The pack's modules import each other as top-level modules (the plugin puts the pack directory
on `sys.path`), so this puts `policies/` on `sys.path` too. Properties go through the same
path as in the SDK's servicer: a protobuf Struct (numbers become doubles), the SDK's
deserializer, and its unknown-checking proxy. Never import the pack's `__main__`: it starts a
gRPC server and sleeps forever.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POLICIES_DIR = Path(__file__).resolve().parent.parent / "policies"
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))

from google.protobuf import json_format, struct_pb2  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties  # noqa: E402
from pulumi_policy.policy import _PolicyAnalyzerServicer  # noqa: E402
from pulumi_policy.proxy import unknown_checking_proxy  # noqa: E402

PACK = "security-baseline"
# Advisory policies that evaluate, so map to, no control: a reminder of a check the plan cannot
# make, and the list of the pack config's exemptions.
REMINDERS = frozenset({"fms-shield-advanced-subscription-outside-stack", "policy-exemptions"})
OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::app::{resource_type}::{name}"


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return struct


def engine_properties(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Properties exactly as a validation receives them from the SDK."""
    decoded = deserialize_properties(json_format.MessageToDict(to_struct(props)))
    return unknown_checking_proxy(decoded)


# An engine (camelCase) property name standing alone in a message: messages name arguments as
# Python code writes them (`enable_key_rotation`). IAM actions (`kms:PutKeyPolicy`), ARNs,
# classes (`aws.cfg.Recorder`) and quoted names or config keys are not matched.
ENGINE_NAME = re.compile(r"(?<![\w:/.'\"-])[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str | None


class Collector:
    """A `report_violation` that remembers what it was told."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        assert not ENGINE_NAME.search(message), f"engine property name in: {message}"
        self.violations.append(Violation(message, urn))

    @property
    def messages(self) -> list[str]:
        return [v.message for v in self.violations]


def validate_resource(
    policy: Policy,
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    name: str = "subject",
) -> list[str]:
    """The messages a resource policy reports for one resource."""
    assert isinstance(policy, ResourceValidationPolicy)
    collector = Collector()
    args = ResourceValidationArgs(
        resource_type,
        engine_properties(props),
        urn_of(resource_type, name),
        name,
        OPTIONS,
        None,
        dict(config) if config is not None else None,
    )
    policy.validate(args, collector)
    return collector.messages


def resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    property_dependencies: Mapping[str, Sequence[PolicyResource]] | None = None,
    dependencies: Sequence[PolicyResource] = (),
    provider: str = "",
    provider_props: Mapping[str, Any] | None = None,
) -> PolicyResource:
    """A stack resource as AnalyzeStack hands it over: outputs, dependencies, provider."""
    provider_resource = (
        PolicyProviderResource(
            "pulumi:providers:aws",
            engine_properties(provider_props or {}),
            provider,
            provider.rsplit("::", 1)[-1],
        )
        if provider
        else None
    )
    return PolicyResource(
        resource_type,
        engine_properties(props),
        urn_of(resource_type, name),
        name,
        OPTIONS,
        provider_resource,
        None,
        list(dependencies),
        {k: list(v) for k, v in (property_dependencies or {}).items()},
    )


def validate_stack(
    policy: Policy, resources: Sequence[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[Violation]:
    """The violations a stack policy reports, with the URN each names."""
    assert isinstance(policy, StackValidationPolicy)
    collector = Collector()
    policy.validate(StackValidationArgs(list(resources), config), collector)
    return collector.violations


def by_name(policies: Sequence[Policy], name: str) -> Policy:
    return next(p for p in policies if p.name == name)


def servicer(policies: Sequence[Policy]) -> _PolicyAnalyzerServicer:
    """The SDK's own analyzer service for the policies, without starting a gRPC server."""
    return _PolicyAnalyzerServicer(PACK, "0.0.1", list(policies), EnforcementLevel.MANDATORY)


def analyze(
    policies: Sequence[Policy], resource_type: str, props: Mapping[str, Any], name: str = "subject"
) -> analyzer_pb2.AnalyzeResponse:
    """One `Analyze` call, as the engine makes it for a resource."""
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type, properties=to_struct(props), urn=urn_of(resource_type, name), name=name
    )
    return servicer(policies).Analyze(request, None)


def analyze_stack(
    policies: Sequence[Policy],
    resources: Sequence[tuple[str, str, Mapping[str, Any], Mapping[str, Sequence[str]]]],
) -> analyzer_pb2.AnalyzeResponse:
    """One `AnalyzeStack` call for (type, name, properties, property dependencies) resources."""
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=resource_type,
                name=name,
                urn=urn_of(resource_type, name),
                properties=to_struct(props),
                propertyDependencies={
                    prop: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                    for prop, urns in deps.items()
                },
            )
            for resource_type, name, props, deps in resources
        ]
    )
    return servicer(policies).AnalyzeStack(request, None)
