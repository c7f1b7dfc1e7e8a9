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
# Limits documented in the Security Hub API reference for AwsSecurityFinding and its objects (the
# same text as botocore's securityhub model): Id and GeneratorId 512 characters, Title 256,
# Description 1,024, Severity.Original 64, Remediation.Recommendation.Text 512, Types at most 50,
# ProductFields at most 50 pairs with keys of 128 and values of 2,048 characters; ProductFields
# and Resources.Details.Other values are NonEmptyString.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 1024
ID_LIMIT = 512
GENERATOR_ID_LIMIT = 512
PRODUCT_FIELD_LIMIT = 2048
PRODUCT_FIELD_KEY_LIMIT = 128
MAX_PRODUCT_FIELDS = 50
MAX_TYPES = 50
SEVERITY_ORIGINAL_LIMIT = 64
REMEDIATION_LIMIT = 512
# Where the reference names no limit (Resources.Id, Details.Other values, vulnerability and package
# fields, URLs): 1,024, Description's limit and the one Amazon Inspector documents for the same
# vulnerability fields (PackageVulnerabilityDetails). URLs longer than that are left out, not cut.
STRING_LIMIT = 1024
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
    types = list(issue.types)[:MAX_TYPES]
    finding: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(tool, source, issue.identity),
        "ProductArn": account.product_arn,
        "GeneratorId": truncate(f"{issue.scanner}/{issue.rule}", GENERATOR_ID_LIMIT),
        "AwsAccountId": account.account_id,
        "Types": types,
        "CreatedAt": earlier.get("CreatedAt") or issue.created_at or now,
        "UpdatedAt": now,
        "FirstObservedAt": earlier.get("FirstObservedAt") or now,
        "LastObservedAt": now,
        "Severity": severity,
        # Providers update severity and types here; the top-level copies belong to the teams.
        "FindingProviderFields": {"Severity": dict(severity), "Types": list(types)},
        "Title": truncate(one_line(issue.title) or issue.rule, TITLE_LIMIT),
        "Description": truncate(issue.description.strip() or issue.rule, DESCRIPTION_LIMIT),
        "Resources": [_resource(issue, source, account)],
        "ProductFields": _product_fields(tool, issue, source),
        "RecordState": "ACTIVE",
    }
    if _url(issue.source_url):
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
        "Id": truncate(f"{source.repository}@{source.commit}", STRING_LIMIT),
        "Partition": account.partition,
        "Region": account.region,
        "Details": {"Other": _non_empty(other, STRING_LIMIT)},
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
    fitting = {key: value for key, value in fields.items() if len(key) <= PRODUCT_FIELD_KEY_LIMIT}
    # The fields this function reads back come first, so they are never the ones left out.
    return dict(list(_non_empty(fitting, PRODUCT_FIELD_LIMIT).items())[:MAX_PRODUCT_FIELDS])


def _non_empty(fields: Mapping[str, str], limit: int) -> dict[str, str]:
    """The fields with a value, each cut to ``limit``: Security Hub refuses blank values."""
    return {key: truncate(value, limit) for key, value in fields.items() if value.strip()}


def _url(text: str | None) -> bool:
    return (
        bool(text)
        and len(str(text)) <= STRING_LIMIT
        and str(text).startswith(("https://", "http://"))
    )


def _vulnerability(vulnerability: Vulnerability) -> dict[str, Any]:
    package = _non_empty(
        {
            "Name": vulnerability.package.name,
            "Version": vulnerability.package.version or "",
            "PackageManager": vulnerability.package.package_manager or "",
        },
        STRING_LIMIT,
    )
    result: dict[str, Any] = {
        "Id": truncate(vulnerability.id, STRING_LIMIT),
        "VulnerablePackages": [package],
    }
    if vulnerability.cvss:
        result["Cvss"] = [_cvss(score) for score in vulnerability.cvss]
    if vulnerability.vendor:
        result["Vendor"] = _non_empty(
            {"Name": vulnerability.vendor, "VendorSeverity": vulnerability.vendor_severity or ""},
            STRING_LIMIT,
        )
    urls = [url for url in vulnerability.reference_urls if _url(url)]
    if urls:
        result["ReferenceUrls"] = urls
    return result


def _cvss(score: Cvss) -> dict[str, Any]:
    cvss: dict[str, Any] = {"Version": truncate(score.version, STRING_LIMIT)}
    cvss["BaseScore"] = score.base_score
    extra = {"BaseVector": score.base_vector or "", "Source": score.source or ""}
    return {**cvss, **_non_empty(extra, STRING_LIMIT)}
