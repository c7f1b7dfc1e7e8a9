"""approval_handler: Slack signatures (with Slack's own test vector), approvers, the invoke."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.capabilities.macie.remediation_harness import (
    REGION,
    REMEDIATOR,
    approval_handler,
    client,
    common,
    fixture,
    invocations_recorded,
    lambda_container,
    remediator,
    slack_review,
)

SIGNING_SECRET = "e3b1c4d5f6a7980112233445566778899"
APPROVER = "U04ABCD1234"

# Slack's worked example from "Verifying requests from Slack" (api.slack.com).
SLACK_DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_DOC_TIMESTAMP = "1531420618"
SLACK_DOC_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
SLACK_DOC_REQUEST: dict[str, Any] = {
    "secret": SLACK_DOC_SECRET,
    "timestamp": SLACK_DOC_TIMESTAMP,
    "signature": SLACK_DOC_SIGNATURE,
    "raw_body": SLACK_DOC_BODY.encode(),
    "now": int(SLACK_DOC_TIMESTAMP) + 30,
}


def macie_finding(detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """A finding as Macie's GetFindings returns it: the event's detail without its nulls (the
    API leaves absent members out). By default the finding of the fixture's button."""
    finding: dict[str, Any] = _without_nulls(
        detail or fixture("finding_credentials_high")["detail"]
    )
    return finding


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _without_nulls(item) for name, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    basestring = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), basestring, hashlib.sha256).hexdigest()


