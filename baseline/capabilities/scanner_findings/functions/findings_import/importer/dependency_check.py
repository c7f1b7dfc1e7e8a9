"""OWASP Dependency-Check JSON report (reportSchema 1.1): an issue per vulnerability per dependency.

Suppressed vulnerabilities (``suppressedVulnerabilities``) are the team's decision and are not
imported. A vulnerability's severity comes from its newest CVSS score (v4, then v3, then v2);
an unscored one (RetireJS, some advisories) from its textual severity, and MEDIUM when that is
unknown too, so that it is triaged rather than hidden.
"""

from __future__ import annotations

from urllib.parse import unquote

from .model import (
    SCA,
    TYPE_CVE,
    TYPE_VULNERABILITY,
    Cvss,
    Issue,
    Package,
    Scan,
    Vulnerability,
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
from .text import paragraphs

SCANNER = "Dependency-Check"
MAX_REFERENCE_URLS = 20

_TEXT_SEVERITIES = {
    "critical": "CRITICAL",
    "high": "HIGH",
    "moderate": "MEDIUM",
    "medium": "MEDIUM",
    "low": "LOW",
    "info": "INFORMATIONAL",
    "informational": "INFORMATIONAL",
}
_UNKNOWN_SEVERITY = "MEDIUM"

# NVD's CVSS metric values, as Dependency-Check writes them, to the letters of a vector string.
_V3_METRICS = (
    (
        "AV",
        "attackVector",
        {"NETWORK": "N", "ADJACENT_NETWORK": "A", "LOCAL": "L", "PHYSICAL": "P"},
    ),
    ("AC", "attackComplexity", {"LOW": "L", "HIGH": "H"}),
    ("PR", "privilegesRequired", {"NONE": "N", "LOW": "L", "HIGH": "H"}),
    ("UI", "userInteraction", {"NONE": "N", "REQUIRED": "R"}),
    ("S", "scope", {"UNCHANGED": "U", "CHANGED": "C"}),
    ("C", "confidentialityImpact", {"NONE": "N", "LOW": "L", "HIGH": "H"}),
    ("I", "integrityImpact", {"NONE": "N", "LOW": "L", "HIGH": "H"}),
    ("A", "availabilityImpact", {"NONE": "N", "LOW": "L", "HIGH": "H"}),
)
_V2_IMPACT = {"NONE": "N", "PARTIAL": "P", "COMPLETE": "C"}
_V2_METRICS = (
    ("AV", "accessVector", {"NETWORK": "N", "ADJACENT_NETWORK": "A", "LOCAL": "L"}),
    ("AC", "accessComplexity", {"LOW": "L", "MEDIUM": "M", "HIGH": "H"}),
    ("Au", "authenticationr", {"NONE": "N", "SINGLE": "S", "MULTIPLE": "M"}),
    ("C", "confidentialityImpact", _V2_IMPACT),
    ("I", "integrityImpact", _V2_IMPACT),
    ("A", "availabilityImpact", _V2_IMPACT),
)


def parse(report: object) -> Scan:
    document = require_object(report, "report")
    if not isinstance(document.get("reportSchema"), str) or "dependencies" not in document:
        raise ReportError("report: not a Dependency-Check JSON report (reportSchema, dependencies)")
    issues: list[Issue] = []
    for index, item in enumerate(require_list(document["dependencies"], "report.dependencies")):
        where = f"report.dependencies[{index}]"
        dependency = require_object(item, where)
        file_name = require_text(dependency.get("fileName"), f"{where}.fileName")
        package = _package(dependency, file_name, where)
        for number, entry in enumerate(optional_list(dependency, "vulnerabilities", where)):
            vulnerability_where = f"{where}.vulnerabilities[{number}]"
            vulnerability = require_object(entry, vulnerability_where)
            issues.append(_issue(vulnerability, package, file_name, vulnerability_where))
    return Scan(scanners=frozenset({SCANNER}), issues=tuple(issues))


def _package(dependency: JsonObject, file_name: str, where: str) -> Package:
    for number, entry in enumerate(optional_list(dependency, "packages", where)):
        package_where = f"{where}.packages[{number}]"
        package_id = optional_text(require_object(entry, package_where), "id", package_where)
        if package_id and package_id.startswith("pkg:"):
            return _package_from_purl(package_id) or Package(name=file_name)
    return Package(name=file_name)


def _package_from_purl(purl: str) -> Package | None:
    """``pkg:type/namespace/name@version?qualifiers#subpath`` as an ASFF software package."""
    path = purl[len("pkg:") :].split("#", 1)[0].split("?", 1)[0]
    package_type, _, rest = path.partition("/")
    coordinates, _, version = rest.rpartition("@") if "@" in rest else (rest, "", "")
    name = unquote(coordinates)
    if not package_type or not name:
        return None
    return Package(name=name, version=unquote(version) or None, package_manager=package_type)


def _issue(vulnerability: JsonObject, package: Package, file_name: str, where: str) -> Issue:
    name = require_text(vulnerability.get("name"), f"{where}.name")
    source = optional_text(vulnerability, "source", where)
    text_severity = optional_text(vulnerability, "severity", where)
    scores = _cvss(vulnerability, where)
    label, original = _severity(scores, text_severity)
    references = _reference_urls(vulnerability, where)
    cwes = ", ".join(_texts(optional_list(vulnerability, "cwes", where), f"{where}.cwes"))
    component = f"{package.name}@{package.version}" if package.version else package.name
    return Issue(
        # Without the version: a vulnerability that survives an upgrade stays the same finding.
        identity=(name, package.package_manager or "file", package.name),
        scanner=SCANNER,
        # As Trivy's ASFF template does: the vulnerability is the check that fired.
        rule=name,
        scan_type=SCA,
        types=(TYPE_CVE,) if name.startswith("CVE-") else (TYPE_VULNERABILITY,),
        severity_label=label,
        severity_original=original,
        title=f"{name} in {component}",
        description=paragraphs(
            optional_text(vulnerability, "description", where) or f"{name} affects {component}.",
            f"Dependency: {file_name}",
        ),
        location=file_name,
        source_url=references[0] if references else None,
        details={
            key: value
            for key, value in (("cwe", cwes), ("vulnerability-source", source or ""))
            if value
        },
        vulnerability=Vulnerability(
            id=name,
            package=package,
            cvss=scores,
            vendor=source,
            vendor_severity=text_severity,
            reference_urls=references,
        ),
    )


def _severity(scores: tuple[Cvss, ...], text_severity: str | None) -> tuple[str, str]:
    if scores:
        return label_from_cvss(scores[0].base_score), f"{scores[0].base_score:.1f}"
    if text_severity is None:
        return _UNKNOWN_SEVERITY, "unscored"
    return _TEXT_SEVERITIES.get(text_severity.lower(), _UNKNOWN_SEVERITY), text_severity


def _cvss(vulnerability: JsonObject, where: str) -> tuple[Cvss, ...]:
    """The vulnerability's CVSS scores, newest version first."""
    scores = (
        _cvss_v4(optional_object(vulnerability, "cvssv4", where), f"{where}.cvssv4"),
        _cvss_v3(optional_object(vulnerability, "cvssv3", where), f"{where}.cvssv3"),
        _cvss_v2(optional_object(vulnerability, "cvssv2", where), f"{where}.cvssv2"),
    )
    return tuple(score for score in scores if score is not None)


def _cvss_v4(metrics: JsonObject, where: str) -> Cvss | None:
    score = optional_score(metrics, "baseScore", where)
    if score is None:
        return None
    return Cvss(
        version=optional_text(metrics, "version", where) or "4.0",
        base_score=score,
        base_vector=optional_text(metrics, "vectorString", where),
        source=optional_text(metrics, "source", where),
    )


def _cvss_v3(metrics: JsonObject, where: str) -> Cvss | None:
    score = optional_score(metrics, "baseScore", where)
    if score is None:
        return None
    # Reports from before Dependency-Check wrote the version (3.0 or 3.1) get no vector.
    version = optional_text(metrics, "version", where)
    vector = _vector(metrics, _V3_METRICS, f"CVSS:{version}/") if version else None
    return Cvss(version=version or "3", base_score=score, base_vector=vector)


def _cvss_v2(metrics: JsonObject, where: str) -> Cvss | None:
    score = optional_score(metrics, "score", where)
    if score is None:
        return None
    return Cvss(
        version=optional_text(metrics, "version", where) or "2.0",
        base_score=score,
        base_vector=_vector(metrics, _V2_METRICS, ""),
    )


def _vector(
    metrics: JsonObject, table: tuple[tuple[str, str, dict[str, str]], ...], prefix: str
) -> str | None:
    """The CVSS vector string, or None when a metric is missing or unknown."""
    parts = []
    for abbreviation, key, letters in table:
        letter = letters.get(str(metrics.get(key, "")).upper())
        if letter is None:
            return None
        parts.append(f"{abbreviation}:{letter}")
    return prefix + "/".join(parts)


def _reference_urls(vulnerability: JsonObject, where: str) -> tuple[str, ...]:
    urls: list[str] = []
    for number, entry in enumerate(optional_list(vulnerability, "references", where)):
        reference = require_object(entry, f"{where}.references[{number}]")
        url = optional_text(reference, "url", f"{where}.references[{number}]")
        if url and url.startswith(("https://", "http://")) and url not in urls:
            urls.append(url)
    return tuple(urls[:MAX_REFERENCE_URLS])


def _texts(values: list[object], where: str) -> list[str]:
    return [require_text(value, f"{where}[{index}]") for index, value in enumerate(values)]
