"""The `config` section of the spec (AWS Config).

    config:
      conformance_packs: [baseline, s3-operational-best-practices]
      custom_conformance_packs:
        - {name: team-rules, template_path: conformance/team-rules.yaml}
      aggregator: true
      recorder_name: default          # the recorder's and the delivery channel's name
      service_linked_role: create     # or existing: the accounts have AWSServiceRoleForConfig

Template paths are relative to the project directory. The aggregator exists in organization
mode only, and covers every account and region of the organization. In organization mode the
management, security and log-archive accounts record in every enabled region; accounts of the
guardrails OUs record through the guardrails StackSet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baseline.capabilities.config.component import (
    SHIPPED_PACKS,
    ConformancePackTemplate,
    load_conformance_pack,
)
from baseline.capabilities.config.recorders import (
    DEFAULT_RECORDER_NAME,
    RECORDER_NAME,
    SERVICE_LINKED_ROLE_CHOICES,
    ServiceLinkedRoleChoice,
)
from baseline.schema_rules import (
    ErrorCallback,
    mappings,
    matches,
    nested_error,
    no_duplicates,
    unique,
)

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "conformance_packs": {
        "type": "list",
        "default": list(SHIPPED_PACKS),
        "schema": {"type": "string", "allowed": SHIPPED_PACKS},
        "check_with": no_duplicates,
    },
    "custom_conformance_packs": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "dict",
            "schema": {
                "name": {
                    "type": "string",
                    "required": True,
                    "check_with": matches(
                        r"[A-Za-z][A-Za-z0-9-]{0,127}",
                        "a letter, then up to 127 letters, digits or hyphens",
                    ),
                },
                "template_path": {"type": "string", "required": True, "empty": False},
            },
        },
        "check_with": unique("name", "custom conformance packs"),
    },
    "aggregator": {"type": "boolean", "default": True},
    "recorder_name": {
        "type": "string",
        "default": DEFAULT_RECORDER_NAME,
        "check_with": matches(RECORDER_NAME.pattern, "1 to 256 characters without spaces"),
    },
    "service_linked_role": {
        "type": "string",
        "allowed": SERVICE_LINKED_ROLE_CHOICES,
        "default": "create",
    },
}


def _custom_names_free(field: Any, value: Any, error: ErrorCallback) -> None:
    shipped = value.get("conformance_packs")
    for index, pack in mappings(value, "custom_conformance_packs"):
        if isinstance(shipped, list) and pack.get("name") in shipped:
            path = (field, "custom_conformance_packs", index, "name")
            nested_error(error, path, f"{pack['name']!r} is already a shipped pack's name")


# The rules of the `config` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _custom_names_free,
}


@dataclass(frozen=True)
class CustomConformancePack:
    name: str
    template_path: str


@dataclass(frozen=True)
class ConfigSpec:
    enabled: bool
    conformance_packs: tuple[str, ...]
    custom_conformance_packs: tuple[CustomConformancePack, ...]
    aggregator: bool
    recorder_name: str
    service_linked_role: ServiceLinkedRoleChoice

    @property
    def has_packs(self) -> bool:
        return bool(self.conformance_packs or self.custom_conformance_packs)

    def templates(self, project_dir: Path) -> tuple[ConformancePackTemplate, ...]:
        """Every pack's template: the shipped ones, then the custom ones read from the project."""
        shipped = tuple(load_conformance_pack(name) for name in self.conformance_packs)
        custom = tuple(
            load_conformance_pack(pack.name, project_dir / pack.template_path)
            for pack in self.custom_conformance_packs
        )
        return shipped + custom


def parse(document: Mapping[str, Any]) -> ConfigSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return ConfigSpec(
        enabled=document["enabled"],
        conformance_packs=tuple(document["conformance_packs"]),
        custom_conformance_packs=tuple(
            CustomConformancePack(name=item["name"], template_path=item["template_path"])
            for item in document["custom_conformance_packs"]
        ),
        aggregator=document["aggregator"],
        recorder_name=document["recorder_name"],
        service_linked_role=document["service_linked_role"],
    )