def form_body(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def slack_request(
    payload: dict[str, Any] | None = None,
    *,
    age: int = 0,
    base64_body: bool = True,
    signature: str | None = None,
    body: bytes | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API 2.0 event carrying a Slack interaction, signed unless told."""
    raw = (
        body if body is not None else form_body(payload or fixture("slack_block_actions_remediate"))
    )
    timestamp = int(time.time()) - age
    event = fixture("apigw_http_api_slack_actions")
    event["headers"]["content-length"] = str(len(raw))
    event["headers"]["x-slack-request-timestamp"] = str(timestamp)
    event["headers"]["x-slack-signature"] = signature or sign(raw, timestamp)
    event["isBase64Encoded"] = base64_body
    event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
    return event


class Env:
    def __init__(self, macie: Stubber) -> None:
        self.invocations: list[dict[str, Any]] = []
        self.slack_posts: list[tuple[str, dict[str, Any]]] = []
        self.macie = macie

    def macie_returns(self, *findings: dict[str, Any], finding_id: str | None = None) -> None:
        """The next GetFindings answer (moto has no Macie findings; Stubber checks the shapes)."""
        wanted = finding_id or findings[0]["id"]
        self.macie.add_response(
            "get_findings", {"findings": list(findings)}, {"findingIds": [wanted]}
        )

    def record_invocation(self, params: dict[str, Any], **_: Any) -> None:
        self.invocations.append(params)

    def record_slack_post(self, url: str, body: dict[str, Any]) -> None:
        self.slack_posts.append((url, body))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with lambda_container(monkeypatch):
        secret_arn = client("secretsmanager").create_secret(
            Name="macie/slack-signing-secret", SecretString=SIGNING_SECRET
        )["ARN"]
        monkeypatch.setenv("SLACK_SIGNING_SECRET_ARN", secret_arn)
        monkeypatch.setenv("APPROVERS", json.dumps([APPROVER, "U09OTHER99"]))
        monkeypatch.setenv("REMEDIATOR_FUNCTION", REMEDIATOR)
        state = Env(Stubber(common.aws_client("macie2")))
        # response_url is https://hooks.slack.com/...: record what would be posted there.
        monkeypatch.setattr(common, "post_json", state.record_slack_post)
        with state.macie, invocations_recorded(state.record_invocation):
            yield state


def status(response: dict[str, Any]) -> int:
    code: int = response["statusCode"]
    return code


# --- the signature, before anything else --------------------------------------------------------


def test_slacks_documented_example_verifies() -> None:
    assert approval_handler.signature_problem(**SLACK_DOC_REQUEST) is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"secret": SLACK_DOC_SECRET + "x"}, "match"),
        ({"raw_body": SLACK_DOC_BODY.encode() + b"&x=1"}, "match"),
        ({"timestamp": "1531420619"}, "match"),
        ({"signature": SLACK_DOC_SIGNATURE.upper()}, "match"),
        ({"now": int(SLACK_DOC_TIMESTAMP) + 301}, "too old"),
        ({"now": int(SLACK_DOC_TIMESTAMP) - 61}, "future"),
        ({"signature": None}, "missing"),
        ({"timestamp": None}, "missing"),
        ({"timestamp": "\uff11\uff15\uff13\uff11\uff14\uff12\uff10\uff16\uff11\uff18"}, "number"),
        ({"raw_body": None}, "base64"),
    ],
    ids=[
        "wrong-secret",
        "tampered-body",
        "other-timestamp",
        "case-changed",
        "stale",
        "future",
        "no-signature",
        "no-timestamp",
        "non-ascii-digits",
        "undecodable-body",
    ],
)
def test_slacks_example_fails_when_anything_changes(change: dict[str, Any], problem: str) -> None:
    found = approval_handler.signature_problem(**{**SLACK_DOC_REQUEST, **change})
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(("age", "expected"), [(299, 200), (301, 401), (-59, 200), (-61, 401)])
def test_the_timestamp_window_is_300_s_back_and_60_s_ahead(
    env: Env, age: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One frozen clock for the request and the handler: a second boundary, not a race.
    frozen = 1_767_225_600.0
    monkeypatch.setattr(approval_handler.time, "time", lambda: frozen)
    if expected == 200:
        env.macie_returns(macie_finding())
    assert status(approval_handler.handler(slack_request(age=age), None)) == expected


@pytest.mark.parametrize(
    "mutate",
    [
        lambda event: event["headers"].pop("x-slack-signature"),
        lambda event: event["headers"].pop("x-slack-request-timestamp"),
        lambda event: event["headers"].update({"x-slack-signature": "v0=" + "0" * 64}),
        lambda event: event["headers"].update({"x-slack-signature": "v1=whatever"}),
        lambda event: event.update(body="bm90IGJhc2U2NC$$$"),
        lambda event: event.update(body=base64.b64encode(b"payload=%7B%7D").decode()),
    ],
    ids=[
        "no-signature",
        "no-timestamp",
        "wrong-signature",
        "other-version",
        "bad-base64",
        "swapped-body",
    ],
)
def test_requests_not_signed_by_slack_get_401_and_nothing_runs(env: Env, mutate: Any) -> None:
    event = slack_request()
    mutate(event)

    response = approval_handler.handler(event, None)

    assert status(response) == 401
    assert env.invocations == []
    assert env.slack_posts == []


def test_a_request_signed_with_another_secret_gets_401(env: Env) -> None:
    raw = form_body(fixture("slack_block_actions_remediate"))
    forged = sign(raw, int(time.time()), secret="not-the-signing-secret")
    assert status(approval_handler.handler(slack_request(body=raw, signature=forged), None)) == 401
    assert env.invocations == []


def test_an_unsigned_garbage_body_is_rejected_before_parsing(env: Env) -> None:
    event = slack_request(body=b"\xff\xfe not a form", signature="v0=" + "1" * 64)
    assert status(approval_handler.handler(event, None)) == 401


# --- approvers and the remediator --------------------------------------------------------------


@pytest.mark.parametrize("base64_body", [True, False], ids=["base64", "plain"])
def test_an_approver_starts_the_remediator_asynchronously(env: Env, base64_body: bool) -> None:
    payload = fixture("slack_block_actions_remediate")
    env.macie_returns(macie_finding())

    response = approval_handler.handler(slack_request(payload, base64_body=base64_body), None)

    assert status(response) == 200
    [invocation] = env.invocations
    assert invocation["headers"]["X-Amz-Invocation-Type"] == "Event"
    assert f"/functions/{REMEDIATOR}/invocations" in invocation["url_path"]
    assert json.loads(invocation["body"]) == {
        "finding": common.remediation_finding(macie_finding()),
        "approved_by": {"slack_user_id": APPROVER, "slack_user_name": "jdoe"},
    }
    body = json.loads(response["body"])
    assert body["replace_original"] is True
    assert body["text"].startswith(f"Quarantine approved by <@{APPROVER}>")
    assert "s3://amzn-s3-demo-bucket/deploy/ci keys+old#2 ?é.txt" in body["text"]
    assert env.slack_posts == [(payload["response_url"], body)]


def test_someone_not_in_approvers_gets_403_and_is_told_privately(env: Env) -> None:
    payload = fixture("slack_block_actions_remediate")
    payload["user"] = {"id": "U0INTRUDER", "username": "mallory", "team_id": "T01EXAMPLE"}

    response = approval_handler.handler(slack_request(payload), None)

    assert status(response) == 403
    assert env.invocations == []
    [(url, message)] = env.slack_posts
    assert url == payload["response_url"]
    assert message["response_type"] == "ephemeral"
    assert message["replace_original"] is False
    assert "<@U0INTRUDER> is not allowed" in message["text"]


def test_no_approvers_means_nobody_may_approve(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPROVERS", "[]")
    assert status(approval_handler.handler(slack_request(), None)) == 403
    assert env.invocations == []


def test_a_response_url_outside_slack_is_never_called(env: Env) -> None:
    payload = fixture("slack_block_actions_remediate")
    payload["response_url"] = "https://attacker.example/hooks"
    env.macie_returns(macie_finding())

    assert status(approval_handler.handler(slack_request(payload), None)) == 200
    assert len(env.invocations) == 1
    assert env.slack_posts == []


def _payload_with(change: Any) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("slack_block_actions_remediate"))
    change(payload)
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        _payload_with(lambda p: p.update(type="view_submission")),
        _payload_with(lambda p: p.update(actions=[])),
        _payload_with(lambda p: p["actions"][0].update(action_id="something_else")),
        _payload_with(lambda p: p["actions"][0].update(value="not json")),
        _payload_with(lambda p: p["actions"][0].update(value='{"type": "no id"}')),
        _payload_with(lambda p: p["actions"][0].update(value='{"id": "' + "f" * 513 + '"}')),
        _payload_with(lambda p: p["actions"][0].update(value="[" * 100_000)),
        _payload_with(lambda p: p.pop("user")),
    ],
    ids=[
        "not-block-actions",
        "no-actions",
        "other-button",
        "value-not-json",
        "value-no-id",
        "id-too-long",
        "value-nested-too-deep",
        "no-user",
    ],
)
def test_signed_requests_that_are_not_a_remediate_click_get_400(
    env: Env, payload: dict[str, Any]
) -> None:
    assert status(approval_handler.handler(slack_request(payload), None)) == 400
    assert env.invocations == []


def test_a_signed_body_without_a_payload_field_gets_400(env: Env) -> None:
    assert (
        status(approval_handler.handler(slack_request(body=b"token=abc&team_id=T1"), None)) == 400
    )


# --- end to end: the button the finding handler posts, approved, then remediated -----------


def test_the_slack_button_value_approved_in_slack_quarantines_the_object(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = client("s3")
    event = fixture("finding_credentials_high")
    detail = event["detail"]
    s3_object = detail["resourcesAffected"]["s3Object"]
    bucket, key = detail["resourcesAffected"]["s3Bucket"]["name"], s3_object["key"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    written = s3.put_object(Bucket=bucket, Key=key, Body=b"AKIA...")
    s3_object.update(versionId=written["VersionId"], eTag=written["ETag"].strip('"'), size=7)
    s3.put_object(Bucket=bucket, Key=key, Body=b"a later, clean version")
    quarantine = "quarantine-111122223333"
    s3.create_bucket(Bucket=quarantine, CreateBucketConfiguration={"LocationConstraint": REGION})
    topic_arn = client("sns").create_topic(Name="alerts")["TopicArn"]
    monkeypatch.setenv("QUARANTINE_BUCKET", quarantine)
    monkeypatch.setenv("NOTIFY_TOPIC_ARN", topic_arn)

    message = slack_review.review_message(detail, quarantine)
    [button] = next(b for b in message["blocks"] if b["type"] == "actions")["elements"]
    payload = fixture("slack_block_actions_remediate")
    payload["actions"][0]["value"] = button["value"]
    env.macie_returns(macie_finding(detail))
    assert status(approval_handler.handler(slack_request(payload), None)) == 200
    remediator_event = json.loads(env.invocations[0]["body"])
    result = remediator.handler(remediator_event, None)

    assert result["status"] == "quarantined"
    copied = s3.get_object(Bucket=quarantine, Key=f"{bucket}/{key}")
    assert copied["Body"].read() == b"AKIA..."
    tags = {
        t["Key"]: t["Value"]
        for t in s3.get_object_tagging(Bucket=quarantine, Key=f"{bucket}/{key}")["TagSet"]
    }
    assert tags["quarantine:approved-by"] == f"slack:{APPROVER}/jdoe"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"a later, clean version"


# --- hostile requests (issue 17) ----------------------------------------------------------------


def test_a_forged_button_cannot_choose_the_object_the_remediator_gets(env: Env) -> None:
    payload = fixture("slack_block_actions_remediate")
    forged = json.loads(payload["actions"][0]["value"])
    forged["resourcesAffected"]["s3Bucket"]["name"] = "quarantine-111122223333"
    forged["resourcesAffected"]["s3Object"]["key"] = "amzn-s3-demo-bucket/evidence.txt"
    payload["actions"][0]["value"] = json.dumps(forged)
    env.macie_returns(macie_finding())

    assert status(approval_handler.handler(slack_request(payload), None)) == 200

    [invocation] = env.invocations
    sent = json.loads(invocation["body"])["finding"]
    assert sent["resourcesAffected"] == macie_finding()["resourcesAffected"]
    assert sent["resourcesAffected"]["s3Bucket"]["name"] == "amzn-s3-demo-bucket"


def test_a_button_naming_a_finding_macie_does_not_have_gets_400(env: Env) -> None:
    payload = fixture("slack_block_actions_remediate")
    payload["actions"][0]["value"] = json.dumps({"id": "f" * 32})
    env.macie_returns(finding_id="f" * 32)

    assert status(approval_handler.handler(slack_request(payload), None)) == 400
    assert env.invocations == []


@pytest.mark.parametrize("digits", [13, 309, 4301], ids=["13", "309", "4301"])
def test_a_timestamp_of_absurd_length_gets_401(env: Env, digits: int) -> None:
    event = slack_request()
    event["headers"]["x-slack-request-timestamp"] = "9" * digits

    assert status(approval_handler.handler(event, None)) == 401
    assert env.invocations == []


def test_a_signed_payload_nested_too_deep_gets_400(env: Env) -> None:
    body = urllib.parse.urlencode({"payload": "[" * 100_000}).encode()
    assert status(approval_handler.handler(slack_request(body=body), None)) == 400


@pytest.mark.parametrize(
    "response_url",
    [
        "http://hooks.slack.com/actions/T01EXAMPLE/1/abc",
        "https://hooks.slack.com.attacker.example/actions/T01EXAMPLE/1/abc",
        "https://evilhooks.slack.com/actions/T01EXAMPLE/1/abc",
        "https://attacker.example/hooks.slack.com/actions",
        "https://hooks.slack.com@attacker.example/actions",
    ],
    ids=["http", "suffix-host", "prefix-host", "host-in-path", "userinfo"],
)
def test_a_response_url_not_exactly_on_slacks_https_hosts_is_never_called(
    env: Env, response_url: str
) -> None:
    payload = fixture("slack_block_actions_remediate")
    payload["response_url"] = response_url
    env.macie_returns(macie_finding())

    assert status(approval_handler.handler(slack_request(payload), None)) == 200
    assert len(env.invocations) == 1
    assert env.slack_posts == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        "POST /slack/actions",
        {"headers": ["x-slack-signature"], "body": "payload=%7B%7D"},
        {"headers": {"x-slack-signature": 5}, "body": {"payload": "{}"}},
        {"headers": {}, "body": "¡no es base64!", "isBase64Encoded": True},
        {"headers": {}, "body": "\ud800", "isBase64Encoded": False},
    ],
    ids=["null", "list", "string", "headers-list", "header-number", "non-ascii-b64", "surrogate"],
)
def test_a_request_of_any_shape_gets_401_not_an_error(env: Env, event: Any) -> None:
    assert status(approval_handler.handler(event, None)) == 401
    assert env.invocations == []
