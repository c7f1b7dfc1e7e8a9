"""The `securityhub` section of the spec.

    securityhub:
      standards:
        - aws-foundational-security-best-practices/v/1.0.0
        - cis-aws-foundations-benchmark/v/3.0.0
      disabled_controls:
        - control_id: IAM.6
          reason: Root has no hardware MFA device; access to root is break-glass only.
      aggregation: {linking_mode: SPECIFIED_REGIONS, regions: [eu-west-1]}

A disabled control applies to every listed standard unless it names its own `standards`
(AWS rejects disabling a control in a standard that does not contain it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.sections._checks import (
    ErrorCallback,
    aws_region,
    mappings,
    matches,
    nested_error,
    no_duplicates,
    not_blank,
    unique,
)
from components.securityhub import DEFAULT_STANDARDS, LINKING_MODES, STANDARDS, DisabledControl

_STANDARD = {"type": "string", "allowed": tuple(STANDARDS)}

_DISABLED_CONTROL = {
    "control_id": {
        "type": "string",
        "required": True,
        "check_with": matches(r"[A-Za-z0-9]+\.\d+", "a security control id such as IAM.6"),
    },
    # Auditors read it: a control is never switched off silently.
    "reason": {"type": "string", "required": True, "empty": False, "check_with": not_blank},
    "standards": {
        "type": "list",
        "default": [],
        "schema": _STANDARD,
        "check_with": no_duplicates,
    },
}


def _linked_regions(field: Any, value: Any, error: ErrorCallback) -> None:
    specified = value.get("linking_mode") == "SPECIFIED_REGIONS"
    if specified and not value.get("regions"):
        error(field, "regions: required when linking_mode is SPECIFIED_REGIONS")
    elif not specified and value.get("regions"):
        error(field, "regions: only with linking_mode SPECIFIED_REGIONS")


SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "standards": {
        "type": "list",
        "default": list(DEFAULT_STANDARDS),
        "minlength": 1,
        "schema": _STANDARD,
        "check_with": no_duplicates,
    },
    "disabled_controls": {
        "type": "list",
        "default": [],
        "schema": {"type": "dict", "schema": _DISABLED_CONTROL},
        "check_with": unique("control_id", "disabled controls"),
    },
    "aggregation": {
        "type": "dict",
        "default": {},
        "schema": {
            "linking_mode": {"type": "string", "allowed": LINKING_MODES, "default": "ALL_REGIONS"},
            "regions": {
                "type": "list",
                "default": [],
                "schema": {"type": "string", "check_with": aws_region},
                "check_with": no_duplicates,
            },
        },
        "check_with": _linked_regions,
    },
}


def _controls_in_subscribed_standards(field: Any, value: Any, error: ErrorCallback) -> None:
    subscribed = value.get("standards") if isinstance(value.get("standards"), list) else []
    for index, control in mappings(value, "disabled_controls"):
        standards = control.get("standards")
        for position, standard in enumerate(standards if isinstance(standards, list) else []):
            if standard in STANDARDS and standard not in subscribed:
                path = (field, "disabled_controls", index, "standards", position)
                nested_error(error, path, f"{standard} is not one of securityhub.standards")


# The rules of the `securityhub` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _controls_in_subscribed_standards,
}


@dataclass(frozen=True)
class SecurityHubSpec:
    enabled: bool
    standards: tuple[str, ...]
    disabled_controls: tuple[DisabledControl, ...]
    linking_mode: str
    linked_regions: tuple[str, ...]


def parse(document: Mapping[str, Any]) -> SecurityHubSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return SecurityHubSpec(
        enabled=document["enabled"],
        standards=tuple(document["standards"]),
        disabled_controls=tuple(
            DisabledControl(
                control_id=item["control_id"],
                reason=item["reason"].strip(),
                standards=tuple(item["standards"]),
            )
            for item in document["disabled_controls"]
        ),
        linking_mode=document["aggregation"]["linking_mode"],
        linked_regions=tuple(document["aggregation"]["regions"]),
    )
