"""Findings import under hostile reports: time, memory, nesting, numbers, dates, ASFF limits."""

from __future__ import annotations

import copy
import json
import re
import time
import tracemalloc
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from baseline.capabilities.scanner_findings.component import FUNCTION_MEMORY_MB
from baseline.capabilities.scanner_findings.functions.findings_import.importer import (
    asff,
    events,
    securityhub,
    service,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.model import (
    Cvss,
    Issue,
    Package,
    Source,
    Vulnerability,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.text import (
    plain_text,
    without_tags,
)
from tests.capabilities.scanner_findings.findings_import_harness import REGION, load, moto_account
from tests.capabilities.scanner_findings.findings_import_harness import offline_client as client
from tests.capabilities.scanner_findings.test_findings_import_events import (
    BUCKET,
    SOURCE,
    s3_event,
    upload,
)

ACCOUNT = asff.Account(partition="aws", region=REGION, account_id="123456789012")
SOURCE_OBJECT = Source(**SOURCE)
NOW = "2026-01-01T00:00:00.000Z"
KEY = "reports/zap/orders-service/main/4f2c9a1e.json"
MIB = 1024 * 1024


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    with moto_account(monkeypatch):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3


def run(event: object) -> dict[str, object]:
    return service.run(event, service.AwsClients.from_environment())


# --- time: stripping HTML is linear ------------------------------------------------------------


def test_stripping_tags_from_text_full_of_unclosed_brackets_takes_linear_time() -> None:
    hostile = "<" * 160_000  # the regular expression took 25 s on this
    started = time.perf_counter()

    assert plain_text(hostile) == hostile

    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>Cross <b>site</b> scripting</p>", "Cross site scripting"),
        ("a < b and c > d", "a  d"),  # what the old pattern <[^>]+> did too
        ("x <> y", "x <> y"),
        ("unclosed <tag", "unclosed <tag"),
        ("<a href='x'>link</a> <br/>tail <", "link tail <"),
    ],
)
def test_tags_are_stripped_as_before(markup: str, text: str) -> None:
    assert without_tags(markup) == text
    assert without_tags(markup) == re.sub(r"<[^>]+>", "", markup)


# --- memory: the size cap is set from measurement ----------------------------------------------

# Measured with tracemalloc (see docs/input-limits.md): json.loads of small objects ("{},") peaks
# at 25.3 times the body; RSS adds about a quarter for the allocator. Boto3, the clients and the
# runtime take about 64 MiB before any report is read.
PEAK_PER_BODY_BYTE = 27
ALLOCATOR_OVERHEAD = 1.25
BASELINE_MIB = 64


