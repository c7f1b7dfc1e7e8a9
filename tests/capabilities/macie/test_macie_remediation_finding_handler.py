"""finding_handler: thresholds, AUTO and REVIEW (Slack or SNS), errors; real Macie event shapes."""

from __future__ import annotations

import ast
import copy
import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from tests.capabilities.macie.remediation_harness import (
    FUNCTION_DIR,
    REMEDIATOR,
    alerts_topic_with_reader,
    client,
    common,
    finding_handler,
    invocations_recorded,
    lambda_container,
    published,
    slack_review,
)
from tests.capabilities.macie.remediation_harness import fixture as macie_event

QUARANTINE_BUCKET = "quarantine-111122223333"
DEFAULT_ACTIONS = {
    "SensitiveData:S3Object/Credentials": "AUTO",
    "SensitiveData:S3Object/CustomIdentifier": "REVIEW",
    "SensitiveData:S3Object/Financial": "REVIEW",
    "SensitiveData:S3Object/Multiple": "REVIEW",
    "SensitiveData:S3Object/Personal": "REVIEW",
}


def remediation_shape(event: dict[str, Any]) -> dict[str, Any]:
    detail = event["detail"]
    return {key: detail[key] for key in ("id", "type", "severity", "resourcesAffected")}


class Env:
    """The moto account the handler runs against, and what it sent out."""

    def __init__(self, topic_arn: str, queue_url: str) -> None:
        self.topic_arn = topic_arn
        self.queue_url = queue_url
        self.invocations: list[dict[str, Any]] = []

    def record_invocation(self, params: dict[str, Any], **_: Any) -> None:
        self.invocations.append(params)

    def notifications(self) -> list[dict[str, Any]]:
        return published(self.queue_url)

    def set_slack_secret(self, value: str) -> str:
        arn: str = client("secretsmanager").create_secret(
            Name="macie/slack-webhook", SecretString=value
        )["ARN"]
        return arn


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with lambda_container(monkeypatch):
        topic_arn, queue_url = alerts_topic_with_reader()
        monkeypatch.setenv("ACTIONS", json.dumps(DEFAULT_ACTIONS))
        monkeypatch.setenv("MIN_SEVERITY", "LOW")
        monkeypatch.setenv("QUARANTINE_BUCKET", QUARANTINE_BUCKET)
        monkeypatch.setenv("REMEDIATOR_FUNCTION", REMEDIATOR)
        monkeypatch.setenv("NOTIFY_TOPIC_ARN", topic_arn)
        monkeypatch.delenv("SLACK_WEBHOOK_SECRET_ARN", raising=False)
        state = Env(topic_arn, queue_url)
        with invocations_recorded(state.record_invocation):
            yield state


class SlackWebhook:
    """Slack's incoming-webhook endpoint, played by a local HTTP server.

    The handler posts to the real https URL; the transport injected into remediation_common
    carries https requests to this server instead (the handler itself accepts only https).
    """

    URL = "https://hooks.slack.com/services/T01EXAMPLE/B07EXAMPLE/x"

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                webhook.requests.append(
                    {
                        "host": self.headers["Host"],
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(body),
                    }
                )
                self.send_response(webhook.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test asserts on what was received."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def transport(self) -> urllib.request.OpenerDirector:
        port = self.server.server_port

        class ToLocalServer(urllib.request.HTTPHandler):
            handler_order = 100  # before the default HTTPSHandler

            def https_open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
                def connect(host: str, **options: Any) -> http.client.HTTPConnection:
                    return http.client.HTTPConnection("127.0.0.1", port, **options)

                return self.do_open(connect, request)

        return urllib.request.build_opener(ToLocalServer())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack(env: Env, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackWebhook]:
    webhook = SlackWebhook()
    monkeypatch.setattr(common, "HTTP_TRANSPORT", webhook.transport())
    monkeypatch.setenv("SLACK_WEBHOOK_SECRET_ARN", env.set_slack_secret(webhook.URL))
    yield webhook
    webhook.close()


def assert_async_invoke(invocation: dict[str, Any], payload: dict[str, Any]) -> None:
    assert invocation["headers"]["X-Amz-Invocation-Type"] == "Event"
    assert f"/functions/{REMEDIATOR}/invocations" in invocation["url_path"]
    assert json.loads(invocation["body"]) == payload


# --- fixtures are real Macie findings --------------------------------------------------------


SCHEMA_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "timestamp": str,
    "boolean": bool,
    "long": int,
    "integer": int,
    "double": (int, float),
}


