"""What a parsed report is, independent of the tool that wrote it and of ASFF."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# ASFF Types (namespace/category/classifier). Only "Software and Configuration Checks" has
# classifiers, and CVE is the one for known vulnerabilities; SAST and DAST results that are
# security weaknesses stop at the Vulnerabilities category, other code issues at the namespace.
TYPE_CVE = "Software and Configuration Checks/Vulnerabilities/CVE"
TYPE_VULNERABILITY = "Software and Configuration Checks/Vulnerabilities"
TYPE_SOFTWARE_CHECK = "Software and Configuration Checks"

SCA = "SCA"
SAST = "SAST"
DAST = "DAST"


def label_from_cvss(score: float) -> str:
    """Security Hub's label for a CVSS-style score (also SARIF's security-severity)."""
    if score >= 9.0:
        return "CRITICAL"
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    if score > 0.0:
        return "LOW"
    return "INFORMATIONAL"


@dataclass(frozen=True)
class Source:
    """Where a report comes from: one build of one commit on one branch."""

    repository: str
    branch: str
    commit: str
    build_id: str


@dataclass(frozen=True)
class Cvss:
    version: str
    base_score: float
    base_vector: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Package:
    name: str
    version: str | None = None
    package_manager: str | None = None


@dataclass(frozen=True)
class Vulnerability:
    """A known vulnerability (SCA) in one package."""

    id: str
    package: Package
    cvss: tuple[Cvss, ...] = ()
    vendor: str | None = None
    vendor_severity: str | None = None
    reference_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Issue:
    """One problem a scanner reported, ready to become one finding.

    ``identity`` is what makes an issue the same one in the next build's report (a vulnerability
    and its component, a rule and its location); the finding Id is derived from it.
    """

    identity: tuple[str, ...]
    scanner: str
    rule: str
    scan_type: str
    types: tuple[str, ...]
    severity_label: str
    severity_original: str
    title: str
    description: str
    location: str | None = None
    source_url: str | None = None
    remediation: str | None = None
    created_at: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    vulnerability: Vulnerability | None = None


@dataclass(frozen=True)
class Scan:
    """A parsed report: its issues, and the scanners it speaks for.

    Earlier findings of a scanner listed here that are not among the issues are fixed; findings
    of other scanners (another SARIF driver uploaded separately) are left alone.
    """

    scanners: frozenset[str]
    issues: tuple[Issue, ...]
