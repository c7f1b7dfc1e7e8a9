"""Security Hub calls under botocore's Stubber: throttling, rejected findings, batch limits."""

import json
import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import ANY, Stubber

from baseline.capabilities.scanner_findings.functions.findings_import.importer import (
    asff,
    securityhub,
    service,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.model import Source
from tests.capabilities.scanner_findings.findings_import_harness import REGION, load
from tests.capabilities.scanner_findings.findings_import_harness import offline_client as client

ACCOUNT = asff.Account(partition="aws", region=REGION, account_id="123456789012")
SOURCE = Source(repository="orders-service", branch="main", commit="4f2c9a1e", build_id="b-7")
IDENTITY = {
    "UserId": "AROAEXAMPLE:findings-import",
    "Account": "123456789012",
    "Arn": "arn:aws:sts::123456789012:assumed-role/findings-import/findings-import",
}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def finding(number: int, workflow: str | None = None) -> dict[str, Any]:
    """A minimal finding as GetFindings returns it."""
    result: dict[str, Any] = {
        "SchemaVersion": "2018-10-08",
        "Id": f"zap/orders-service/main/{number:032x}",
        "ProductArn": ACCOUNT.product_arn,
        "GeneratorId": "ZAP/10038-1",
        "AwsAccountId": ACCOUNT.account_id,
        "Types": ["Software and Configuration Checks/Vulnerabilities"],
        "CreatedAt": "2024-06-01T10:00:00.000Z",
        "UpdatedAt": "2024-06-01T10:00:00.000Z",
        "Severity": {"Label": "MEDIUM", "Original": "Medium (High)"},
        "Title": "Content Security Policy (CSP) Header Not Set",
        "Description": "CSP is not set.",
        "Resources": [{"Type": "Other", "Id": "orders-service@4f2c9a1e"}],
        "ProductFields": {
            asff.TOOL_FIELD: "zap",
            asff.SCANNER_FIELD: "ZAP",
            asff.REPOSITORY_FIELD: "orders-service",
            asff.BRANCH_FIELD: "main",
            "aws/securityhub/FindingId": "arn:aws:securityhub:eu-west-1::finding/x",
        },
        "RecordState": "ACTIVE",
    }
    if workflow:
        result["Workflow"] = {"Status": workflow}
    return result


def throttle(stubber: Stubber, operation: str, code: str = "ThrottlingException") -> None:
    stubber.add_client_error(operation, service_error_code=code, http_status_code=429)


def test_throttled_imports_are_retried_with_growing_backoff():
    hub_client = client("securityhub")
    sleeps = Sleeps()
    findings = [finding(n) for n in range(3)]
    with Stubber(hub_client) as stubber:
        throttle(stubber, "batch_import_findings")
        throttle(stubber, "batch_import_findings", "TooManyRequestsException")
        stubber.add_response(
            "batch_import_findings",
            {"FailedCount": 0, "SuccessCount": 3, "FailedFindings": []},
            {"Findings": findings},
        )

        outcome = securityhub.SecurityHub(hub_client, sleeps).import_findings(findings)

        stubber.assert_no_pending_responses()
    assert outcome.accepted == tuple(f["Id"] for f in findings)
    assert outcome.failed == ()
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


def test_throttling_is_retried_a_bounded_number_of_times():
    hub_client = client("securityhub")
    sleeps = Sleeps()
    with Stubber(hub_client) as stubber:
        for _ in range(securityhub.MAX_ATTEMPTS):
            throttle(stubber, "get_findings", "LimitExceededException")

        with pytest.raises(ClientError, match="LimitExceededException"):
            securityhub.SecurityHub(hub_client, sleeps).active_findings(ACCOUNT, "zap", SOURCE)

        stubber.assert_no_pending_responses()
    assert len(sleeps) == securityhub.MAX_ATTEMPTS - 1
    assert all(delay <= securityhub.MAX_DELAY_SECONDS for delay in sleeps)


def test_other_errors_are_not_retried():
    hub_client = client("securityhub")
    sleeps = Sleeps()
    with Stubber(hub_client) as stubber:
        stubber.add_client_error(
            "batch_import_findings", service_error_code="InvalidAccessException"
        )

        with pytest.raises(ClientError, match="InvalidAccessException"):
            securityhub.SecurityHub(hub_client, sleeps).import_findings([finding(1)])

    assert sleeps == []


def test_rejected_findings_are_counted_and_each_logged(caplog):
    hub_client = client("securityhub")
    findings = [finding(n) for n in range(3)]
    rejected = [
        {"Id": findings[0]["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "Title too long"},
        {"Id": findings[2]["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "Bad type"},
    ]
    with Stubber(hub_client) as stubber:
        stubber.add_response(
            "batch_import_findings",
            {"FailedCount": 2, "SuccessCount": 1, "FailedFindings": rejected},
        )

        outcome = securityhub.SecurityHub(hub_client, Sleeps()).import_findings(findings)

    assert outcome.failed == (findings[0]["Id"], findings[2]["Id"])
    assert outcome.accepted == (findings[1]["Id"],)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"Security Hub rejected finding {findings[0]['Id']}: InvalidInput: Title too long",
        f"Security Hub rejected finding {findings[2]['Id']}: InvalidInput: Bad type",
    ]


def test_an_invocation_survives_throttling_and_reports_failures():
    """The whole import under Stubber: two throttles, then one finding of four rejected."""
    hub_client, sts_client = client("securityhub"), client("sts")
    report = load("sarif-bandit.json")
    event = {"tool": "sarif", "report": report, "source": SOURCE.__dict__}
    clients = service.AwsClients(hub_client, sts_client, client("s3"), REGION)
    sleeps = Sleeps()
    with Stubber(hub_client) as hub, Stubber(sts_client) as sts:
        sts.add_response("get_caller_identity", IDENTITY)
        hub.add_response("get_findings", {"Findings": []}, {"Filters": ANY, "MaxResults": 100})
        throttle(hub, "batch_import_findings")
        throttle(hub, "batch_import_findings")
        hub.add_response(
            "batch_import_findings",
            {
                "FailedCount": 1,
                "SuccessCount": 3,
                "FailedFindings": [
                    {"Id": "sarif/x", "ErrorCode": "InvalidInput", "ErrorMessage": "rejected"}
                ],
            },
        )

        result = service.run(event, clients, sleep=sleeps)

        hub.assert_no_pending_responses()
    assert result == {"imported": 4, "archived": 0, "failed": 1}
    assert len(sleeps) == 2


def test_earlier_findings_are_read_page_by_page_and_checked_field_by_field():
    hub_client = client("securityhub")
    other_branch = finding(3)
    other_branch["ProductFields"][asff.BRANCH_FIELD] = "develop"
    archived = finding(4)
    archived["RecordState"] = "ARCHIVED"
    with Stubber(hub_client) as stubber:
        stubber.add_response(
            "get_findings", {"Findings": [finding(1), other_branch], "NextToken": "page-2"}
        )
        stubber.add_response(
            "get_findings",
            {"Findings": [finding(2), archived]},
            {"Filters": ANY, "MaxResults": 100, "NextToken": "page-2"},
        )

        found = securityhub.SecurityHub(hub_client, Sleeps()).active_findings(
            ACCOUNT, "zap", SOURCE
        )

    assert sorted(found) == [finding(1)["Id"], finding(2)["Id"]]


def test_the_earlier_findings_request_filters_on_the_scope():
    hub_client = client("securityhub")
    expected = {
        "Filters": {
            "ProductArn": [{"Value": ACCOUNT.product_arn, "Comparison": "EQUALS"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
            "ProductFields": [
                {
                    "Key": "security-baseline/scope",
                    "Value": "zap/orders-service/main",
                    "Comparison": "EQUALS",
                }
            ],
        },
        "MaxResults": 100,
    }
    with Stubber(hub_client) as stubber:
        stubber.add_response("get_findings", {"Findings": []}, expected)

        securityhub.SecurityHub(hub_client, Sleeps()).active_findings(ACCOUNT, "zap", SOURCE)

        stubber.assert_no_pending_responses()


def test_only_undecided_findings_are_resolved(caplog):
    hub_client = client("securityhub")
    stale = [
        finding(1),
        finding(2, "NOTIFIED"),
        finding(3, "SUPPRESSED"),
        finding(4, "RESOLVED"),
        finding(5, "NEW"),
    ]
    undecided = [{"Id": stale[n]["Id"], "ProductArn": ACCOUNT.product_arn} for n in (0, 1, 4)]
    with Stubber(hub_client) as stubber:
        stubber.add_response(
            "batch_update_findings",
            {
                "ProcessedFindings": undecided[:2],
                "UnprocessedFindings": [
                    {
                        "FindingIdentifier": undecided[2],
                        "ErrorCode": "ConcurrentUpdateError",
                        "ErrorMessage": "Concurrent finding updates detected",
                    }
                ],
            },
            {
                "FindingIdentifiers": undecided,
                "Workflow": {"Status": "RESOLVED"},
                "Note": {"Text": securityhub.RESOLVED_NOTE, "UpdatedBy": securityhub.NOTE_AUTHOR},
            },
        )

        securityhub.SecurityHub(hub_client, Sleeps()).resolve(ACCOUNT, stale)

        stubber.assert_no_pending_responses()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"Security Hub did not resolve finding {stale[4]['Id']}: ConcurrentUpdateError: "
        "Concurrent finding updates detected"
    ]


def test_batches_keep_to_100_findings():
    findings = [{"Id": str(n)} for n in range(250)]

    assert [len(batch) for batch in securityhub.batches(findings)] == [100, 100, 50]


def test_batches_keep_under_6_mb():
    # 70 findings of about 100 KB: the size limit, not the count, splits them.
    findings = [{"Id": str(n), "Description": "x" * 100_000} for n in range(70)]

    sizes = [len(json.dumps({"Findings": batch})) for batch in securityhub.batches(findings)]

    assert len(sizes) == 2
    assert all(size <= securityhub.MAX_BATCH_BYTES for size in sizes)
    assert sizes[0] > securityhub.MAX_BATCH_BYTES - 100_100


def test_batch_size_is_measured_as_botocore_sends_it():
    # Non-ASCII text is sent \\u-escaped: six bytes a character, not one.
    findings = [{"Id": str(n), "Description": "é" * 20_000} for n in range(60)]

    sizes = [len(json.dumps({"Findings": batch})) for batch in securityhub.batches(findings)]

    assert len(sizes) == 2
    assert all(size <= securityhub.MAX_BATCH_BYTES for size in sizes)