def _schema_problems(value: Any, shape: Any, path: str) -> list[str]:
    if value is None:
        return []
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        problems = [
            f"{path}.{name}: not in the Macie schema" for name in value if name not in shape.members
        ]
        for name, item in value.items():
            if name in shape.members:
                problems += _schema_problems(item, shape.members[name], f"{path}.{name}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        return [
            p
            for i, item in enumerate(value)
            for p in _schema_problems(item, shape.member, f"{path}[{i}]")
        ]
    expected = SCHEMA_TYPES[kind]
    if not isinstance(value, expected) or (kind in ("long", "integer") and isinstance(value, bool)):
        return [f"{path}: {value!r} is not a {kind}"]
    if kind == "string" and shape.enum and value not in shape.enum:
        return [f"{path}: {value!r} is not one of {shape.enum}"]
    return []


@pytest.mark.parametrize(
    "name",
    [
        "finding_credentials_high",
        "finding_personal_medium",
        "finding_financial_low",
        "finding_policy_block_public_access_disabled",
    ],
)
def test_fixture_is_an_eventbridge_macie_finding_that_matches_the_macie_schema(name: str) -> None:
    event = macie_event(name)
    assert (event["source"], event["detail-type"]) == ("aws.macie", "Macie Finding")
    finding_shape = botocore.session.get_session().get_service_model("macie2").shape_for("Finding")
    assert _schema_problems(event["detail"], finding_shape, "detail") == []


def test_schema_check_rejects_what_macie_would_not_send() -> None:
    detail = macie_event("finding_credentials_high")["detail"]
    detail["severity"]["description"] = "Critical"
    detail["resourcesAffected"]["s3Object"]["objectKey"] = "x"
    finding_shape = botocore.session.get_session().get_service_model("macie2").shape_for("Finding")
    assert len(_schema_problems(detail, finding_shape, "detail")) == 2


# --- the deployed directory runs on Lambda's runtime ------------------------------------------


@pytest.mark.parametrize("path", sorted(FUNCTION_DIR.glob("*.py")), ids=lambda path: path.name)
def test_function_code_imports_only_the_standard_library_boto3_and_its_siblings(path: Path) -> None:
    siblings = {module.stem for module in FUNCTION_DIR.glob("*.py")}
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore"} | siblings
    assert imported - allowed == set()


def test_handlers_load_as_top_level_modules_like_lambda_loads_them() -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import finding_handler, approval_handler, remediator; "
        "print(finding_handler.handler.__module__, approval_handler.handler.__module__, "
        "remediator.handler.__module__)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script, str(FUNCTION_DIR)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.split() == ["finding_handler", "approval_handler", "remediator"]


# --- severity threshold -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "min_severity", "action"),
    [
        ("finding_financial_low", "MEDIUM", "ignored"),
        ("finding_personal_medium", "HIGH", "ignored"),
        ("finding_financial_low", "LOW", "review_requested"),
        ("finding_personal_medium", "medium", "review_requested"),
        ("finding_credentials_high", "HIGH", "quarantine_requested"),
    ],
)
def test_min_severity_is_inclusive(
    env: Env, monkeypatch: pytest.MonkeyPatch, fixture: str, min_severity: str, action: str
) -> None:
    monkeypatch.setenv("MIN_SEVERITY", min_severity)
    result = finding_handler.handler(macie_event(fixture), None)
    assert result["action"] == action
    if action == "ignored":
        assert env.invocations == []
        assert env.notifications() == []


