"""The alert-format function on real event shapes, and its publishing to SNS (moto)."""

from __future__ import annotations

import ast
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from moto import mock_aws

from baseline.capabilities.alerts.functions.alert_format import handler
from tests.paths import FIXTURES

EVENTS = FIXTURES / "events"
CONSOLE = "https://eu-west-1.console.aws.amazon.com"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


def securityhub_link(finding_id: str) -> str:
    # The console's search syntax, URL-encoded twice: Id=\operator\:EQUALS\:<id>
    search = "Id%3D%255Coperator%255C%253AEQUALS%255C%253A"
    encoded = finding_id.replace(":", "%253A").replace("/", "%252F")
    return f"{CONSOLE}/securityhub/home?region=eu-west-1#/findings?search={search}{encoded}"


EXPECTED = {
    "guardduty_high": {
        "service": "GuardDuty",
        "title": "203.0.113.45 is performing SSH brute force attacks against i-0a1b2c3d4e5f67890.",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "Instance i-0a1b2c3d4e5f67890",
        "link": f"{CONSOLE}/guardduty/home?region=eu-west-1"
        "#/findings?macros=current&fId=16afba5c5c43e07c9e3e5e2e544e95df",
    },
    "guardduty_low": {
        "service": "GuardDuty",
        "title": "API GetCallerIdentity was invoked using root credentials.",
        "severity": "LOW",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "AccessKey Root",
        "link": f"{CONSOLE}/guardduty/home?region=eu-west-1"
        "#/findings?macros=current&fId=a2b3c4d5e6f708192a3b4c5d6e7f8091",
    },
    "securityhub_high_new": {
        "service": "Security Hub",
        "title": "S3 general purpose buckets should block public access",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "arn:aws:s3:::app-uploads-444444444444",
        "link": securityhub_link(
            "arn:aws:securityhub:eu-west-1:444444444444:security-control/S3.8/finding/"
            "0f6a2b1c-3d4e-4f5a-8b6c-7d8e9f0a1b2c"
        ),
    },
    "fms_noncompliant": {
        "service": "Firewall Manager",
        "title": "Security group sg-0fedcba9876543210 violates Firewall Manager policy "
        "sg-content-audit",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "arn:aws:ec2:eu-west-1:444444444444:security-group/sg-0fedcba9876543210",
        "link": securityhub_link(
            "arn:aws:fms:eu-west-1:222222222222:policy/9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d/"
            "resource/sg-0fedcba9876543210"
        ),
    },
    "macie_sensitive_data": {
        "service": "Macie",
        "title": "The S3 object contains personal information.",
        "severity": "MEDIUM",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "crm-exports-444444444444/exports/2026-11/customers.csv",
        "link": f"{CONSOLE}/macie/home?region=eu-west-1#findings?search=id%3D"
        "64b917aa-3843-014c-91d8-937ffa9c2e11&itemId=64b917aa-3843-014c-91d8-937ffa9c2e11",
    },
    "cloudtrail_stop_logging": {
        "service": "CloudTrail",
        "title": "StopLogging on cloudtrail.amazonaws.com",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "arn:aws:cloudtrail:eu-west-1:111111111111:trail/security-baseline",
        "link": f"{CONSOLE}/cloudtrailv2/home?region=eu-west-1"
        "#/events/9b2c6a1e-6f0d-4f53-9a51-5f3c0b7d1e21",
    },
    "s3_put_bucket_policy": {
        "service": "CloudTrail",
        "title": "PutBucketPolicy on s3.amazonaws.com",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "org-log-archive-111111111111",
        "link": f"{CONSOLE}/cloudtrailv2/home?region=eu-west-1"
        "#/events/2e5f9d4b-9c3a-4286-ad84-8c6f3eaf4b54",
    },
    "guardduty_delete_detector": {
        "service": "CloudTrail",
        "title": "DeleteDetector on guardduty.amazonaws.com",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "us-east-1",
        "resource": "f2baedb0ac74f8f42fc929e15f56da6a",
        "link": "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1"
        "#/events/1d4e8c3a-8b2f-4175-9c73-7b5e2d9f3a43",
    },
    "codepipeline_update_pipeline": {
        "service": "CloudTrail",
        "title": "UpdatePipeline on codepipeline.amazonaws.com",
        "severity": "HIGH",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "platform-release",
        "link": f"{CONSOLE}/cloudtrailv2/home?region=eu-west-1"
        "#/events/6c9d3b8f-3a7e-46ca-a1c8-ca0d7ce38f98",
    },
    "codepipeline_failed": {
        "service": "CodePipeline",
        "title": "pipeline platform-release FAILED",
        "severity": "MEDIUM",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "platform-release",
        "link": f"{CONSOLE}/codesuite/codepipeline/pipelines/platform-release/executions/"
        "12345678-1234-5678-abcd-12345678abcd/timeline?region=eu-west-1",
    },
    "codebuild_failed": {
        "service": "CodeBuild",
        "title": "build of platform-sast FAILED",
        "severity": "MEDIUM",
        "account": "444444444444",
        "region": "eu-west-1",
        "resource": "arn:aws:codebuild:eu-west-1:444444444444:build/platform-sast:"
        "8745a7a9-c340-456a-9166-edf953571bef",
        "link": f"{CONSOLE}/codesuite/codebuild/444444444444/projects/platform-sast/build/"
        "platform-sast%3A8745a7a9-c340-456a-9166-edf953571bef/?region=eu-west-1",
    },
    "health_instance_retirement": {
        "service": "aws.health",
        "title": "AWS Health Event",
        "severity": "INFORMATIONAL",
        "account": "222222222222",
        "region": "eu-west-1",
        "resource": "i-0a1b2c3d4e5f67890",
        "link": f"{CONSOLE}/console/home?region=eu-west-1",
    },
}


