"""A policy pack's metadata and its configuration, reconciled and validated as the CLI does.

The CLI starts from each policy's enforcement level and its schema's defaults, applies the
pack's programmatic initial config, then the `--policy-pack-config` file (`"all"` first,
then each policy), validates every policy's properties against its schema, and sends the
result in one ConfigureAnalyzerRequest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from jsonschema import Draft7Validator
from pulumi.runtime.proto import analyzer_pb2

from baseline.inputs import MAX_POLICY_CONFIG_BYTES, load_json, read_text
from baseline.preview.plugin import PolicyPackError
from baseline.problems import SpecError

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ENFORCEMENT_NAMES = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
ENFORCEMENT_VALUES = {name: value for value, name in ENFORCEMENT_NAMES.items()}
SEVERITY_NAMES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as its pack describes it (GetAnalyzerInfo)."""

    name: str
    description: str
    enforcement: str
    kind: str  # "resource" or "stack"
    severity: str = ""
    display_name: str = ""
    remediation_steps: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    framework: Mapping[str, str] = field(default_factory=dict)
    config_schema: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyConfig:
    """One entry of a pack's config: an enforcement level ("" when unset) and properties."""

    enforcement: str = ""
    properties: Mapping[str, Any] = field(default_factory=dict)


def policy_info(message: analyzer_pb2.PolicyInfo) -> PolicyInfo:
    """Read one PolicyInfo message; the config schema is a JSON Schema object."""
    schema: dict[str, Any] = {}
    if message.HasField("configSchema"):
        schema = {"type": "object", "properties": _to_dict(message.configSchema.properties)}
        if message.configSchema.required:
            schema["required"] = list(message.configSchema.required)
    framework = {
        key: value
        for key, value in json_format.MessageToDict(message.framework).items()
        if isinstance(value, str) and value
    }
    return PolicyInfo(
        name=message.name,
        description=message.description,
        enforcement=ENFORCEMENT_NAMES[message.enforcementLevel],
        kind="stack" if message.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
        severity=SEVERITY_NAMES.get(message.severity, ""),
        display_name=message.displayName,
        remediation_steps=message.remediation_steps,
        url=message.url,
        tags=tuple(message.tags),
        framework=framework,
        config_schema=schema,
    )


def initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, PolicyConfig]:
    """The pack's programmatic config, read as the CLI reads it.

    Proto3 cannot tell an unset enforcement level from ADVISORY (0), so, as in the CLI, an
    initial config entry without a level reads as advisory.
    """
    return {
        name: PolicyConfig(ENFORCEMENT_NAMES[entry.enforcementLevel], _to_dict(entry.properties))
        for name, entry in info.initialConfig.items()
    }


def load_config_file(path: Path) -> dict[str, PolicyConfig]:
    """Parse a `--policy-pack-config` file; an empty file means no config."""
    try:
        text = read_text(path, MAX_POLICY_CONFIG_BYTES, str(path))
        document = load_json(text, str(path)) if text.strip() else {}
    except SpecError as error:
        raise PolicyPackError(path, error.problems[0].what) from None
    if not isinstance(document, dict):
        raise PolicyPackError(path, "the policy pack config must be a JSON object")
    config = {}
    for name, value in document.items():
        entry = _config_entry(path, name, value)
        if entry.enforcement or entry.properties:
            config[name] = entry
    return config


def _config_entry(path: Path, name: str, value: Any) -> PolicyConfig:
    if isinstance(value, str):
        return PolicyConfig(_enforcement(path, name, value), {})
    if isinstance(value, dict):
        properties = dict(value)
        if "enforcementLevel" not in properties:
            return PolicyConfig("", properties)
        return PolicyConfig(
            _enforcement(path, name, properties.pop("enforcementLevel")), properties
        )
    raise PolicyPackError(
        path,
        f"parsing {name!r}: {json.dumps(value)} is not a valid value; must be a string or object",
    )


def _enforcement(path: Path, name: str, level: Any) -> str:
    if level not in ENFORCEMENT_LEVELS:
        raise PolicyPackError(
            path,
            f"parsing enforcement level for {name!r}: {json.dumps(level)} is not a valid"
            " enforcement level",
        )
    return str(level)


def reconcile(
    policies: tuple[PolicyInfo, ...],
    initial: Mapping[str, PolicyConfig],
    given: Mapping[str, PolicyConfig],
) -> dict[str, PolicyConfig]:
    """Defaults, then the pack's initial config, then the file: what the CLI computes."""
    result = {policy.name: _defaults(policy) for policy in policies}
    for layer in (initial, given):
        result = _apply(result, layer)
    return result


def _defaults(policy: PolicyInfo) -> PolicyConfig:
    properties = policy.config_schema.get("properties", {})
    defaults = {key: spec["default"] for key, spec in properties.items() if "default" in spec}
    return PolicyConfig(policy.enforcement, defaults)


def _apply(
    result: Mapping[str, PolicyConfig], layer: Mapping[str, PolicyConfig]
) -> dict[str, PolicyConfig]:
    merged = dict(result)
    everything = layer.get("all")
    if everything is not None and everything.enforcement:
        merged = {
            name: PolicyConfig(everything.enforcement, entry.properties)
            for name, entry in merged.items()
        }
    for name, entry in layer.items():
        current = merged.get(name, PolicyConfig())
        merged[name] = PolicyConfig(
            entry.enforcement or current.enforcement, {**current.properties, **entry.properties}
        )
    return merged


def validation_errors(
    policies: tuple[PolicyInfo, ...], config: Mapping[str, PolicyConfig]
) -> list[str]:
    """Every policy's properties checked against its schema: `<policy>: <problem>` each."""
    errors = []
    for policy in policies:
        if not policy.config_schema:
            continue
        properties = dict(config.get(policy.name, PolicyConfig()).properties)
        validator = Draft7Validator(policy.config_schema)
        for error in sorted(validator.iter_errors(properties), key=lambda e: list(e.path)):
            location = ".".join(str(part) for part in error.path)
            prefix = f"{location}: " if location else ""
            errors.append(f"{policy.name}: {prefix}{error.message}")
    return errors


def configure_request(
    where: Path, config: Mapping[str, PolicyConfig]
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """The ConfigureAnalyzerRequest; like the CLI, refuse an entry without a level."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, entry in config.items():
        if entry.enforcement not in ENFORCEMENT_VALUES:
            raise PolicyPackError(
                where,
                f"configuring policy {name!r}: invalid enforcement level {entry.enforcement!r}"
                " (is the policy name right?)",
            )
        request.policyConfig[name].enforcementLevel = ENFORCEMENT_VALUES[entry.enforcement]
        request.policyConfig[name].properties.CopyFrom(
            json_format.ParseDict(dict(entry.properties), struct_pb2.Struct())
        )
    return request


def _to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(json_format.MessageToDict(struct))
