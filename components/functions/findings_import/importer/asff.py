"""Issues as AWS Security Finding Format findings, and what is needed to archive them again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import Cvss, Issue, Source, Vulnerability
from .text import one_line, truncate

SCHEMA_VERSION = "2018-10-08"
FIELD_PREFIX = "security-baseline/"
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 1024
ID_LIMIT = 512
GENERATOR_ID_LIMIT = 512
PRODUCT_FIELD_LIMIT = 2048
SEVERITY_ORIGINAL_LIMIT = 64
REMEDIATION_LIMIT = 512
DIGEST_LENGTH = 32

# Keys of the ProductFields this function sets and reads back to find its earlier findings.
TOOL_FIELD = FIELD_PREFIX + "tool"
REPOSITORY_FIELD = FIELD_PREFIX + "repository"
BRANCH_FIELD = FIELD_PREFIX + "branch"
SCANNER_FIELD = FIELD_PREFIX + "scanner"
SCOPE_FIELD = FIELD_PREFIX + "scope"

# Everything to_finding may set: what an archived copy of an earlier finding carries over.
_PROVIDER_KEYS = (
    "SchemaVersion",
    "Id",
    "ProductArn",
    "GeneratorId",
    "AwsAccountId",
    "Types",
    "CreatedAt",
    "FirstObservedAt",
    "LastObservedAt",
    "Severity",
    "FindingProviderFields",
    "Title",
    "Description",
    "Resources",
    "SourceUrl",
    "Remediation",
    "Vulnerabilities",
)


@dataclass(frozen=True)
class Account:
    """The account and Region the findings belong to, as looked up at run time."""

    partition: str
    region: str
    account_id: str

    @property
    def product_arn(self) -> str:
        # The default product of the account itself: its own custom integration.
        return (
            f"arn:{self.partition}:securityhub:{self.region}:{self.account_id}:"
            f"product/{self.account_id}/default"
        )


def scope(tool: str, source: Source) -> str:
    """Which earlier findings a report of ``tool`` on this repository and branch replaces."""
    return f"{tool}/{source.repository}/{source.branch}"


def finding_id(tool: str, source: Source, identity: tuple[str, ...]) -> str:
    """Readable and stable: the same tool, repository, branch and issue always give the same Id."""
    canonical = json.dumps([tool, source.repository, source.branch, *identity])
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_LENGTH]
    readable = scope(tool, source)[: ID_LIMIT - DIGEST_LENGTH - 1]
    return f"{readable}/{digest}"


def to_finding(
    tool: str,
    issue: Issue,
    *,
    source: Source,
    account: Account,
    now: str,
    earlier: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ASFF finding for ``issue``; ``earlier`` is the same finding as last imported, if any."""
    earlier = earlier or {}
    severity = {
        "Label": issue.severity_label,
        "Original": truncate(issue.severity_original, SEVERITY_ORIGINAL_LIMIT),
    }
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(tool, source, issue.identity),
        "ProductArn": account.product_arn,
        "GeneratorId": truncate(f"{issue.scanner}/{issue.rule}", GENERATOR_ID_LIMIT),
        "AwsAccountId": account.account_id,
        "Types": list(issue.types),
        "CreatedAt": earlier.get("CreatedAt") or issue.created_at or now,
        "UpdatedAt": now,
        "FirstObservedAt": earlier.get("FirstObservedAt") or now,
        "LastObservedAt": now,
        "Severity": severity,
        # Providers update severity and types here; the top-level copies belong to the teams.
        "FindingProviderFields": {"Severity": dict(severity), "Types": list(issue.types)},
        "Title": truncate(one_line(issue.title), TITLE_LIMIT),
        "Description": truncate(issue.description.strip(), DESCRIPTION_LIMIT),
        "Resources": [_resource(issue, source, account)],
        "ProductFields": _product_fields(tool, issue, source),
        "RecordState": "ACTIVE",
    }
    if issue.source_url and issue.source_url.startswith(("https://", "http://")):
        finding["SourceUrl"] = issue.source_url
    if issue.remediation:
        text = truncate(issue.remediation.strip(), REMEDIATION_LIMIT)
        finding["Remediation"] = {"Recommendation": {"Text": text}}
    if issue.vulnerability:
        finding["Vulnerabilities"] = [_vulnerability(issue.vulnerability)]
    return finding


def archived(earlier: Mapping[str, Any], now: str) -> dict[str, Any]:
    """An earlier finding again, as the provider set it, now with RecordState ARCHIVED."""
    finding = {key: earlier[key] for key in _PROVIDER_KEYS if key in earlier}
    # Security Hub adds its own aws/ product fields; they are not the provider's to send.
    fields = earlier.get("ProductFields", {})
    finding["ProductFields"] = {k: v for k, v in fields.items() if not k.startswith("aws/")}
    finding["UpdatedAt"] = now
    finding["RecordState"] = "ARCHIVED"
    return finding


def _resource(issue: Issue, source: Source, account: Account) -> dict[str, Any]:
    other = {
        "repository": source.repository,
        "branch": source.branch,
        "commit": source.commit,
        "build-id": source.build_id,
    }
    if issue.location:
        other["location"] = issue.location
    return {
        "Type": "Other",
        "Id": f"{source.repository}@{source.commit}",
        "Partition": account.partition,
        "Region": account.region,
        "Details": {"Other": other},
    }


def _product_fields(tool: str, issue: Issue, source: Source) -> dict[str, str]:
    fields = {
        TOOL_FIELD: tool,
        SCANNER_FIELD: issue.scanner,
        REPOSITORY_FIELD: source.repository,
        BRANCH_FIELD: source.branch,
        SCOPE_FIELD: scope(tool, source),
        FIELD_PREFIX + "commit": source.commit,
        FIELD_PREFIX + "build-id": source.build_id,
        FIELD_PREFIX + "scan-type": issue.scan_type,
        FIELD_PREFIX + "rule": issue.rule,
        **{FIELD_PREFIX + key: value for key, value in issue.details.items()},
    }
    if issue.location:
        fields[FIELD_PREFIX + "location"] = issue.location
    return {key: truncate(value, PRODUCT_FIELD_LIMIT) for key, value in fields.items()}


def _vulnerability(vulnerability: Vulnerability) -> dict[str, Any]:
    package: dict[str, str] = {"Name": vulnerability.package.name}
    if vulnerability.package.version:
        package["Version"] = vulnerability.package.version
    if vulnerability.package.package_manager:
        package["PackageManager"] = vulnerability.package.package_manager
    result: dict[str, Any] = {"Id": vulnerability.id, "VulnerablePackages": [package]}
    if vulnerability.cvss:
        result["Cvss"] = [_cvss(score) for score in vulnerability.cvss]
    if vulnerability.vendor:
        vendor = {"Name": vulnerability.vendor}
        if vulnerability.vendor_severity:
            vendor["VendorSeverity"] = vulnerability.vendor_severity
        result["Vendor"] = vendor
    if vulnerability.reference_urls:
        result["ReferenceUrls"] = list(vulnerability.reference_urls)
    return result


def _cvss(score: Cvss) -> dict[str, Any]:
    cvss: dict[str, Any] = {"Version": score.version, "BaseScore": score.base_score}
    if score.base_vector:
        cvss["BaseVector"] = score.base_vector
    if score.source:
        cvss["Source"] = score.source
    return cvss
