"""SARIF 2.1.0 (Bandit, Semgrep, CodeQL, ...): one issue per result.

The scanner is each run's ``tool.driver.name``, so one SARIF file may carry several tools. A run
without a ``results`` array did not produce results, so it says nothing about what was fixed.
Results the tool marks as passing or not applicable, and results under an accepted suppression,
are not issues.

Severity: the rule's ``security-severity`` property when present (a CVSS-style score), otherwise
the result's level (falling back to the rule's default level, then "warning", as SARIF says):
error HIGH, warning MEDIUM, note LOW, none INFORMATIONAL.
"""

from __future__ import annotations

from .model import (
    SAST,
    TYPE_SOFTWARE_CHECK,
    TYPE_VULNERABILITY,
    Issue,
    Scan,
    label_from_cvss,
)
from .shape import (
    JsonObject,
    ReportError,
    optional_list,
    optional_object,
    optional_score,
    optional_text,
    require_list,
    require_object,
    require_text,
)
from .text import first_line, paragraphs

VERSION = "2.1.0"
_LEVEL_LABELS = {"error": "HIGH", "warning": "MEDIUM", "note": "LOW", "none": "INFORMATIONAL"}
_NOT_PROBLEMS = frozenset({"pass", "notApplicable"})


def parse(report: object) -> Scan:
    document = require_object(report, "report")
    if document.get("version") != VERSION or "runs" not in document:
        raise ReportError(f"report: not a SARIF {VERSION} log (version, runs)")
    scanners: set[str] = set()
    issues: list[Issue] = []
    for index, item in enumerate(require_list(document["runs"], "report.runs")):
        where = f"report.runs[{index}]"
        run = require_object(item, where)
        tool = require_object(run.get("tool"), f"{where}.tool")
        driver = require_object(tool.get("driver"), f"{where}.tool.driver")
        scanner = require_text(driver.get("name"), f"{where}.tool.driver.name")
        if run.get("results") is None:
            continue
        scanners.add(scanner)
        for number, entry in enumerate(require_list(run["results"], f"{where}.results")):
            result_where = f"{where}.results[{number}]"
            result = require_object(entry, result_where)
            if _is_problem(result, result_where):
                issues.append(_issue(result, tool, scanner, result_where))
    return Scan(scanners=frozenset(scanners), issues=tuple(issues))


def _is_problem(result: JsonObject, where: str) -> bool:
    if optional_text(result, "kind", where) in _NOT_PROBLEMS:
        return False
    for number, entry in enumerate(optional_list(result, "suppressions", where)):
        suppression = require_object(entry, f"{where}.suppressions[{number}]")
        # A suppression without a status is accepted (SARIF 3.35.3).
        if optional_text(suppression, "status", where) in (None, "accepted"):
            return False
    return True


def _issue(result: JsonObject, tool: JsonObject, scanner: str, where: str) -> Issue:
    rule = _rule(result, tool, where)
    rule_id = optional_text(result, "ruleId", where) or optional_text(rule, "id", f"{where}.rule")
    if rule_id is None:
        raise ReportError(f"{where}: no ruleId")
    properties = optional_object(rule, "properties", f"{where}.rule")
    security_severity = optional_score(properties, "security-severity", f"{where}.rule.properties")
    level = _level(result, rule, where)
    if security_severity is not None:
        label, original = label_from_cvss(security_severity), f"{security_severity:.1f}"
    else:
        label, original = _LEVEL_LABELS[level], level
    tags = [str(tag) for tag in optional_list(properties, "tags", f"{where}.rule.properties")]
    is_security = security_severity is not None or any("security" in tag for tag in tags)
    message = _message(result, rule, rule_id, where)
    uri, line, column = _location(result, where)
    location = f"{uri}:{line}" if uri and line else uri
    rule_text = optional_text(optional_object(rule, "fullDescription", where), "text", where)
    return Issue(
        identity=(scanner, rule_id, uri or "", line or "", column or ""),
        scanner=scanner,
        rule=rule_id,
        scan_type=SAST,
        types=(TYPE_VULNERABILITY if is_security else TYPE_SOFTWARE_CHECK,),
        severity_label=label,
        severity_original=original,
        title=first_line(message),
        description=paragraphs(
            message,
            rule_text,
            f"Rule {rule_id} at {location}" if location else f"Rule {rule_id}",
        ),
        location=location,
        source_url=optional_text(rule, "helpUri", f"{where}.rule"),
        details={"level": level, **({"tags": ", ".join(tags)} if tags else {})},
    )


def _rule(result: JsonObject, tool: JsonObject, where: str) -> JsonObject:
    """The rule a result refers to: by index or id, in the driver or in the extension named."""
    reference = optional_object(result, "rule", where)
    component = require_object(tool.get("driver"), f"{where}.tool.driver")
    component_reference = optional_object(reference, "toolComponent", f"{where}.rule")
    component_index = component_reference.get("index")
    if isinstance(component_index, int):
        extensions = optional_list(tool, "extensions", "tool")
        if not 0 <= component_index < len(extensions):
            raise ReportError(f"{where}.rule.toolComponent.index: no such extension")
        extension_where = f"tool.extensions[{component_index}]"
        component = require_object(extensions[component_index], extension_where)
    rules = optional_list(component, "rules", "tool component")
    index = reference.get("index", result.get("ruleIndex"))
    if isinstance(index, int) and 0 <= index < len(rules):
        return require_object(rules[index], f"{where}: rule {index}")
    rule_id = result.get("ruleId", reference.get("id"))
    for candidate in rules:
        if isinstance(candidate, dict) and candidate.get("id") == rule_id:
            return candidate
    return {}


def _level(result: JsonObject, rule: JsonObject, where: str) -> str:
    default = optional_object(rule, "defaultConfiguration", f"{where}.rule")
    level = (
        optional_text(result, "level", where)
        or optional_text(default, "level", f"{where}.rule.defaultConfiguration")
        or "warning"
    )
    if level not in _LEVEL_LABELS:
        raise ReportError(f"{where}.level: unknown SARIF level {level!r}")
    return level


def _message(result: JsonObject, rule: JsonObject, rule_id: str, where: str) -> str:
    message = optional_object(result, "message", where)
    short = optional_object(rule, "shortDescription", f"{where}.rule")
    return (
        optional_text(message, "text", f"{where}.message")
        or optional_text(short, "text", f"{where}.rule.shortDescription")
        or rule_id
    )


def _location(result: JsonObject, where: str) -> tuple[str | None, str | None, str | None]:
    """The primary location's file, start line and start column."""
    locations = optional_list(result, "locations", where)
    if not locations:
        return None, None, None
    location = require_object(locations[0], f"{where}.locations[0]")
    physical = optional_object(location, "physicalLocation", f"{where}.locations[0]")
    artifact = optional_object(physical, "artifactLocation", f"{where}.physicalLocation")
    region = optional_object(physical, "region", f"{where}.physicalLocation")
    return (
        optional_text(artifact, "uri", f"{where}.artifactLocation"),
        optional_text(region, "startLine", f"{where}.region"),
        optional_text(region, "startColumn", f"{where}.region"),
    )
