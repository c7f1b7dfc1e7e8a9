"""The IAM JSON policy grammar, checked the way parliament 1.6.4 checks it.

Each problem is one that AWS rejects or that makes a statement meaningless: the findings the
pack counted as invalid when it ran parliament itself (INVALID_VERSION, DUPLICATE_SID,
INVALID_SID, MALFORMED, UNKNOWN_ACTION, UNKNOWN_PREFIX, INVALID_ARN, UNKNOWN_PRINCIPAL,
UNKNOWN_OPERATOR, MISMATCHED_TYPE_OPERATION_TO_NULL), with parliament's codes, details and
order, so that tests/test_policies_iam_grammar.py can hold the two side by side. parliament
stays a test dependency for that; the pack no longer imports it (its import parsed a 10 MB
database on every pack start). parliament's other findings never counted: they are style
(RESOURCE_STAR, NO_VERSION, OLD_VERSION, BAD_PATTERN_FOR_MFA, ...) or its 1.6.4 data is wrong
for them (MISMATCHED_TYPE rejects decimals such as s3:TlsVersion 1.2, RESOURCE_MISMATCH flags
least-privilege ARNs, UNKNOWN_CONDITION_FOR_ACTION does not know aws:SourceOrgID).

The differences: an action not in `service:action` form is MALFORMED (parliament: EXCEPTION).
Where parliament raised instead of answering (the pack then reported "could not read the
document"), a value of the wrong JSON type (a number as Sid, an object as action, a list
inside a list) is MALFORMED with what is wrong, and conditions are not looked up in the
per-action condition tables, which parliament used only for findings the pack ignored and
which made it raise on numbers and on keys typed ArrayOfARN, ArrayOfBool or IPAddress. A Bool
or Null condition may list its values, as IAM allows; each must be true or false.
(Reference: IAM User Guide, "Grammar of the IAM JSON policy language".)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from iam_actions import action_index

POLICY_ELEMENTS = ("Version", "Statement", "Id")
STATEMENT_ELEMENTS = (
    "Effect",
    "Sid",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
VERSIONS = ("2012-10-17", "2008-10-17")
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "*", "")
_BOOL_OPERATORS = ("bool", "null")
_OPERATORS = (
    *("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"),
    *("StringLike", "StringNotLike"),
    *("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals"),
    *("NumericGreaterThan", "NumericGreaterThanEquals"),
    *("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals"),
    *("DateGreaterThan", "DateGreaterThanEquals"),
    *("Bool", "Null", "BinaryEquals", "IpAddress", "NotIpAddress"),
    *("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"),
)
_SID = re.compile("[0-9A-Za-z]*")
_ACCOUNT_PRINCIPAL = re.compile(r"^\d{12}$")
_ARN_PRINCIPAL = re.compile(r"^arn:[-a-z\*]*:iam::(\d{12}|cloudfront|):.*$")
_REGION = re.compile("^([a-z]{2}|us-gov)-[a-z]+-[0-9]$")
_ACCOUNT = re.compile("^[0-9]{12}$")


class Problem(NamedTuple):
    issue: str
    detail: str = ""


def _operator_names() -> frozenset[str]:
    names = set()
    for operator in (o.lower() for o in _OPERATORS):
        for base in (operator, f"{operator}ifexists"):
            names.update({base, f"forallvalues:{base}", f"foranyvalue:{base}"})
    return frozenset(names)


_OPERATOR_NAMES = _operator_names()


def _items(value: Any) -> list[Any]:
    """An element's values: a list's items, or the one value (parliament's make_list)."""
    return list(value) if isinstance(value, list) else [value]


def problems(
    document: Mapping[str, Any],
    known_actions: frozenset[str] = frozenset(),
    resource_required: bool = True,
) -> list[Problem]:
    """What makes `document` invalid. `known_actions` (lower case) exist beyond the data;
    trust policies, which name no resource, pass `resource_required=False`."""
    for element in document:
        if element not in POLICY_ELEMENTS:
            return [Problem("MALFORMED", "Policy contains an unknown element")]
    if "Statement" not in document:
        return [Problem("MALFORMED", "Policy does not contain a required element Statement")]
    found: list[Problem] = []
    if "Version" in document and document["Version"] not in VERSIONS:
        found.append(Problem("INVALID_VERSION"))
    statements = document["Statement"]
    if not isinstance(statements, (list, Mapping)):
        return [*found, Problem("MALFORMED", "Statement must be an object or a list of objects")]
    in_statements: list[Problem] = []
    sids: dict[str, int] = {}
    for statement in _items(statements):
        if not isinstance(statement, Mapping):
            in_statements.append(Problem("MALFORMED", "A statement must be an object"))
            continue
        statement_problems, sid = _statement(statement, known_actions, resource_required)
        in_statements.extend(statement_problems)
        if sid is not None:
            sids[sid] = sids.get(sid, 0) + 1
            if sids[sid] == 2:
                found.append(Problem("DUPLICATE_SID", f"Duplicate Statement Id '{sid}' in policy"))
    return found + in_statements


def _statement(
    statement: Mapping[str, Any], known_actions: frozenset[str], resource_required: bool
) -> tuple[list[Problem], str | None]:
    """The statement's problems, in parliament's order, and its Sid when it is a string.

    A problem with the elements themselves ends the check; so does an unknown action."""
    for element in statement:
        if element not in STATEMENT_ELEMENTS:
            return [Problem("MALFORMED", "Statement contains an unknown element")], None
    sid = statement.get("Sid")
    if "Sid" in statement and not isinstance(sid, str):
        return [Problem("MALFORMED", f"Sid must be a string, not {sid!r}")], None
    if "Principal" in statement and "NotPrincipal" in statement:
        return [Problem("MALFORMED", "Statement contains both Principal and NotPrincipal")], sid
    found = _principal(statement)
    fatal = _effect_and_sid(statement) or _element_pairs(statement, resource_required)
    if fatal:
        return [*found, *fatal], sid
    actions = _actions(_items(statement.get("Action", statement.get("NotAction"))), known_actions)
    if actions:
        return [*found, *actions], sid
    return [*found, *_resources(statement), *_condition(statement)], sid


def _effect_and_sid(statement: Mapping[str, Any]) -> list[Problem]:
    if "Effect" not in statement:
        return [Problem("MALFORMED", "Statement does not contain an Effect element")]
    if statement["Effect"] not in ("Allow", "Deny"):
        return [Problem("MALFORMED", "Unknown Effect used. Effect must be either Allow or Deny")]
    if "Sid" in statement and not _SID.fullmatch(statement["Sid"]):
        return [Problem("INVALID_SID")]
    return []


def _element_pairs(statement: Mapping[str, Any], resource_required: bool) -> list[Problem]:
    """Exactly one of Action/NotAction and of Resource/NotResource, and one Condition block."""
    pairs = [("Action", "NotAction", True), ("Resource", "NotResource", resource_required)]
    for element, negated, required in pairs:
        if element in statement and negated in statement:
            return [Problem("MALFORMED", f"Statement contains both {element} and {negated}")]
        if required and element not in statement and negated not in statement:
            return [Problem("MALFORMED", f"Statement contains neither {element} nor {negated}")]
    condition = statement.get("Condition")
    if isinstance(condition, list) and len(condition) > 1:
        return [Problem("MALFORMED", "Condition formatted incorrectly")]
    return []


def _principal(statement: Mapping[str, Any]) -> list[Problem]:
    if "Principal" not in statement and "NotPrincipal" not in statement:
        return []
    principal = statement.get("Principal", statement.get("NotPrincipal"))
    found: list[Problem] = []
    for entry in _items(principal):
        if isinstance(entry, Mapping):
            found.extend(_principal_entries(entry))
        elif isinstance(entry, list):
            found.append(Problem("MALFORMED", "A Principal list cannot hold a list"))
        elif entry != "*":
            found.append(Problem("UNKNOWN_PRINCIPAL"))
    return found


def _principal_entries(entry: Mapping[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    for key, value in entry.items():
        values = _items(value)
        if key in ("AWS", "Federated") and not all(isinstance(v, str) for v in values):
            found.append(Problem("MALFORMED", f"{key} principals must be strings"))
        elif key == "AWS":
            found.extend(Problem("UNKNOWN_PRINCIPAL", v) for v in values if not _aws_principal(v))
        elif key not in ("Federated", "Service", "CanonicalUser"):
            found.append(Problem("UNKNOWN_PRINCIPAL"))
    return found


def _aws_principal(text: str) -> bool:
    return text == "*" or bool(_ACCOUNT_PRINCIPAL.match(text) or _ARN_PRINCIPAL.match(text))


def _actions(actions: Iterable[Any], known_actions: frozenset[str]) -> list[Problem]:
    """Unknown services and actions; a malformed action ends the check, as in parliament."""
    index = action_index()
    found: list[Problem] = []
    for action in actions:
        if action in ("*", "*:*"):
            continue
        if not isinstance(action, str):
            return [*found, Problem("MALFORMED", f"Action must be a string, not {action!r}")]
        parts = action.split(":")
        if len(parts) != 2:
            return [*found, Problem("MALFORMED", "Action should be in form service:action")]
        prefix, name = parts
        if action.lower() in known_actions:
            continue
        if index.unknown_prefix(prefix):
            found.append(Problem("UNKNOWN_PREFIX", f"Unknown prefix {prefix}"))
        elif not index.matches(prefix, name):
            found.append(Problem("UNKNOWN_ACTION", f"Unknown action {prefix}:{name}"))
    return found


def _resources(statement: Mapping[str, Any]) -> list[Problem]:
    if "Resource" not in statement and "NotResource" not in statement:
        return []
    found: list[Problem] = []
    for resource in _items(statement.get("Resource", statement.get("NotResource"))):
        if resource == "*":
            continue
        what = _arn_problem(resource)
        if what:
            found.append(Problem("INVALID_ARN", what))
    return found


def _arn_problem(resource: Any) -> str:
    if not isinstance(resource, str):
        return "Must be a string"
    parts = resource.split(":")
    if len(parts) < 6:
        return "Does not have 6 parts"
    if parts[0] != "arn":
        return "Does not start with arn:"
    if parts[1] not in PARTITIONS:
        return "Unexpected partition"
    if parts[3] not in ("", "*") and not _REGION.match(parts[3]):
        return "Region expected to be of form like us-east-1"
    if parts[4] not in ("", "*") and not _ACCOUNT.match(parts[4]):
        return "Account expected to be of form like 123456789012"
    return ""


def _condition(statement: Mapping[str, Any]) -> list[Problem]:
    if "Condition" not in statement or statement["Condition"] == []:
        return []
    condition = statement["Condition"]
    block = condition[0] if isinstance(condition, list) else condition
    if not isinstance(block, Mapping):
        return [Problem("MALFORMED", "Condition must be an object")]
    found: list[Problem] = []
    for operator, keys in block.items():
        known = operator.lower() in _OPERATOR_NAMES
        if not known:
            found.append(Problem("UNKNOWN_OPERATOR", operator))
        if not isinstance(keys, Mapping):
            found.append(Problem("MALFORMED", f"Condition operator {operator} must map keys"))
        elif known and _bool_operator(operator):
            if not all(_is_boolean(value) for value in keys.values()):
                found.append(Problem("MISMATCHED_TYPE_OPERATION_TO_NULL"))
        elif not all(_is_condition_value(value) for value in keys.values()):
            what = f"{operator} values must be strings, numbers or booleans"
            found.append(Problem("MALFORMED", what))
    return found


def _is_condition_value(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, (str, int, float, bool)) for v in values)


def _bool_operator(operator: str) -> bool:
    base = operator.lower().split(":")[-1].removesuffix("ifexists")
    return base in _BOOL_OPERATORS


def _is_boolean(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(str(v).lower() in ("true", "false") for v in values)
