"""Policy violations as SARIF 2.1.0, for code scanning in CI.

One run; one rule per policy of every pack that ran; one result per violation, `error` for
mandatory and `warning` for advisory, located by the resource's URN as a logical location.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseline.preview.analyzer import PackInfo
from baseline.preview.encoding import urn_name
from baseline.preview.model import Violation
from baseline.preview.packconfig import PolicyInfo
from baseline.preview.violations import violation_detail

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "security-baseline"
_LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}
# GitHub code scanning ranks security alerts by this 0-10 score.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}


def to_sarif(
    violations: Sequence[Violation],
    packs: Sequence[PackInfo],
    artifact_uri: str | None = None,
) -> dict[str, Any]:
    """The SARIF log of one analysis.

    `packs` gives the rules (`AnalysisResult.packs`). Rule ids are policy names, prefixed with
    the pack's name when several packs ran. `artifact_uri` (for example the stack's
    `Pulumi.prod.yaml`) adds a physical location to each result, which GitHub code scanning
    needs to show an alert.
    """
    qualify = len(packs) > 1
    rules: list[dict[str, Any]] = []
    index: dict[tuple[str, str], int] = {}
    for pack in packs:
        for policy in pack.policies:
            index[(pack.name, policy.name)] = len(rules)
            rules.append(_rule(_rule_id(pack.name, policy.name, qualify), pack, policy))
    results = []
    for violation in violations:
        key = (violation.pack, violation.policy)
        if key not in index:
            index[key] = len(rules)
            rules.append(_unlisted_rule(_rule_id(*key, qualify), violation))
        results.append(_result(violation, rules[index[key]]["id"], index[key], artifact_uri))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": _driver(packs, rules)}, "results": results}],
    }


def write_sarif(
    path: Path,
    violations: Sequence[Violation],
    packs: Sequence[PackInfo],
    artifact_uri: str | None = None,
) -> None:
    """Write `to_sarif(...)` to `path` as UTF-8 JSON."""
    document = to_sarif(violations, packs, artifact_uri)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _driver(packs: Sequence[PackInfo], rules: list[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    if len(packs) == 1:
        driver["name"] = packs[0].name
        if packs[0].version:
            driver["version"] = packs[0].version
    return driver


def _rule_id(pack: str, policy: str, qualify: bool) -> str:
    return f"{pack}/{policy}" if qualify else policy


def _rule(rule_id: str, pack: PackInfo, policy: PolicyInfo) -> dict[str, Any]:
    enforcement = pack.enforcement.get(policy.name, policy.enforcement)
    rule: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": policy.display_name or policy.description},
        "fullDescription": {"text": policy.description},
        "help": {"text": policy.remediation_steps or policy.description},
        "defaultConfiguration": {"level": _LEVELS[enforcement]},
        "properties": _rule_properties(pack, policy),
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule


def _rule_properties(pack: PackInfo, policy: PolicyInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"pack": pack.name, "tags": ["security", *policy.tags]}
    if policy.severity:
        properties["severity"] = policy.severity
        properties["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    if policy.framework:
        properties["framework"] = dict(policy.framework)
    return properties


def _unlisted_rule(rule_id: str, violation: Violation) -> dict[str, Any]:
    """A rule for a violation whose pack did not describe the policy."""
    text = violation.description or violation.policy
    return {
        "id": rule_id,
        "shortDescription": {"text": text},
        "properties": {"pack": violation.pack},
    }


def _result(
    violation: Violation, rule_id: str, rule_index: int, artifact_uri: str | None
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [
            {
                "name": urn_name(violation.urn),
                "fullyQualifiedName": violation.urn,
                "kind": "resource",
            }
        ]
    }
    if artifact_uri:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": artifact_uri},
            "region": {"startLine": 1},
        }
    properties: dict[str, Any] = {"pack": violation.pack, "enforcement": violation.enforcement}
    if violation.severity:
        properties["severity"] = violation.severity
    return {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": _LEVELS[violation.enforcement],
        "message": {"text": violation_detail(violation)},
        "locations": [location],
        "properties": properties,
    }
