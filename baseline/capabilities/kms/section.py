"""The `kms` section of the spec: the baseline's customer managed keys.

kms:
  deletion_window_days: 30
  administrators: [arn:aws:iam::222222222222:role/KeyAdministrators]
  users: [arn:aws:iam::222222222222:role/SecurityAnalysts]

Administrators manage the keys but cannot use them; users the reverse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_PRINCIPALS = {
    "type": "list",
    "default": [],
    "unique": True,
    "schema": {"type": "string", "pattern": "iam_principal_arn"},
}

SCHEMA: dict[str, Any] = {
    "deletion_window_days": {"type": "integer", "min": 7, "max": 30, "default": 30},
    # Empty: the account root, so that IAM policies govern key administration.
    "administrators": _PRINCIPALS,
    "users": {**_PRINCIPALS, "disjoint_from": "administrators"},
}

# The rules of the `kms` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class KmsSpec:
    deletion_window_days: int
    administrators: tuple[str, ...]
    users: tuple[str, ...]


def parse(document: Mapping[str, Any]) -> KmsSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return KmsSpec(
        deletion_window_days=document["deletion_window_days"],
        administrators=tuple(document["administrators"]),
        users=tuple(document["users"]),
    )
