"""How reports arrive: S3 ObjectCreated notifications, and every kind of input that is refused."""

import copy
import json
import logging
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from baseline.capabilities.scanner_findings.functions.findings_import import handler
from baseline.capabilities.scanner_findings.functions.findings_import.importer import service
from tests.capabilities.scanner_findings.findings_import_harness import (
    REGION,
    SCANNERS,
    load,
    moto_account,
    offline_client,
)

BUCKET = "security-baseline-reports-123456789012"
SOURCE = {"repository": "orders-service", "branch": "main", "commit": "4f2c9a1e", "build_id": "b-7"}


def s3_event(key: str, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """An S3 event notification as S3 sends it (message format 2.1); the key URL-encoded."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": REGION,
                "eventTime": "2024-06-03T08:35:12.417Z",
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:AROAEXAMPLEID:codebuild-orders"},
                "requestParameters": {"sourceIPAddress": "203.0.113.10"},
                "responseElements": {
                    "x-amz-request-id": "C3D13FE58DE4C810",
                    "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5Jg",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "scanner-reports",
                    "bucket": {
                        "name": BUCKET,
                        "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                        "arn": f"arn:aws:s3:::{BUCKET}",
                    },
                    "object": {
                        "key": quote_plus(key, safe="/"),
                        "size": 1024,
                        "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                        "sequencer": "0055AED6DCD90281E5",
                    },
                },
            }
        ]
    }


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield s3


def upload(s3: Any, key: str, body: bytes, build_id: str | None = "orders-service:42") -> None:
    metadata = {"build-id": build_id} if build_id else {}
    s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata=metadata)


@pytest.fixture
def offline():
    """Clients that fail the test on any AWS call: refusing input must not need one."""
    clients = service.AwsClients(
        offline_client("securityhub"), offline_client("sts"), offline_client("s3"), REGION
    )
    with Stubber(clients.securityhub), Stubber(clients.sts), Stubber(clients.s3):
        yield clients


def refused(event: object, clients: service.AwsClients | None = None) -> str:
    """The error an event is refused with; it must be refused, with nothing else returned."""
    result = service.run(event, clients) if clients else handler.handler(event, None)
    assert set(result) == {"error"}
    message = result["error"]
    assert isinstance(message, str)
    return message


def findings() -> list[dict[str, Any]]:
    return boto3.client("securityhub", region_name=REGION).get_findings()["Findings"]


def test_a_report_uploaded_to_s3_is_imported_with_its_source(aws):
    key = "reports/zap/shop-web/feature/new checkout/3f2a9c1d.json"
    upload(aws, key, (SCANNERS / "zap.json").read_bytes())

    result = handler.handler(s3_event(key), None)

    imported = findings()
    assert result == {"imported": 5, "archived": 0, "failed": 0}
    assert len(imported) == 5
    for finding in imported:
        assert finding["Id"].startswith("zap/shop-web/feature/new checkout/")
        assert finding["Resources"][0]["Id"] == "shop-web@3f2a9c1d"
        other = finding["Resources"][0]["Details"]["Other"]
        assert other["branch"] == "feature/new checkout"
        assert other["build-id"] == "orders-service:42"


def test_an_s3_report_with_a_byte_order_mark_is_read(aws):
    key = "reports/sarif/orders-service/main/4f2c9a1e.json"
    upload(aws, key, b"\xef\xbb\xbf" + (SCANNERS / "sarif-bandit.json").read_bytes())

    assert handler.handler(s3_event(key), None) == {"imported": 4, "archived": 0, "failed": 0}


def test_a_later_s3_report_archives_what_it_no_longer_has(aws):
    report = load("sonarqube.json")
    upload(aws, "reports/sonarqube/orders-service/main/aaa111.json", json.dumps(report).encode())
    report["issues"] = report["issues"][1:]
    upload(aws, "reports/sonarqube/orders-service/main/bbb222.json", json.dumps(report).encode())
    clients = service.AwsClients.from_environment()
    # moto has no BatchUpdateFindings: answer it as Security Hub would.
    clients.securityhub.meta.events.register(
        "before-call.securityhub.BatchUpdateFindings",
        lambda **_: (
            AWSResponse(None, 200, {}, None),
            {"ProcessedFindings": [], "UnprocessedFindings": []},
        ),
    )
    service.run(s3_event("reports/sonarqube/orders-service/main/aaa111.json"), clients)

    result = service.run(s3_event("reports/sonarqube/orders-service/main/bbb222.json"), clients)

    assert result == {"imported": 4, "archived": 1, "failed": 0}
    assert [f["RecordState"] for f in findings()].count("ARCHIVED") == 1


REFUSED_EVENTS: dict[str, object] = {
    "not an object": ["tool", "zap"],
    "neither shape": {"detail-type": "Scheduled Event"},
    "unknown tool": {"tool": "trivy", "report": {}, "source": SOURCE},
    "no report": {"tool": "zap", "source": SOURCE},
    "report is a string": {"tool": "zap", "report": "{}", "source": SOURCE},
    "no source": {"tool": "zap", "report": {"site": []}},
    "source not an object": {"tool": "zap", "report": {"site": []}, "source": "main"},
    "empty records": {"Records": []},
    "records not a list": {"Records": {"s3": {}}},
    "not from s3": {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]},
}


@pytest.mark.parametrize("case", sorted(REFUSED_EVENTS))
def test_an_unrecognized_event_is_refused_logged_and_imports_nothing(offline, caplog, case):
    message = refused(REFUSED_EVENTS[case], offline)

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [f"Nothing imported: {message}"]


@pytest.mark.parametrize("field", ["repository", "branch", "commit", "build_id"])
@pytest.mark.parametrize("value", [None, "", "  ", 42, "line\nbreak", "x" * 513])
def test_a_missing_or_bad_source_field_is_refused(offline, field, value):
    source = {**SOURCE, field: value}
    if value is None:
        del source[field]

    message = refused({"tool": "zap", "report": load("zap.json"), "source": source}, offline)

    assert field in message


WRONG_REPORTS = {
    "dependency-check": "zap.json",
    "zap": "sonarqube.json",
    "sonarqube": "dependency-check.json",
    "sarif": "zap.json",
}


@pytest.mark.parametrize("tool", sorted(WRONG_REPORTS))
def test_another_tools_report_is_refused(offline, tool):
    event = {"tool": tool, "report": load(WRONG_REPORTS[tool]), "source": SOURCE}

    message = refused(event, offline)

    assert message.startswith("report: not a")


REFUSED_KEYS = {
    "too few segments": "reports/zap/orders-service.json",
    "no branch": "reports/zap/orders-service/4f2c9a1e.json",
    "other prefix": "uploads/zap/orders-service/main/4f2c9a1e.json",
    "unknown tool": "reports/trivy/orders-service/main/4f2c9a1e.json",
    "not json suffix": "reports/zap/orders-service/main/4f2c9a1e.xml",
    "empty segment": "reports/zap/orders-service//4f2c9a1e.json",
    "empty commit": "reports/zap/orders-service/main/.json",
}


@pytest.mark.parametrize("case", sorted(REFUSED_KEYS))
def test_a_bad_key_layout_is_refused(aws, case):
    key = REFUSED_KEYS[case]
    upload(aws, key, (SCANNERS / "zap.json").read_bytes())

    message = refused(s3_event(key))

    assert "s3 key" in message
    assert findings() == []


def test_an_s3_object_that_is_not_json_is_refused(aws):
    key = "reports/zap/orders-service/main/4f2c9a1e.json"
    upload(aws, key, b"<OWASPZAPReport version='2.14.0'>")

    message = refused(s3_event(key))

    assert message.startswith(f"s3://{BUCKET}/{key}: not a JSON document")
    assert findings() == []


def test_an_s3_object_without_a_build_id_is_refused(aws):
    key = "reports/zap/orders-service/main/4f2c9a1e.json"
    upload(aws, key, (SCANNERS / "zap.json").read_bytes(), build_id=None)

    message = refused(s3_event(key))

    assert "build-id" in message
    assert findings() == []


def test_an_s3_object_that_is_gone_is_refused(aws):
    message = refused(s3_event("reports/zap/orders-service/main/4f2c9a1e.json"))

    assert message.endswith("no longer exists")


def test_an_s3_event_other_than_object_created_is_refused(aws):
    key = "reports/zap/orders-service/main/4f2c9a1e.json"

    message = refused(s3_event(key, event_name="ObjectRemoved:Delete"))

    assert "not an ObjectCreated event" in message


def test_one_bad_record_means_no_record_is_imported(aws):
    good = "reports/zap/orders-service/main/4f2c9a1e.json"
    bad = "reports/zap/orders-service/main/5a6b7c8d.json"
    upload(aws, good, (SCANNERS / "zap.json").read_bytes())
    upload(aws, bad, b"not json")
    event = s3_event(good)
    event["Records"].append(copy.deepcopy(s3_event(bad)["Records"][0]))

    message = refused(event)

    assert bad in message
    assert findings() == []


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        children = []
    return [path] + [p for key, child in children for p in _nodes(child, (*path, key))]


def test_any_part_of_an_s3_event_of_the_wrong_type_is_refused_or_imported(aws):
    """Every node of a notification swapped for a value of another type: never an exception."""
    key = "reports/zap/orders-service/main/4f2c9a1e.json"
    upload(aws, key, (SCANNERS / "zap.json").read_bytes())
    event = s3_event(key)
    clients = service.AwsClients.from_environment()
    wrong_types: tuple[object, ...] = (None, 7, [])
    outcomes = set()
    for path in _nodes(event)[1:]:
        for value in wrong_types:
            broken = copy.deepcopy(event)
            parent = broken
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = value

            outcomes.add(frozenset(service.run(broken, clients)))

    assert outcomes == {frozenset({"error"}), frozenset({"imported", "archived", "failed"})}