@pytest.mark.parametrize(("fixture", "expected"), sorted(EXPECTED.items()))
def test_each_event_becomes_a_readable_alert(fixture: str, expected: dict[str, str]) -> None:
    alert = handler.format_event(load(fixture))
    assert {key: getattr(alert, key) for key in expected} == expected


def test_the_securityhub_link_finds_the_finding_by_id() -> None:
    alert = handler.format_event(load("securityhub_high_new"))
    search = alert.link.split("search=", 1)[1]
    finding_id = load("securityhub_high_new")["detail"]["findings"][0]["Id"]
    assert unquote(unquote(search)) == f"Id=\\operator\\:EQUALS\\:{finding_id}"


def test_tamper_alerts_name_the_actor_and_a_refusal() -> None:
    refused = dict(handler.format_event(load("guardduty_delete_detector")).details)
    assert refused["Actor"] == "arn:aws:sts::444444444444:assumed-role/Admin/mallory"
    assert refused["Source IP"] == "198.51.100.23"
    assert refused["Outcome"] == "refused: AccessDeniedException"
    assert "Outcome" not in dict(handler.format_event(load("cloudtrail_stop_logging")).details)


def test_email_text_carries_every_field_and_the_link() -> None:
    alert = handler.format_event(load("guardduty_high"))
    text = alert.text()
    assert text.splitlines()[0] == f"[HIGH] GuardDuty: {EXPECTED['guardduty_high']['title']}"
    for line in (
        "Account: 444444444444",
        "Region: eu-west-1",
        "Resource: Instance i-0a1b2c3d4e5f67890",
        "Finding type: UnauthorizedAccess:EC2/SSHBruteForce",
        f"Console: {EXPECTED['guardduty_high']['link']}",
    ):
        assert line in text.splitlines()


def test_chat_payload_is_a_chatbot_custom_notification() -> None:
    alert = handler.format_event(load("cloudtrail_stop_logging"))
    payload = alert.chat_payload()
    assert (payload["version"], payload["source"]) == ("1.0", "custom")
    content = payload["content"]
    assert content["textType"] == "client-markdown"
    assert content["title"] == "[HIGH] CloudTrail: StopLogging on cloudtrail.amazonaws.com"
    assert "*Account:* 444444444444" in content["description"]
    assert (
        "*Resource:* arn:aws:cloudtrail:eu-west-1:111111111111:trail/security-baseline"
        in (content["description"])
    )
    assert content["nextSteps"] == [f"Open in the AWS console: {alert.link}"]
    assert payload["metadata"]["eventType"] == "AWS API Call via CloudTrail"
    assert payload["metadata"]["relatedResources"] == [alert.resource]


def test_subjects_fit_sns_limits() -> None:
    event = load("guardduty_high")
    event["detail"]["title"] = "Ünïcode\nline " + "x" * 200
    subject = handler.format_event(event).subject()
    assert len(subject) <= handler.SUBJECT_LIMIT
    assert subject.isascii() and "\n" not in subject
    assert subject.startswith("[HIGH] GuardDuty: ")


def test_one_publish_serves_email_and_chat() -> None:
    alert = handler.format_event(load("macie_sensitive_data"))
    message = json.loads(handler.sns_message(alert))
    assert message["default"] == message["email"] == alert.text()
    assert json.loads(message["https"]) == alert.chat_payload()


def test_unknown_events_are_formatted_generically_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=handler.LOGGER.name)
    alert = handler.format_event(load("health_instance_retirement"))
    assert "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED" in dict(alert.details)["Detail"]
    assert "detail-type=AWS Health Event" in caplog.text


