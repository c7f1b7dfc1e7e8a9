"""OWASP ZAP traditional JSON report: one issue per alert per site.

ZAP already groups the places where it saw an alert (its instances) under the alert; one
finding per instance would bury a single missing header under hundreds of URLs. So the finding
is the alert on the site, and its instances are listed in the description.
"""

from __future__ import annotations

from .model import DAST, TYPE_VULNERABILITY, Issue, Scan
from .shape import (
    JsonObject,
    ReportError,
    optional_list,
    optional_text,
    require_list,
    require_object,
    require_text,
)
from .text import first_url, paragraphs, plain_text

SCANNER = "ZAP"
LISTED_INSTANCES = 5

_RISK_LABELS = {"3": "HIGH", "2": "MEDIUM", "1": "LOW", "0": "INFORMATIONAL"}
_CONFIDENCES = {"0": "False Positive", "1": "Low", "2": "Medium", "3": "High", "4": "Confirmed"}


def parse(report: object) -> Scan:
    document = require_object(report, "report")
    if "site" not in document:
        raise ReportError("report: not a ZAP traditional JSON report (site)")
    issues: list[Issue] = []
    for index, item in enumerate(require_list(document["site"], "report.site")):
        where = f"report.site[{index}]"
        site = require_object(item, where)
        site_name = require_text(site.get("@name"), f"{where}.@name")
        for number, entry in enumerate(optional_list(site, "alerts", where)):
            alert_where = f"{where}.alerts[{number}]"
            issues.append(_issue(require_object(entry, alert_where), site_name, alert_where))
    return Scan(scanners=frozenset({SCANNER}), issues=tuple(issues))


def _issue(alert: JsonObject, site: str, where: str) -> Issue:
    plugin_id = require_text(alert.get("pluginid"), f"{where}.pluginid")
    alert_ref = optional_text(alert, "alertRef", where) or plugin_id
    name = optional_text(alert, "alert", where) or require_text(alert.get("name"), f"{where}.name")
    risk = optional_text(alert, "riskcode", where)
    if risk not in _RISK_LABELS:
        raise ReportError(f"{where}.riskcode: expected 0 to 3, got {alert.get('riskcode')!r}")
    instances = _instances(alert, where)
    confidence = _CONFIDENCES.get(optional_text(alert, "confidence", where) or "", "")
    details = {
        "cwe": optional_text(alert, "cweid", where),
        "wasc": optional_text(alert, "wascid", where),
        "confidence": confidence,
        "instances": str(len(instances)),
    }
    return Issue(
        identity=(site, alert_ref, name),
        scanner=SCANNER,
        rule=alert_ref,
        scan_type=DAST,
        types=(TYPE_VULNERABILITY,),
        severity_label=_RISK_LABELS[risk],
        severity_original=optional_text(alert, "riskdesc", where) or risk,
        title=f"{name} on {site}",
        description=paragraphs(
            plain_text(optional_text(alert, "desc", where) or "") or name,
            _instance_summary(instances),
        ),
        location=site,
        source_url=first_url(optional_text(alert, "reference", where) or ""),
        remediation=plain_text(optional_text(alert, "solution", where) or "") or None,
        details={key: value for key, value in details.items() if value and value != "-1"},
    )


def _instances(alert: JsonObject, where: str) -> list[str]:
    """Each instance as ``METHOD uri (param)``."""
    described = []
    for number, entry in enumerate(optional_list(alert, "instances", where)):
        instance_where = f"{where}.instances[{number}]"
        instance = require_object(entry, instance_where)
        uri = require_text(instance.get("uri"), f"{instance_where}.uri")
        method = optional_text(instance, "method", instance_where)
        param = optional_text(instance, "param", instance_where)
        text = f"{method} {uri}" if method else uri
        described.append(f"{text} (parameter {param})" if param else text)
    return described


def _instance_summary(instances: list[str]) -> str:
    if not instances:
        return ""
    listed = "\n".join(f"- {instance}" for instance in instances[:LISTED_INSTANCES])
    more = len(instances) - LISTED_INSTANCES
    suffix = f"\n- and {more} more" if more > 0 else ""
    return f"Seen at {len(instances)} place(s):\n{listed}{suffix}"
