"""Policy documents a component planned: read them, pick statements, and lint them with
parliament.

Parliament findings that are wrong for the kind of document are dropped here, each for a
stated reason (see `SPURIOUS`); every other finding fails the test that lints.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from parliament import analyze_policy_string

from baseline.preview.model import PlannedResource

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"

PolicyKind = Literal["identity", "resource", "key", "trust"]


def plain(value: Any) -> Any:
    """An engine value with Pulumi's secret wrapper removed."""
    if isinstance(value, dict) and SECRET_SIGNATURE in value:
        return value["value"]
    return value


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIGNATURE in value


def document(resource: PlannedResource, key: str = "policy") -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(plain(resource.inputs[key]))
    return parsed


def statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    matches = [each for each in policy["Statement"] if each.get("Sid") == sid]
    assert len(matches) == 1, (sid, [each.get("Sid") for each in policy["Statement"]])
    return matches[0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions(policy_statement: dict[str, Any]) -> set[str]:
    return set(as_list(policy_statement.get("Action", [])))


def principals(policy_statement: dict[str, Any], kind: str) -> list[str]:
    return as_list(policy_statement["Principal"][kind])


# Findings parliament 1.6.4 raises that do not apply, by kind of document.
SPURIOUS: dict[str, str] = {
    # In a key policy, "Resource": "*" means "this key": there is nothing narrower to name.
    "key:RESOURCE_STAR": "key policies",
    # aws:SourceOrgID (2023) is a global condition key newer than parliament's tables.
    "*:UNKNOWN_CONDITION_FOR_ACTION:aws:SourceOrgID": "aws:SourceOrgID",
    # Trust policies are linted with "Resource": "*" added (parliament demands a Resource).
    "trust:RESOURCE_STAR": "trust policies",
}


def _is_spurious(kind: PolicyKind, issue: str, detail: Any) -> bool:
    if f"{kind}:{issue}" in SPURIOUS:
        return True
    return issue == "UNKNOWN_CONDITION_FOR_ACTION" and "aws:SourceOrgID" in str(detail)


def lint(policy_json: str, kind: PolicyKind) -> list[str]:
    """Parliament's findings on a policy, minus the spurious ones, as `ISSUE: detail` lines.

    Resource, key and trust policies are linted without the community auditors, whose checks
    are written for identity policies.
    """
    text = policy_json
    if kind == "trust":
        parsed = json.loads(policy_json)
        for each in parsed["Statement"]:
            assert "Resource" not in each, "a trust policy names no Resource"
            each["Resource"] = "*"
        text = json.dumps(parsed)
    analysed = analyze_policy_string(text, include_community_auditors=kind == "identity")
    return [
        f"{finding.issue}: {finding.detail}"
        for finding in analysed.findings
        if not _is_spurious(kind, finding.issue, finding.detail)
    ]
