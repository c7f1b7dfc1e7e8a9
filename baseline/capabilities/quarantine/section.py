"""The `quarantine` section of the spec: the bucket suspicious objects are moved to.

quarantine:
  remediation_role_arn: arn:aws:iam::222222222222:role/Remediation # absent: created
  security_admin_role_arn: arn:aws:iam::222222222222:role/SecurityAdmin
  object_lock: {enabled: true, mode: GOVERNANCE, days: 365}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

_OBJECT_LOCK = {
    "enabled": {"type": "boolean", "default": False},
    "mode": {"type": "string", "allowed": ("GOVERNANCE", "COMPLIANCE"), "default": "GOVERNANCE"},
    "days": {"type": "integer", "min": 1, "max": 36500, "default": 365},
}

SCHEMA: dict[str, Any] = {
    # Absent: the program creates the role.
    "remediation_role_arn": {"type": "string", "pattern": "iam_role_arn"},
    "security_admin_role_arn": {"type": "string", "pattern": "iam_role_arn"},
    "object_lock": {"type": "dict", "default": {}, "schema": _OBJECT_LOCK},
}

# The rules of the `quarantine` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class ObjectLockSpec:
    enabled: bool
    mode: Literal["GOVERNANCE", "COMPLIANCE"]
    days: int


@dataclass(frozen=True)
class QuarantineSpec:
    remediation_role_arn: str | None
    security_admin_role_arn: str | None
    object_lock: ObjectLockSpec


def parse(document: Mapping[str, Any]) -> QuarantineSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return QuarantineSpec(
        remediation_role_arn=document.get("remediation_role_arn"),
        security_admin_role_arn=document.get("security_admin_role_arn"),
        object_lock=ObjectLockSpec(**document["object_lock"]),
    )
