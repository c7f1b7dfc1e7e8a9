"""SonarQube ``api/issues/search`` response: one issue per open issue.

SonarQube tracks an issue across analyses under the same key, so the key is the identity.
Issues SonarQube already resolved (a ``resolution``: fixed, false positive, won't fix, accepted)
are not imported, which archives their earlier findings.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .model import SAST, TYPE_SOFTWARE_CHECK, TYPE_VULNERABILITY, Issue, Scan
from .shape import (
    JsonObject,
    ReportError,
    optional_list,
    optional_text,
    require_list,
    require_object,
    require_text,
)
from .text import paragraphs

SCANNER = "SonarQube"

_SEVERITY_LABELS = {
    "BLOCKER": "CRITICAL",
    "CRITICAL": "HIGH",
    "MAJOR": "MEDIUM",
    "MINOR": "LOW",
    "INFO": "INFORMATIONAL",
}
# SonarQube 10's impacts, used when an issue carries no legacy severity.
_IMPACT_LABELS = {
    "BLOCKER": "CRITICAL",
    "HIGH": "HIGH",
    "MEDIUM": "MEDIUM",
    "LOW": "LOW",
    "INFO": "INFORMATIONAL",
}
_LABEL_ORDER = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
_SECURITY_TYPES = frozenset({"VULNERABILITY", "SECURITY_HOTSPOT"})


def parse(report: object) -> Scan:
    document = require_object(report, "report")
    if "issues" not in document or not ({"paging", "total"} & document.keys()):
        raise ReportError("report: not a SonarQube api/issues/search response (issues, paging)")
    paths = _component_paths(document)
    rule_names = _rule_names(document)
    issues: list[Issue] = []
    for index, item in enumerate(require_list(document["issues"], "report.issues")):
        where = f"report.issues[{index}]"
        issue = require_object(item, where)
        if optional_text(issue, "resolution", where) is None:
            issues.append(_issue(issue, paths, rule_names, where))
    return Scan(scanners=frozenset({SCANNER}), issues=tuple(issues))


def _issue(
    issue: JsonObject, paths: dict[str, str], rule_names: dict[str, str], where: str
) -> Issue:
    key = require_text(issue.get("key"), f"{where}.key")
    rule = require_text(issue.get("rule"), f"{where}.rule")
    component = require_text(issue.get("component"), f"{where}.component")
    message = optional_text(issue, "message", where) or rule_names.get(rule, rule)
    label, original = _severity(issue, where)
    issue_type = optional_text(issue, "type", where) or "CODE_SMELL"
    path = paths.get(component) or component.split(":", 1)[-1]
    line = optional_text(issue, "line", where)
    location = f"{path}:{line}" if line else path
    tags = ", ".join(
        require_text(tag, f"{where}.tags[{number}]")
        for number, tag in enumerate(optional_list(issue, "tags", where))
    )
    return Issue(
        identity=(key,),
        scanner=SCANNER,
        rule=rule,
        scan_type=SAST,
        types=(TYPE_VULNERABILITY if issue_type in _SECURITY_TYPES else TYPE_SOFTWARE_CHECK,),
        severity_label=label,
        severity_original=original,
        title=message,
        description=paragraphs(
            message,
            f"Rule {rule}: {rule_names[rule]}" if rule in rule_names else f"Rule {rule}",
            f"{issue_type.replace('_', ' ').lower()} in {location}",
        ),
        location=location,
        created_at=_timestamp(optional_text(issue, "creationDate", where), where),
        details={
            "issue-key": key,
            "issue-type": issue_type,
            **({"tags": tags} if tags else {}),
        },
    )


def _severity(issue: JsonObject, where: str) -> tuple[str, str]:
    severity = optional_text(issue, "severity", where)
    if severity is not None:
        if severity not in _SEVERITY_LABELS:
            raise ReportError(f"{where}.severity: unknown SonarQube severity {severity!r}")
        return _SEVERITY_LABELS[severity], severity
    impacts = []
    for number, entry in enumerate(optional_list(issue, "impacts", where)):
        impact = require_object(entry, f"{where}.impacts[{number}]")
        value = optional_text(impact, "severity", f"{where}.impacts[{number}]")
        if value not in _IMPACT_LABELS:
            raise ReportError(f"{where}.impacts[{number}].severity: unknown impact {value!r}")
        impacts.append(value)
    if not impacts:
        raise ReportError(f"{where}: no severity and no impacts")
    worst = max(impacts, key=lambda value: _LABEL_ORDER.index(_IMPACT_LABELS[value]))
    return _IMPACT_LABELS[worst], worst


def _timestamp(value: str | None, where: str) -> str | None:
    """SonarQube's ``2013-05-13T17:55:39+0200`` as ASFF's UTC ``...Z`` form."""
    if value is None:
        return None
    try:
        # Converting to UTC overflows at the ends of the calendar (year 1 or 9999 with an offset).
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ReportError(f"{where}.creationDate: not a timestamp: {value!r}") from error
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _component_paths(document: JsonObject) -> dict[str, str]:
    paths = {}
    for number, entry in enumerate(optional_list(document, "components", "report")):
        component = require_object(entry, f"report.components[{number}]")
        key = optional_text(component, "key", f"report.components[{number}]")
        path = optional_text(component, "path", f"report.components[{number}]")
        if key and path:
            paths[key] = path
    return paths


def _rule_names(document: JsonObject) -> dict[str, str]:
    names = {}
    for number, entry in enumerate(optional_list(document, "rules", "report")):
        rule = require_object(entry, f"report.rules[{number}]")
        key = optional_text(rule, "key", f"report.rules[{number}]")
        name = optional_text(rule, "name", f"report.rules[{number}]")
        if key and name:
            names[key] = name
    return names
