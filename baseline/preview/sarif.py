"""Policy violations as SARIF 2.1.0, for GitHub code scanning in CI.

One run of the tool `security-baseline`, whose extensions are the packs that ran; one rule per
policy of every pack, id `<pack>/<policy>` however many packs ran, with the policy's
description, remediation and controls; one result per violation, `error` for mandatory and
`warning` for advisory, at the file and line that declared the resource (relative to the
repository root) and with the URN as logical location. `partialFingerprints` come from the
rule and the URN: two resources with the same problem are two alerts, and an alert keeps its
identity when unrelated lines move. An exemption is a result of the exempted policy, suppressed
with its reason.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from baseline.preview.analyzer import PackInfo
from baseline.preview.encoding import urn_name
from baseline.preview.model import Exemption, Violation
from baseline.preview.packconfig import PolicyInfo
from baseline.preview.positions import SourceLocation
from baseline.preview.violations import one_line, violation_detail

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "security-baseline"
_LEVELS = {"mandatory": "error", "advisory": "warning", "remediate": "error", "disabled": "none"}
# GitHub code scanning ranks security alerts by this 0-10 score.
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
# Code scanning matches results across runs by this key only (GitHub: SARIF support for code
# scanning, `partialFingerprints`); upload-sarif keeps a value that is present.
FINGERPRINT_KEY = "primaryLocationLineHash"

Locator = Callable[[str], SourceLocation | None]


def _nowhere(_: str) -> SourceLocation | None:
    return None


def to_sarif(
    violations: Sequence[Violation],
    packs: Sequence[PackInfo],
    locate: Locator = _nowhere,
    exemptions: Sequence[Exemption] = (),
) -> dict[str, Any]:
    """The SARIF log of one analysis.

    `packs` gives the rules (`AnalysisResult.packs`); `locate` maps a URN to the file and line
    that declared it (`positions.source_locator`), without which results have only their
    logical location.
    """
    rules = _Rules(packs)
    # One policy may report one resource twice (a trail missing both read and write data
    # events): each is its own alert, numbered in the order of its message.
    messages: dict[tuple[str, str], list[str]] = defaultdict(list)
    for violation in violations:
        messages[(violation.policy, violation.urn)].append(violation.message)
    results = []
    for violation in violations:
        same = sorted(messages[(violation.policy, violation.urn)])
        occurrence = same.index(violation.message) + 1
        rule = rules.index_of(violation)
        results.append(_result(violation, rule, locate(violation.urn), occurrence))
    results += [_suppressed(exemption, rules, locate(exemption.urn)) for exemption in exemptions]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": _tool(packs, rules.rules), "results": results}],
    }


def write_sarif(
    path: Path,
    violations: Sequence[Violation],
    packs: Sequence[PackInfo],
    locate: Locator = _nowhere,
    exemptions: Sequence[Exemption] = (),
) -> None:
    """Write `to_sarif(...)` to `path` as UTF-8 JSON."""
    document = to_sarif(violations, packs, locate, exemptions)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def rule_id(pack: str, policy: str) -> str:
    return f"{pack}/{policy}"


class _Rules:
    """The rules of every pack, and one for any policy a pack reported without describing."""

    def __init__(self, packs: Sequence[PackInfo]) -> None:
        self.rules: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}
        self._levels: dict[str, str] = {}
        for pack in packs:
            for policy in pack.policies:
                enforcement = pack.enforcement.get(policy.name, policy.enforcement)
                self._add(_rule(pack, policy, enforcement), enforcement)

    def index_of(self, violation: Violation) -> tuple[str, int]:
        key = rule_id(violation.pack, violation.policy)
        if key not in self._index:
            self._add(_unlisted_rule(violation), violation.enforcement)
        return key, self._index[key]

    def for_exemption(self, exemption: Exemption) -> tuple[str, int, str]:
        key = rule_id(exemption.pack, exemption.policy)
        if key not in self._index:
            text = f"{exemption.policy} (not described by {exemption.pack})"
            self._add(_bare_rule(key, exemption.pack, text), "advisory")
        return key, self._index[key], self._levels[key]

    def _add(self, rule: dict[str, Any], enforcement: str) -> None:
        self._index[rule["id"]] = len(self.rules)
        self._levels[rule["id"]] = _LEVELS.get(enforcement, "warning")
        self.rules.append(rule)


def _tool(packs: Sequence[PackInfo], rules: list[dict[str, Any]]) -> dict[str, Any]:
    """The driver is always this tool, so that alerts stay its own whichever packs ran."""
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": rules}
    version = _tool_version()
    if version:
        driver["version"] = version
    extensions = [
        {"name": pack.name, **({"version": pack.version} if pack.version else {})} for pack in packs
    ]
    return {"driver": driver, "extensions": extensions} if extensions else {"driver": driver}


def _tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return ""


def _rule(pack: PackInfo, policy: PolicyInfo, enforcement: str) -> dict[str, Any]:
    summary = policy.display_name or policy.description or policy.name
    rule: dict[str, Any] = {
        "id": rule_id(pack.name, policy.name),
        "name": policy.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": policy.description or summary},
        "help": _help(policy),
        "defaultConfiguration": {"level": _LEVELS[enforcement]},
        "properties": _rule_properties(pack, policy),
    }
    if policy.url:
        rule["helpUri"] = policy.url
    return rule


def _help(policy: PolicyInfo) -> dict[str, str]:
    """What the policy checks and how to fix it: code scanning shows it next to each alert."""
    description = one_line(policy.description or policy.name)
    if not policy.remediation_steps:
        return {"text": description}
    fix = one_line(policy.remediation_steps)
    return {
        "text": f"{description}\n\nRemediation: {fix}",
        "markdown": f"{description}\n\n**Remediation:** {fix}",
    }


def _rule_properties(pack: PackInfo, policy: PolicyInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"pack": pack.name, "tags": ["security", *policy.tags]}
    if policy.severity:
        properties["severity"] = policy.severity
        properties["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    if policy.remediation_steps:
        properties["remediation"] = policy.remediation_steps
    if policy.framework:
        properties["framework"] = dict(policy.framework)
    return properties


def _unlisted_rule(violation: Violation) -> dict[str, Any]:
    """A rule for a violation whose pack did not describe the policy."""
    key = rule_id(violation.pack, violation.policy)
    return _bare_rule(key, violation.pack, violation.description or violation.policy)


def _bare_rule(key: str, pack: str, text: str) -> dict[str, Any]:
    return {
        "id": key,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "properties": {"pack": pack},
    }


def fingerprint(rule: str, urn: str, occurrence: int = 1) -> str:
    """Stable per resource and policy: a hash of the rule id and the URN, and which occurrence
    of that pair it is (`<hash>:<n>`, the shape of GitHub's primaryLocationLineHash)."""
    digest = hashlib.sha256(f"{rule}\n{urn}".encode()).hexdigest()
    return f"{digest[:16]}:{occurrence}"


def _location(urn: str, where: SourceLocation | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"name": urn_name(urn), "fullyQualifiedName": urn, "kind": "resource"}]
    }
    if where is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": where.uri},
            "region": {"startLine": where.line},
        }
    return location


def _result(
    violation: Violation, rule: tuple[str, int], where: SourceLocation | None, occurrence: int
) -> dict[str, Any]:
    key, index = rule
    properties: dict[str, Any] = {"pack": violation.pack, "enforcement": violation.enforcement}
    if violation.severity:
        properties["severity"] = violation.severity
    return {
        "ruleId": key,
        "ruleIndex": index,
        "level": _LEVELS[violation.enforcement],
        "message": {"text": violation_detail(violation)},
        "locations": [_location(violation.urn, where)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(key, violation.urn, occurrence)},
        "properties": properties,
    }


def _suppressed(
    exemption: Exemption, rules: _Rules, where: SourceLocation | None
) -> dict[str, Any]:
    key, index, level = rules.for_exemption(exemption)
    return {
        "ruleId": key,
        "ruleIndex": index,
        "level": level,
        "message": {"text": f"Exempted from {exemption.policy}: {exemption.reason}"},
        "locations": [_location(exemption.urn, where)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(key, exemption.urn)},
        "suppressions": [{"kind": "external", "justification": exemption.reason}],
        "properties": {"pack": exemption.pack, "exempted": True},
    }
