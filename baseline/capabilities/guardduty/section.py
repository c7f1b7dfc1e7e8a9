"""The `guardduty` section of the spec.

guardduty:
  finding_publishing_frequency: FIFTEEN_MINUTES
  protections: {s3: true, runtime_monitoring: true}
  suppression_filters:
    - name: known-scanner
      criteria:
        - {field: type, equals: [Recon:EC2/PortProbeUnprotectedPort]}
        - {field: severity, less_than: 4}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from baseline.capabilities.guardduty.component import (
    FINDING_PUBLISHING_FREQUENCIES,
    FilterCriterion,
    Protections,
    SuppressionFilter,
)
from baseline.schema_rules import ErrorCallback, matches, unique

_COMPARISONS = ("greater_than", "greater_than_or_equal", "less_than", "less_than_or_equal")


def _compares(field: Any, value: Any, error: ErrorCallback) -> None:
    if not (
        value.get("equals") or value.get("not_equals") or any(c in value for c in _COMPARISONS)
    ):
        error(field, f"needs a comparison: equals, not_equals or {', '.join(_COMPARISONS)}")


_STRINGS = {"type": "list", "default": [], "schema": {"type": "string", "empty": False}}

_CRITERION = {
    "field": {"type": "string", "required": True, "empty": False},
    "equals": _STRINGS,
    "not_equals": _STRINGS,
    # Integers (severity) or RFC 3339 dates (updatedAt).
    **{comparison: {"type": ["integer", "string"]} for comparison in _COMPARISONS},
}

_FILTER = {
    "name": {
        "type": "string",
        "required": True,
        "check_with": matches(r"[A-Za-z0-9_.-]{3,64}", "3 to 64 letters, digits, _ . or -"),
    },
    "description": {"type": "string", "default": "", "maxlength": 512},
    "criteria": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "dict", "schema": _CRITERION, "check_with": _compares},
    },
}

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "finding_publishing_frequency": {
        "type": "string",
        "allowed": FINDING_PUBLISHING_FREQUENCIES,
        "default": "FIFTEEN_MINUTES",
    },
    "protections": {
        "type": "dict",
        "default": {},
        "schema": {
            plan.name: {"type": "boolean", "default": plan.default} for plan in fields(Protections)
        },
    },
    # Findings to the log archive bucket, encrypted.
    "export": {"type": "boolean", "default": True},
    "suppression_filters": {
        "type": "list",
        "default": [],
        "schema": {"type": "dict", "schema": _FILTER},
        "check_with": unique("name", "suppression filters"),
    },
}

# The rules of the `guardduty` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class GuardDutySpec:
    enabled: bool
    finding_publishing_frequency: str
    protections: Protections
    export: bool
    suppression_filters: tuple[SuppressionFilter, ...]


def parse(document: Mapping[str, Any]) -> GuardDutySpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return GuardDutySpec(
        enabled=document["enabled"],
        finding_publishing_frequency=document["finding_publishing_frequency"],
        protections=Protections(**document["protections"]),
        export=document["export"],
        suppression_filters=tuple(
            SuppressionFilter(
                name=item["name"],
                description=item["description"],
                criteria=tuple(_criterion(c) for c in item["criteria"]),
            )
            for item in document["suppression_filters"]
        ),
    )


def _criterion(item: Mapping[str, Any]) -> FilterCriterion:
    comparisons = {c: str(item[c]) for c in _COMPARISONS if c in item}
    return FilterCriterion(
        field=item["field"],
        equals=tuple(item["equals"]),
        not_equals=tuple(item["not_equals"]),
        **comparisons,
    )
