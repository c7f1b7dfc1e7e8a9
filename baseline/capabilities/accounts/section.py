"""The `accounts` section of the spec: the organization and its three baseline accounts.

accounts:
  organization_id: o-a1b2c3d4e5
  management: {id: "111111111111"}
  security: {id: "222222222222", role_name: SecurityBaselineDeployRole}
  log_archive: {id: "333333333333", role_name: SecurityBaselineDeployRole}

Absent: single-account mode, everything in the stack's own account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ACCOUNT_ROLES = ("management", "security", "log_archive")

_ACCOUNT = {
    "type": "dict",
    "required": True,
    "schema": {
        "id": {"required": True, "account_id": True, "distinct_account": True},
        "role_name": {
            "type": "string",
            "pattern": "iam_role_name",
            "default": "OrganizationAccountAccessRole",
        },
    },
}

SCHEMA: dict[str, Any] = {
    "organization_id": {"required": True, "type": "string", "pattern": "organization_id"},
    **dict.fromkeys(ACCOUNT_ROLES, _ACCOUNT),
}

# The rules of the `accounts` key itself; no default, as its absence means single-account mode.
SECTION: dict[str, Any] = {"type": "dict", "schema": SCHEMA}


@dataclass(frozen=True)
class Account:
    id: str
    role_name: str


@dataclass(frozen=True)
class Accounts:
    organization_id: str
    management: Account
    security: Account
    log_archive: Account


def parse(document: Mapping[str, Any] | None) -> Accounts | None:
    """The section, validated and normalized by `SECTION`, as a dataclass; None if absent."""
    if document is None:
        return None
    return Accounts(
        organization_id=document["organization_id"],
        management=Account(**document["management"]),
        security=Account(**document["security"]),
        log_archive=Account(**document["log_archive"]),
    )
