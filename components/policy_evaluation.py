"""Does a policy document let one principal make one request? IAM's evaluation, read offline.

Enough of IAM's policy evaluation logic (IAM User Guide, "Policy evaluation logic") for the
questions this project asks of its own documents and of the bucket and key policies a preflight
reads: an explicit Deny wins, otherwise some Allow must match; Action/NotAction,
Resource/NotResource, Principal/NotPrincipal (`*`, a role ARN, or its account) and the condition
operators these documents use, with `IfExists`.

The caller states every condition key the request carries. A statement that conditions on a key
the caller did not state, or uses an operator not handled here, is undecided rather than
guessed: the answer then says so, and which statement it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["allowed", "denied", "not-allowed", "undecided"]
_ROLE_ARN = re.compile(r"arn:([\w-]+):iam::(\d{12}):role/.+")
_STRING_OPERATORS = {
    "StringEquals": (str.__eq__, False),
    "StringNotEquals": (str.__eq__, True),
    "StringEqualsIgnoreCase": (lambda a, b: a.lower() == b.lower(), False),
    "StringLike": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, False),
    "StringNotLike": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, True),
    # ARN operators compare ARNs whole here; policies of this project never split them.
    "ArnEquals": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, False),
    "ArnLike": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, False),
    "ArnNotEquals": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, True),
    "ArnNotLike": (lambda value, pattern: _glob(pattern).fullmatch(value) is not None, True),
    "Bool": (lambda a, b: a.lower() == b.lower(), False),
}


@dataclass(frozen=True)
class Request:
    """One action on one resource; `principal_arn` None reads the policy as an identity policy."""

    action: str
    resource: str
    principal_arn: str | None = None
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"


def evaluate(policy: str | Mapping[str, Any], request: Request) -> Decision:
    """What `policy` says about `request`: allowed, denied, not allowed, or undecided."""
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    allowing: list[str] = []
    undecided: list[str] = []
    for index, each in enumerate(statements):
        label = str(each.get("Sid") or f"statement {index}")
        applies = _applies(each, request)
        if applies is None:
            undecided.append(label)
        elif applies and each.get("Effect") == "Deny":
            return Decision("denied", f"denied by {label}")
        elif applies and each.get("Effect") == "Allow":
            allowing.append(label)
    if undecided:
        return Decision("undecided", f"cannot be decided offline: {', '.join(undecided)}")
    if allowing:
        return Decision("allowed", f"allowed by {', '.join(allowing)}")
    return Decision("not-allowed", "no statement allows it")


def _applies(each: Mapping[str, Any], request: Request) -> bool | None:
    """Whether the statement matches the request; None when its conditions cannot be decided."""
    if not (
        _matches_element(each, "Action", request.action, _action_matches)
        and _matches_element(each, "Resource", request.resource, _resource_matches)
        and _principal_matches(each, request.principal_arn)
    ):
        return False
    return _conditions_hold(each.get("Condition", {}), request.context)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters, `?` any one character."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


def _action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, ignore_case=True).fullmatch(action) is not None  # actions ignore case


def _resource_matches(pattern: str, resource: str) -> bool:
    return _glob(pattern).fullmatch(resource) is not None


def _matches_element(each: Mapping[str, Any], name: str, value: str, match: Any) -> bool:
    if name in each:
        return any(match(pattern, value) for pattern in _listed(each[name]))
    if f"Not{name}" in each:
        return not any(match(pattern, value) for pattern in _listed(each[f"Not{name}"]))
    return name == "Resource"  # a trust policy has no Resource


def _principal_matches(each: Mapping[str, Any], principal_arn: str | None) -> bool:
    if principal_arn is None:
        return True
    if "Principal" in each:
        return _names(each["Principal"], principal_arn)
    if "NotPrincipal" in each:
        return not _names(each["NotPrincipal"], principal_arn)
    return False


def _names(principal: Any, role_arn: str) -> bool:
    """Whether a Principal element names the role: `*`, the role, or its account."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    named = _listed(principal.get("AWS", []))
    match = _ROLE_ARN.fullmatch(role_arn)
    account = {f"arn:{match[1]}:iam::{match[2]}:root", match[2]} if match else set()
    return any(each in {"*", role_arn, *account} for each in named)


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, Any]) -> bool | None:
    known = {key.lower(): value for key, value in context.items()}  # keys ignore case
    results = [
        _condition_holds(operator, key.lower(), expected, known)
        for operator, pairs in conditions.items()
        for key, expected in pairs.items()
    ]
    if False in results:
        return False
    return None if None in results else True


def _condition_holds(
    operator: str, key: str, expected: Any, context: Mapping[str, Any]
) -> bool | None:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if key not in context:
        return True if if_exists else None
    if base == "Null":  # the key is present: the condition holds when it asks for "false"
        return str(expected).lower() == "false"
    if base not in _STRING_OPERATORS:
        return None
    actual = [str(value) for value in _listed(context[key])]
    wanted = [str(value) for value in _listed(expected)]
    compare, negated = _STRING_OPERATORS[base]
    matched = any(compare(value, pattern) for value in actual for pattern in wanted)
    return not matched if negated else matched
