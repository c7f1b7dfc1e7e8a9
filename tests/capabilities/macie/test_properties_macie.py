"""Properties of the Macie remediation functions' parsing, for any input (hypothesis).

Any event gives a defined result within the time and memory bound of tests/hostile_input.py:
the finding handler's parser a finding or MalformedFindingError; the approval handler an HTTP
status (401 unless signed, then 200, 400 or 403), never an exception; the remediator's target,
quarantine key and tags stay within S3's limits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.capabilities.macie.remediation_harness import (
    approval_handler,
    common,
    finding_handler,
    fixture,
    remediator,
    slack_review,
)
from tests.hostile_input import PROPERTY, hostile, json_values, text, within_memory

SECRET = "e3b1c4d5f6a7980112233445566778899"
APPROVER = "U04ABCD1234"
FINDING = fixture("finding_credentials_high")["detail"]
EVENT = fixture("finding_credentials_high")
REQUEST = fixture("apigw_http_api_slack_actions")
INTERACTION = fixture("slack_block_actions_remediate")


def is_finding(candidate: Any) -> bool:
    try:
        common.AffectedObject.from_finding(candidate)
    except common.MalformedFindingError:
        return False
    return True


@PROPERTY
@given(hostile(EVENT))
def test_the_finding_handler_parses_any_event_or_says_why_not(event: Any) -> None:
    try:
        finding = within_memory(lambda: finding_handler._finding_from_event(event))
    except common.MalformedFindingError as error:
        assert str(error)
        return
    target = common.AffectedObject.from_finding(finding)
    assert target.version_id and target.etag is not None


@PROPERTY
@given(hostile(FINDING))
def test_any_parsed_finding_gives_a_slack_message_with_nothing_active(finding: Any) -> None:
    if not is_finding(finding) or not isinstance(finding.get("type"), str):
        return
    if not isinstance(finding.get("severity"), dict):
        return
    message = within_memory(lambda: slack_review.review_message(finding, "quarantine"))
    [actions] = [block for block in message["blocks"] if block["type"] == "actions"]
    assert json.loads(actions["elements"][0]["value"]) == {"id": finding["id"]}
    for rendered in [message["text"], *_mrkdwn(message["blocks"])]:
        own_link = rendered.startswith("<https://") and rendered.endswith("console>")
        assert own_link or "<" not in rendered
        assert not any(char in rendered for char in "\x00\r\u2028\u202e")
    [fields] = [block["fields"] for block in message["blocks"] if "fields" in block]
    assert fields[0]["text"].count("`") == 2


def _mrkdwn(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            yield value["text"]
        for item in value.values():
            yield from _mrkdwn(item)
    elif isinstance(value, list):
        for item in value:
            yield from _mrkdwn(item)


@PROPERTY
@given(st.text(min_size=1, max_size=63), st.text(min_size=1, max_size=1200))
def test_a_quarantine_key_always_fits_s3s_1024_bytes(bucket: str, key: str) -> None:
    destination = remediator.quarantine_key(bucket, key)
    assert len(destination.encode("utf-8", "surrogatepass")) <= 1024 or len(bucket) > 63


@PROPERTY
@given(text, st.integers(min_value=0, max_value=600))
def test_a_tag_value_is_always_one_s3_accepts(value: str, repeat: int) -> None:
    tag = remediator.tag_value(value * (repeat // max(1, len(value)) + 1))
    assert len(tag) <= 256
    assert all(char.isalnum() or char in remediator.TAG_PUNCTUATION for char in tag)


# --- the approval handler, end to end without AWS ----------------------------------------------


class Calls:
    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def approval_environment() -> Iterator[Calls]:
    calls = Calls()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLACK_SIGNING_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:1:secret:x")
        patch.setenv("APPROVERS", json.dumps([APPROVER]))
        patch.setenv("REMEDIATOR_FUNCTION", "macie-remediator")
        patch.setattr(common, "secret_string", lambda arn: SECRET)
        patch.setattr(common, "post_json", lambda url, body: None)
        patch.setattr(
            common, "invoke_async", lambda name, payload: calls.invocations.append(payload)
        )
        patch.setattr(approval_handler, "macie_finding", _macie_knows_one_finding)
        yield calls


def _macie_knows_one_finding(finding_id: str) -> dict[str, Any]:
    if finding_id != FINDING["id"]:
        raise approval_handler.InvalidInteractionError("Macie does not know the button's finding")
    return FINDING


def signed(body: bytes) -> dict[str, Any]:
    event = json.loads(json.dumps(REQUEST))
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    event["headers"].update(
        {"x-slack-request-timestamp": timestamp, "x-slack-signature": "v0=" + digest.hexdigest()}
    )
    event.update(body=base64.b64encode(body).decode(), isBase64Encoded=True)
    return event


def form(payload: Any) -> bytes:
    # ASCII JSON: lone surrogates travel as \ud800 escapes, as a hostile client sends them.
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


@PROPERTY
@given(st.one_of(hostile(REQUEST), json_values))
def test_any_unsigned_request_gets_401(approval_environment: Calls, event: Any) -> None:
    approval_environment.invocations.clear()
    response = within_memory(lambda: approval_handler.handler(event, None))
    assert response["statusCode"] == 401
    assert approval_environment.invocations == []


@PROPERTY
@given(st.one_of(hostile(INTERACTION).map(form), st.binary(max_size=300)))
def test_any_signed_body_gets_a_status_and_only_a_real_finding_is_remediated(
    approval_environment: Calls, body: bytes
) -> None:
    approval_environment.invocations.clear()
    response = within_memory(lambda: approval_handler.handler(signed(body), None))
    assert response["statusCode"] in {200, 400, 403}
    event(f"status {response['statusCode']}")
    if response["statusCode"] == 200:
        [payload] = approval_environment.invocations
        assert payload["finding"]["resourcesAffected"] == FINDING["resourcesAffected"]
    else:
        assert approval_environment.invocations == []


@PROPERTY
@given(hostile({"finding": FINDING, "approved_by": {"slack_user_id": APPROVER}}))
def test_the_remediator_reads_any_event_or_says_why_not(event: Any) -> None:
    finding = event.get("finding") if isinstance(event, dict) else None
    approver = event.get("approved_by") if isinstance(event, dict) else None
    try:
        target = within_memory(lambda: common.AffectedObject.from_finding(finding))
    except common.MalformedFindingError as error:
        assert str(error)
        return
    assert target.version_id and target.bucket and target.key
    label = remediator.approver_label(approver)
    assert len(remediator.tag_value(label)) <= 256
    assert len(remediator.quarantine_key(target.bucket, target.key).encode()) <= 1024 or (
        len(target.bucket.encode()) > 63
    )