def test_min_severity_defaults_to_low(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIN_SEVERITY")
    assert finding_handler.handler(macie_event("finding_financial_low"), None)["action"] == (
        "review_requested"
    )


# --- AUTO ---------------------------------------------------------------------------------------


def test_auto_invokes_the_remediator_asynchronously_and_notifies(env: Env) -> None:
    event = macie_event("finding_credentials_high")

    result = finding_handler.handler(event, None)

    assert result == {"action": "quarantine_requested", "finding_id": event["detail"]["id"]}
    assert len(env.invocations) == 1
    assert_async_invoke(env.invocations[0], {"finding": remediation_shape(event)})
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: quarantine requested"
    assert notification["message"]["finding_id"] == event["detail"]["id"]
    assert notification["message"]["object"] == (
        "s3://amzn-s3-demo-bucket/deploy/ci keys+old#2 ?é.txt"
    )


# --- REVIEW -------------------------------------------------------------------------------------


def test_review_without_slack_publishes_the_remediator_event_to_the_topic(env: Env) -> None:
    event = macie_event("finding_personal_medium")

    result = finding_handler.handler(event, None)

    assert result == {
        "action": "review_requested",
        "finding_id": event["detail"]["id"],
        "channel": "sns",
    }
    assert env.invocations == []
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: review requested"
    assert notification["message"]["remediator_event"] == {"finding": remediation_shape(event)}
    # Macie reports "" for an object written while its bucket was unversioned: S3 calls it "null".
    assert notification["message"]["version_id"] == "null"


def test_review_with_slack_posts_block_kit_with_a_remediate_button(
    env: Env, slack: SlackWebhook
) -> None:
    event = macie_event("finding_personal_medium")

    result = finding_handler.handler(event, None)

    assert result["action"] == "review_requested"
    assert result["channel"] == "slack"
    assert env.invocations == []
    assert env.notifications() == []
    [request] = slack.requests
    assert (request["host"], request["path"]) == (
        "hooks.slack.com",
        "/services/T01EXAMPLE/B07EXAMPLE/x",
    )
    assert request["headers"]["Content-Type"].startswith("application/json")
    message = request["json"]
    text = json.dumps(message["blocks"], ensure_ascii=False)
    assert "s3://amzn-s3-demo-bucket1/hr/2025 Employees &amp; contractors.csv" in text
    assert "Medium (2)" in text
    assert "USA_SOCIAL_SECURITY_NUMBER x30" in text
    assert "Employee IDs x12 (custom identifier)" in text
    assert (
        "https://us-east-1.console.aws.amazon.com/macie/home?region=us-east-1#findings?"
        "search=id%3D64b917aff3ab82ad1d7bd4a4f1c5b68e&macros=current"
        "&itemId=64b917aff3ab82ad1d7bd4a4f1c5b68e"
    ) in text
    [actions] = [block for block in message["blocks"] if block["type"] == "actions"]
    [button] = actions["elements"]
    assert button["action_id"] == "remediate_finding"
    # The id only: the approval acts on the finding Macie has under that id.
    assert json.loads(button["value"]) == {"id": event["detail"]["id"]}


def test_the_button_of_a_large_finding_still_names_only_its_id(
    env: Env, slack: SlackWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = macie_event("finding_credentials_high")
    event["detail"]["resourcesAffected"]["s3Bucket"]["tags"] = [
        {"key": f"cost-centre-{n}", "value": "x" * 40} for n in range(40)
    ]
    event["detail"]["resourcesAffected"]["s3Object"]["key"] = '"' * 1000
    actions = {**DEFAULT_ACTIONS, "SensitiveData:S3Object/Credentials": "REVIEW"}
    monkeypatch.setenv("ACTIONS", json.dumps(actions))

    assert finding_handler.handler(event, None)["channel"] == "slack"

    message = slack.requests[0]["json"]
    [button] = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    assert json.loads(button["value"]) == {"id": event["detail"]["id"]}


def test_slack_failure_falls_back_to_the_topic(env: Env, slack: SlackWebhook) -> None:
    slack.status = 500
    event = macie_event("finding_personal_medium")

    result = finding_handler.handler(event, None)

    assert (result["action"], result["channel"]) == ("review_requested", "sns")
    assert len(slack.requests) == 1
    [notification] = env.notifications()
    assert "500" in notification["message"]["slack_error"]
    assert notification["message"]["remediator_event"] == {"finding": remediation_shape(event)}


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/services/T/B/x",
        "http://127.0.0.1:8080/services/T/B/x",
        "http://localhost/services/T/B/x",
        "http://[::1]/services/T/B/x",
        "ftp://hooks.slack.com/services/T/B/x",
    ],
    ids=["remote", "loopback-v4", "localhost", "loopback-v6", "ftp"],
)
def test_a_webhook_url_that_is_not_https_is_refused(
    env: Env, slack: SlackWebhook, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    client("secretsmanager").put_secret_value(
        SecretId=os.environ["SLACK_WEBHOOK_SECRET_ARN"], SecretString=url
    )

    result = finding_handler.handler(macie_event("finding_personal_medium"), None)

    assert result["channel"] == "sns"
    assert "not an https URL" in env.notifications()[0]["message"]["slack_error"]
    assert slack.requests == []


def test_the_webhook_secret_is_read_once_per_container(env: Env, slack: SlackWebhook) -> None:
    reads: list[object] = []

    def record_read(**kwargs: Any) -> None:
        reads.append(kwargs)

    events = common.aws_client("secretsmanager").meta.events
    events.register("before-call.secrets-manager.GetSecretValue", record_read)
    try:
        for _ in range(3):
            finding_handler.handler(macie_event("finding_personal_medium"), None)
    finally:
        events.unregister("before-call.secrets-manager.GetSecretValue", record_read)
    assert len(slack.requests) == 3
    assert len(reads) == 1


@pytest.mark.parametrize(
    ("partition", "region", "link"),
    [
        (
            "aws",
            "ap-southeast-2",
            "https://ap-southeast-2.console.aws.amazon.com/macie/home?region=ap-southeast-2#",
        ),
        ("aws-cn", "cn-north-1", "https://console.amazonaws.cn/macie/home?region=cn-north-1#"),
        (
            "aws-us-gov",
            "us-gov-west-1",
            "https://console.amazonaws-us-gov.com/macie/home?region=us-gov-west-1#",
        ),
        ("aws", "not a region", None),
    ],
)
def test_console_link_is_for_the_findings_partition_and_region(
    partition: str, region: str, link: str | None
) -> None:
    detail = macie_event("finding_credentials_high")["detail"]
    detail.update(partition=partition, region=region)
    url = slack_review.console_url(detail)
    if link is None:
        assert url is None
    else:
        assert url.startswith(link)
        assert url.endswith("itemId=3ce05dbb7ec5505def334104bf2fe7f8")


# --- never a silent drop ----------------------------------------------------------------------


def test_a_policy_finding_is_an_alerted_error(env: Env) -> None:
    event = macie_event("finding_policy_block_public_access_disabled")

    result = finding_handler.handler(event, None)

    assert result["action"] == "error"
    assert env.invocations == []
    [alert] = env.notifications()
    assert alert["subject"] == "Macie remediation: finding not handled"
    assert "resourcesAffected.s3Object" in alert["message"]["error"]


def test_a_sensitive_data_type_missing_from_actions_is_an_alerted_error(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions = {k: v for k, v in DEFAULT_ACTIONS.items() if not k.endswith("/Personal")}
    monkeypatch.setenv("ACTIONS", json.dumps(actions))

    result = finding_handler.handler(macie_event("finding_personal_medium"), None)

    assert result == {
        "action": "error",
        "reason": "no AUTO or REVIEW response for finding type SensitiveData:S3Object/Personal",
    }
    [alert] = env.notifications()
    assert '"64b917aff3ab82ad1d7bd4a4f1c5b68e"' in alert["message"]["event"]


def _without(path: tuple[str, ...]) -> dict[str, Any]:
    event = macie_event("finding_credentials_high")
    parent = event
    for name in path[:-1]:
        parent = parent[name]
    del parent[path[-1]]
    return event


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"detail": "not an object"},
        _without(("detail", "id")),
        _without(("detail", "type")),
        _without(("detail", "severity")),
        _without(("detail", "resourcesAffected", "s3Bucket", "name")),
        _without(("detail", "resourcesAffected", "s3Object", "key")),
    ],
    ids=["empty", "detail-not-object", "no-id", "no-type", "no-severity", "no-bucket", "no-key"],
)
def test_a_malformed_event_is_an_alerted_error(env: Env, event: dict[str, Any]) -> None:
    result = finding_handler.handler(copy.deepcopy(event), None)

    assert result["action"] == "error"
    assert env.invocations == []
    [alert] = env.notifications()
    assert alert["message"]["error"] == result["reason"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACTIONS", '{"SensitiveData:S3Object/Credentials": "DELETE"}'),
        ("ACTIONS", "[]"),
        ("MIN_SEVERITY", "CRITICAL"),
        ("REMEDIATOR_FUNCTION", ""),
    ],
)
def test_an_invalid_configuration_fails_loudly(
    env: Env, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(common.ConfigurationError):
        finding_handler.handler(macie_event("finding_credentials_high"), None)


# --- hostile findings (issue 17) ----------------------------------------------------------------


def test_a_finding_in_the_quarantine_bucket_is_never_sent_for_quarantine(env: Env) -> None:
    event = macie_event("finding_credentials_high")  # AUTO
    event["detail"]["resourcesAffected"]["s3Bucket"]["name"] = QUARANTINE_BUCKET

    result = finding_handler.handler(event, None)

    assert result["action"] == "ignored"
    assert env.invocations == []


def test_an_object_key_cannot_close_its_code_span_or_add_links_in_slack() -> None:
    detail = macie_event("finding_personal_medium")["detail"]
    forged = "x` *approved by security* <https://evil.example|open> <!channel> `y\nFinding id"
    detail["resourcesAffected"]["s3Object"]["key"] = forged

    message = slack_review.review_message(detail, QUARANTINE_BUCKET)

    [fields] = [block["fields"] for block in message["blocks"] if "fields" in block]
    object_field = fields[0]["text"]
    assert object_field.startswith("*Object*\n`") and object_field.endswith("`")
    assert object_field.count("`") == 2
    assert object_field.count("\n") == 1  # the key's newline is shown, not acted on
    # Everything Slack renders as mrkdwn; the button's value is data, never rendered.
    rendered = [message["text"], *_mrkdwn_texts(message["blocks"])]
    assert not [text for text in rendered if "<https://evil" in text or "<!channel>" in text]


def _mrkdwn_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" else []
        return own + [text for item in value.values() for text in _mrkdwn_texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in _mrkdwn_texts(item)]
    return []
