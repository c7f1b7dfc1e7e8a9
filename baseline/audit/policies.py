"""Reading IAM policy documents (bucket and key policies) the way the checks need."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

# Condition keys that tie a statement to known callers: with one of them, a "*" principal is
# not public (AWS's own definition of a public policy, IAM Access Analyzer's too).
IDENTITY_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:SourceOwner",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:userid",
        "aws:username",
        "kms:CallerAccount",
    )
)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(policy_text: str) -> Iterator[Mapping[str, Any]]:
    document = json.loads(policy_text)
    for each in as_list(document.get("Statement")):
        if isinstance(each, Mapping):
            yield each


def has_wildcard_principal(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, Mapping) and "*" in as_list(principal.get("AWS"))


def condition_values(statement: Mapping[str, Any], operator: str, key: str) -> list[str]:
    """The values `statement` compares `key` with under `operator` (keys case-insensitive)."""
    conditions = statement.get("Condition") or {}
    pairs = conditions.get(operator) or {}
    return [
        str(value).lower()
        for name, values in pairs.items()
        if name.lower() == key.lower()
        for value in as_list(values)
    ]


def is_public_grant(statement: Mapping[str, Any]) -> bool:
    """An Allow to everyone that no identity condition narrows."""
    if statement.get("Effect") != "Allow" or not has_wildcard_principal(statement):
        return False
    conditions = statement.get("Condition") or {}
    keys = {name.lower() for pairs in conditions.values() for name in pairs}
    return not keys & IDENTITY_CONDITION_KEYS