def test_a_known_event_of_unexpected_shape_is_still_alerted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = load("securityhub_high_new")
    broken["detail"]["findings"] = []
    alert = handler.format_event(broken)
    assert (alert.service, alert.severity) == ("aws.securityhub", "INFORMATIONAL")
    assert "does not have the expected shape" in caplog.text


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-gov-west-1", "https://console.amazonaws-us-gov.com"),
        ("cn-north-1", "https://console.amazonaws.cn"),
        ("ap-southeast-2", "https://ap-southeast-2.console.aws.amazon.com"),
    ],
)
def test_links_go_to_the_console_of_the_partition(region: str, host: str) -> None:
    assert handler.console_url(region, "guardduty/home#/findings") == (
        f"{host}/guardduty/home?region={region}#/findings"
    )


@pytest.fixture
def topic_and_queue() -> Iterator[tuple[str, Any]]:
    handler._sns_client.cache_clear()
    with mock_aws():
        sns = boto3.client("sns", region_name="eu-west-1")
        sqs = boto3.client("sqs", region_name="eu-west-1")
        topic_arn = sns.create_topic(Name="security-alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        yield topic_arn, (sqs, queue_url)
    handler._sns_client.cache_clear()


def test_the_handler_publishes_the_alert_to_the_rules_topic(
    topic_and_queue: tuple[str, Any],
) -> None:
    topic_arn, (sqs, queue_url) = topic_and_queue
    event = load("kms_schedule_key_deletion")
    result = handler.handler({"topic_arn": topic_arn, "event": event}, None)
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 1
    envelope = json.loads(received[0]["Body"])
    assert envelope["MessageId"] == result["message_id"]
    assert envelope["Subject"] == "[HIGH] CloudTrail: ScheduleKeyDeletion on kms.amazonaws.com"
    assert envelope["Message"] == handler.format_event(event).text()


def test_the_handler_refuses_input_without_topic(topic_and_queue: tuple[str, Any]) -> None:
    with pytest.raises(ValueError, match="topic_arn"):
        handler.handler(load("guardduty_high"), None)


def test_the_function_needs_only_the_standard_library_and_boto3() -> None:
    # Lambda deploys handler.py alone on the Python 3.12 runtime.
    tree = ast.parse(Path(handler.__file__).read_text())
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
    }
    assert imported - set(sys.stdlib_module_names) == {"boto3"}


# --- hostile strings (issue 17) -----------------------------------------------------------------

FORGED = "x\nConsole: https://evil.example/login\r\n*Approved* <!channel> <https://evil.example|ok>"


def test_a_newline_in_an_object_path_cannot_forge_a_console_line() -> None:
    event = load("macie_sensitive_data")
    event["detail"]["resourcesAffected"]["s3Object"]["path"] = FORGED
    alert = handler.format_event(event)

    lines = alert.text().splitlines()

    assert [line for line in lines if line.startswith("Console:")] == [f"Console: {alert.link}"]
    [resource] = [line for line in lines if line.startswith("Resource:")]
    assert "\\nConsole: https://evil.example/login\\r\\n" in resource


def test_chat_mentions_and_links_from_a_request_parameter_are_inert() -> None:
    event = load("cloudtrail_stop_logging")
    event["detail"]["requestParameters"]["name"] = FORGED
    event["detail"]["eventName"] = "StopLogging <!here>"
    content = handler.format_event(event).chat_payload()["content"]

    rendered = [content["title"], content["description"], *content["nextSteps"]]
    assert not [text for text in rendered if "<!" in text or "<https://evil" in text]
    assert "&lt;!channel&gt;" in content["description"]
    assert "&lt;!here&gt;" in content["title"]
    assert len(content["description"].splitlines()) == len(handler.format_event(event).fields())


def test_a_finding_region_that_is_not_a_region_cannot_choose_the_link_host() -> None:
    event = load("guardduty_high")
    event["detail"]["region"] = "evil.example/phish#"

    link = handler.format_event(event).link

    assert link.startswith("https://console.aws.amazon.com/guardduty/")
    assert "evil.example" not in link


@pytest.mark.parametrize(
    ("severity", "label"),
    [
        (9.0, "CRITICAL"),
        (8.9, "HIGH"),
        (7.0, "HIGH"),
        (6.9, "MEDIUM"),
        (4.0, "MEDIUM"),
        (3.9, "LOW"),
        (1.0, "LOW"),
        (0.5, "INFORMATIONAL"),
    ],
)
def test_guardduty_labels_at_the_band_edges(severity: float, label: str) -> None:
    # GuardDuty's documented bands: 1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
    assert handler.guardduty_label(severity) == label


@pytest.mark.parametrize("resources", [{"arn": "x"}, 5, True, []], ids=str)
def test_an_unknown_event_whose_resources_are_not_a_list_is_still_alerted(resources: Any) -> None:
    event = load("health_instance_retirement")
    event["resources"] = resources

    assert handler.format_event(event).resource == "unknown"