def test_the_worst_json_for_memory_stays_within_the_measured_factor() -> None:
    body = ("[" + "{}," * (MIB // 3))[:-1].encode() + b"]"
    tracemalloc.start()
    try:
        json.loads(body.decode("utf-8-sig"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak <= PEAK_PER_BODY_BYTE * len(body)


def test_the_report_cap_fits_the_functions_memory_with_a_fifth_to_spare() -> None:
    worst = events.MAX_REPORT_BYTES * PEAK_PER_BODY_BYTE * ALLOCATOR_OVERHEAD / MIB
    assert worst + BASELINE_MIB <= 0.8 * FUNCTION_MEMORY_MB


def test_reports_of_one_event_count_together_against_the_cap(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps(load("zap.json")).encode()
    monkeypatch.setattr(events, "MAX_REPORT_BYTES", len(body) * 2 - 1)
    upload(aws, KEY, body)
    other = KEY.replace("4f2c9a1e", "5a3d0b2f")
    upload(aws, other, body)
    event = s3_event(KEY)
    event["Records"].append(s3_event(other)["Records"][0])

    result = run(event)

    assert set(result) == {"error"}
    assert "exceed" in str(result["error"])
    assert "error" not in run(s3_event(KEY))


def test_more_issues_than_one_event_may_import_are_refused(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_ISSUES", 2)
    upload(aws, KEY, json.dumps(load("zap.json")).encode())

    result = run(s3_event(KEY))

    assert set(result) == {"error"}
    assert "more than 2" in str(result["error"])


# --- malformed reports give {"error"}, never an exception ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"site": ' + b"9" * 5000 + b"}"],
    ids=["nested-100000-deep", "5000-digit-integer"],
)
def test_a_report_python_cannot_parse_is_refused(aws: Any, body: bytes) -> None:
    upload(aws, KEY, body)

    result = run(s3_event(KEY))

    assert set(result) == {"error"}
    assert "not a JSON document" in str(result["error"])


@pytest.mark.parametrize("date", ["9999-12-31T23:59:59-2359", "0001-01-01T00:00:00+2359"])
def test_a_sonarqube_date_at_the_end_of_the_calendar_is_refused(aws: Any, date: str) -> None:
    report = load("sonarqube.json")
    report["issues"][0]["creationDate"] = date
    event = {"tool": "sonarqube", "report": report, "source": SOURCE}

    result = run(event)

    assert set(result) == {"error"}
    assert "creationDate: not a timestamp" in str(result["error"])


# --- ASFF limits ---------------------------------------------------------------------------------

LONG = "x" * 5000
URL = "https://nvd.nist.gov/vuln/detail/CVE-2024-0001?" + "q" * 5000


def hostile_issue(**changes: Any) -> Issue:
    issue = Issue(
        identity=("CVE-2024-0001", LONG),
        scanner="dependency-check",
        rule=LONG,
        scan_type="SCA",
        types=tuple(f"Software and Configuration Checks/Vulnerabilities/{n}" for n in range(60)),
        severity_label="HIGH",
        severity_original=LONG,
        title=LONG,
        description=LONG,
        location="src/" + LONG,
        source_url=URL,
        remediation=LONG,
        details={"cpe": LONG, "blank": " ", **{f"extra-{n}": "v" for n in range(60)}},
        vulnerability=Vulnerability(
            id=LONG,
            package=Package(name=LONG, version=LONG, package_manager=LONG),
            cvss=(Cvss(version="3.1", base_score=9.8, base_vector=LONG, source=LONG),),
            vendor=LONG,
            vendor_severity=LONG,
            reference_urls=(URL, "https://example.com/advisory"),
        ),
    )
    return Issue(**{**issue.__dict__, **changes})


def strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in strings(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [pair for item in value for pair in strings(item, f"{path}[]")]
    return [(path, value)] if isinstance(value, str) else []


# The Security Hub API reference (AwsSecurityFinding): documented maximum lengths.
DOCUMENTED = {
    ".Id": 512,
    ".GeneratorId": 512,
    ".Title": 256,
    ".Description": 1024,
    ".Severity.Original": 64,
    ".FindingProviderFields.Severity.Original": 64,
    ".Remediation.Recommendation.Text": 512,
}


def test_every_field_of_a_hostile_issue_keeps_to_its_limit() -> None:
    finding = asff.to_finding(
        "dependency-check", hostile_issue(), source=SOURCE_OBJECT, account=ACCOUNT, now=NOW
    )

    for path, text in strings(finding):
        limit = DOCUMENTED.get(path, 2048 if path.startswith(".ProductFields") else 1024)
        assert text.strip() and len(text) <= limit, (path, len(text))
    assert len(finding["Types"]) == len(finding["FindingProviderFields"]["Types"]) == 50
    assert len(finding["ProductFields"]) == 50
    assert all(len(key) <= 128 for key in finding["ProductFields"])
    assert "SourceUrl" not in finding  # a cut URL would point elsewhere: left out
    [vulnerability] = finding["Vulnerabilities"]
    assert vulnerability["ReferenceUrls"] == ["https://example.com/advisory"]
    assert securityhub.finding_size(finding) <= securityhub.MAX_FINDING_BYTES


def test_the_fields_read_back_are_never_the_product_fields_left_out() -> None:
    finding = asff.to_finding(
        "dependency-check", hostile_issue(), source=SOURCE_OBJECT, account=ACCOUNT, now=NOW
    )
    fields = finding["ProductFields"]
    for key in (asff.TOOL_FIELD, asff.SCANNER_FIELD, asff.REPOSITORY_FIELD, asff.BRANCH_FIELD):
        assert fields[key]
    assert fields[asff.SCOPE_FIELD] == "dependency-check/orders-service/main"


def test_blank_values_never_reach_product_fields_or_resource_details() -> None:
    issue = hostile_issue(rule=" ", scan_type="", details={"empty": "", "blank": "  "})
    finding = asff.to_finding(
        "dependency-check", issue, source=SOURCE_OBJECT, account=ACCOUNT, now=NOW
    )

    assert [key for key, value in finding["ProductFields"].items() if not value.strip()] == []
    other = finding["Resources"][0]["Details"]["Other"]
    assert [key for key, value in other.items() if not value.strip()] == []


def test_a_finding_over_240_kb_is_reported_failed_and_never_sent() -> None:
    hub_client = client("securityhub")
    small = asff.to_finding(
        "dependency-check", hostile_issue(), source=SOURCE_OBJECT, account=ACCOUNT, now=NOW
    )
    # Every URL within its limit, but 300 of them: the finding itself is too large.
    urls = tuple(f"https://example.com/{n}/" + "u" * 980 for n in range(300))
    crowded = hostile_issue(
        identity=("CVE-2024-0002",),
        vulnerability=Vulnerability(
            id="CVE-2024-0002", package=Package(name="lib"), reference_urls=urls
        ),
    )
    huge = asff.to_finding(
        "dependency-check", crowded, source=SOURCE_OBJECT, account=ACCOUNT, now=NOW
    )
    assert securityhub.finding_size(huge) > securityhub.MAX_FINDING_BYTES
    with Stubber(hub_client) as stubber:
        stubber.add_response(
            "batch_import_findings",
            {"FailedCount": 0, "SuccessCount": 1, "FailedFindings": []},
            {"Findings": [small]},
        )

        outcome = securityhub.SecurityHub(hub_client, lambda _: None).import_findings([small, huge])

        stubber.assert_no_pending_responses()
    assert (outcome.accepted, outcome.failed) == ((small["Id"],), (huge["Id"],))


def test_archived_findings_are_resolved_100_identifiers_a_call() -> None:
    hub_client = client("securityhub")
    stale = [{"Id": f"zap/orders-service/main/{n:032x}"} for n in range(250)]
    identifiers = [{"Id": each["Id"], "ProductArn": ACCOUNT.product_arn} for each in stale]
    with Stubber(hub_client) as stubber:
        for start, end in ((0, 100), (100, 200), (200, 250)):
            stubber.add_response(
                "batch_update_findings",
                {"ProcessedFindings": identifiers[start:end], "UnprocessedFindings": []},
                {
                    "FindingIdentifiers": identifiers[start:end],
                    "Workflow": {"Status": "RESOLVED"},
                    "Note": ANY,
                },
            )

        securityhub.SecurityHub(hub_client, lambda _: None).resolve(ACCOUNT, copy.deepcopy(stale))

        stubber.assert_no_pending_responses()
