"""Approve a quarantine from Slack: verify the request, check the approver, start the remediator.

Lambda handler `approval_handler.handler`, behind the API Gateway HTTP API route
`POST /slack/actions` (payload format 2.0) that Slack's interactive components call.
Environment: SLACK_SIGNING_SECRET_ARN (a Secrets Manager secret whose string is the app's
signing secret), APPROVERS (JSON list of Slack user ids), REMEDIATOR_FUNCTION.

Nothing in the request is parsed before its signature is verified: `v0=` + hex HMAC-SHA256 of
`v0:<timestamp>:<raw body>`, compared in constant time, with the timestamp at most 300 s old and
at most 60 s ahead, which bounds replays to the window Slack documents.

The button is bound to a real finding: of the finding in the button's value only its id is read;
the finding the remediator gets is the one Macie returns for that id (GetFindings), so a message
posted by anyone else who holds the webhook URL cannot name an object of its choice. The remediator
itself never takes the quarantine bucket as a source.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

# mypy sees the package; Lambda and the tests load each file as a top-level module.
if TYPE_CHECKING:
    from . import remediation_common as common
    from .slack_review import escape
else:
    import remediation_common as common
    from slack_review import escape

MAX_REQUEST_AGE_SECONDS = 300
# Unix seconds have 10 digits until the year 2286; a longer header is not a timestamp, and
# int() of thousands of digits raises (or costs quadratic time) before the signature is checked.
MAX_TIMESTAMP_DIGITS = 12
# Macie finding ids are 32 to 64 lowercase hex characters; allow room, refuse what is absurd.
MAX_FINDING_ID_LENGTH = 512
MAX_CLOCK_AHEAD_SECONDS = 60
# Slack's response_url points at its own hooks hosts; anything else is not Slack's.
SLACK_RESPONSE_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})


class InvalidInteractionError(ValueError):
    """A signed request that is not a usable Remediate button click."""


@dataclass(frozen=True)
class Approval:
    user_id: str
    user_name: str | None
    response_url: str | None
    finding: Mapping[str, Any]


def handler(event: Any, context: Any) -> dict[str, Any]:
    request: Mapping[str, Any] = event if isinstance(event, Mapping) else {}
    headers = _headers(request)
    raw_body = _raw_body(request)
    secret = common.secret_string(common.required_env("SLACK_SIGNING_SECRET_ARN"))
    problem = signature_problem(
        secret,
        headers.get("x-slack-request-timestamp"),
        headers.get("x-slack-signature"),
        raw_body,
        now=time.time(),
    )
    if problem is not None:
        common.LOGGER.warning("Slack request rejected: %s", problem)
        return _http_response(401, {"error": "the request is not signed by Slack"})
    try:
        payload = _payload(raw_body)
        user_id, user_name = _slack_user(payload)
    except InvalidInteractionError as error:
        return _http_response(400, {"error": str(error)})
    if user_id not in _approvers():
        common.LOGGER.warning("Slack user %s is not an approver", user_id)
        _respond_in_slack(
            payload.get("response_url"),
            {
                "response_type": "ephemeral",
                "replace_original": False,
                "text": f"<@{user_id}> is not allowed to approve quarantines.",
            },
        )
        return _http_response(403, {"error": "the user is not an approver"})
    try:
        approval = _approval(payload, user_id, user_name)
    except (InvalidInteractionError, common.MalformedFindingError) as error:
        return _http_response(400, {"error": str(error)})
    return _approve(approval)


def signature_problem(
    secret: str, timestamp: str | None, signature: str | None, raw_body: bytes | None, now: float
) -> str | None:
    """Why the request is not Slack's, or None when its signature and timestamp hold."""
    if raw_body is None:
        return "the body is not valid base64 or UTF-8"
    if not timestamp or not signature:
        return "the signature or timestamp header is missing"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "the timestamp is not a number of seconds"
    age = now - int(timestamp)
    if age > MAX_REQUEST_AGE_SECONDS:
        return "the request is too old"
    if age < -MAX_CLOCK_AHEAD_SECONDS:
        return "the request is dated in the future"
    signed = b"v0:" + timestamp.encode("ascii") + b":" + raw_body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8")):
        return "the signature does not match"
    return None


def _headers(request: Mapping[str, Any]) -> dict[str, str]:
    """Header names in lower case (HTTP API payload 2.0 sends them so; be sure)."""
    headers = request.get("headers")
    if not isinstance(headers, Mapping):
        return {}
    return {str(name).lower(): value for name, value in headers.items() if isinstance(value, str)}


def _raw_body(event: Mapping[str, Any]) -> bytes | None:
    """The bytes Slack signed; API Gateway may have base64-encoded them."""
    body = event.get("body") or ""
    try:
        if not event.get("isBase64Encoded"):
            return str(body).encode("utf-8")
        return base64.b64decode(str(body), validate=True)
    except (binascii.Error, ValueError):  # not base64, non-ASCII, or a lone surrogate
        return None


def _payload(raw_body: bytes | None) -> Mapping[str, Any]:
    try:
        form = urllib.parse.parse_qs((raw_body or b"").decode("utf-8"), strict_parsing=True)
        payload = json.loads(form["payload"][0])
    except (UnicodeDecodeError, ValueError, KeyError, RecursionError) as error:
        raise InvalidInteractionError("the body has no JSON payload field") from error
    if not isinstance(payload, Mapping) or payload.get("type") != "block_actions":
        raise InvalidInteractionError("the payload is not a block_actions interaction")
    return payload


def _slack_user(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    user = payload.get("user")
    if not isinstance(user, Mapping) or not isinstance(user.get("id"), str) or not user["id"]:
        raise InvalidInteractionError("the payload names no Slack user")
    name = user.get("username") or user.get("name")
    return user["id"], str(name) if name else None


def _approvers() -> frozenset[str]:
    approvers = json.loads(common.required_env("APPROVERS"))
    if not isinstance(approvers, list) or not all(isinstance(user, str) for user in approvers):
        raise common.ConfigurationError("APPROVERS must be a JSON list of Slack user ids")
    return frozenset(approvers)


def _approval(payload: Mapping[str, Any], user_id: str, user_name: str | None) -> Approval:
    actions = payload.get("actions")
    button = next(
        (
            action
            for action in (actions if isinstance(actions, list) else [])
            if isinstance(action, Mapping) and action.get("action_id") == common.REMEDIATE_ACTION_ID
        ),
        None,
    )
    if button is None or not isinstance(button.get("value"), str):
        raise InvalidInteractionError("the interaction is not a Remediate button click")
    try:
        shown = json.loads(button["value"])
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidInteractionError("the Remediate button carries no finding") from error
    finding_id = shown.get("id") if isinstance(shown, Mapping) else None
    if not isinstance(finding_id, str) or not 0 < len(finding_id) <= MAX_FINDING_ID_LENGTH:
        raise InvalidInteractionError("the Remediate button names no finding id")
    finding = macie_finding(finding_id)
    common.AffectedObject.from_finding(finding)
    response_url = payload.get("response_url")
    return Approval(
        user_id=user_id,
        user_name=user_name,
        response_url=response_url if isinstance(response_url, str) else None,
        finding=common.remediation_finding(finding),
    )


def macie_finding(finding_id: str) -> Mapping[str, Any]:
    """The finding as Macie has it: nothing but its id is taken from the Slack message."""
    try:
        findings = common.aws_client("macie2").get_findings(findingIds=[finding_id])["findings"]
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (400, 404):
            raise InvalidInteractionError("Macie does not know the button's finding") from error
        raise
    match = [finding for finding in findings if finding.get("id") == finding_id]
    if not match:
        raise InvalidInteractionError("Macie does not know the button's finding")
    return match[0]


def _approve(approval: Approval) -> dict[str, Any]:
    target = common.AffectedObject.from_finding(approval.finding)
    common.invoke_async(
        common.required_env("REMEDIATOR_FUNCTION"),
        {
            "finding": approval.finding,
            "approved_by": {
                "slack_user_id": approval.user_id,
                "slack_user_name": approval.user_name,
            },
        },
    )
    common.LOGGER.info("finding %s: quarantine approved by %s", target.finding_id, approval.user_id)
    message = {
        "response_type": "in_channel",
        "replace_original": True,
        "text": f"Quarantine approved by <@{approval.user_id}> for finding "
        f"{escape(target.finding_id)}: {escape(target.uri)} is being moved to quarantine.",
    }
    _respond_in_slack(approval.response_url, message)
    return _http_response(200, message)


def _respond_in_slack(response_url: object, message: Mapping[str, Any]) -> None:
    """Slack ignores the HTTP response body of block_actions; its response_url updates the message.

    Best effort: the approval has already been acted on, so a failure here is only logged.
    """
    if not isinstance(response_url, str):
        return
    parsed = urllib.parse.urlsplit(response_url)
    if parsed.scheme != "https" or parsed.hostname not in SLACK_RESPONSE_HOSTS:
        common.LOGGER.warning("response_url is not a Slack hooks URL; message not sent")
        return
    try:
        common.post_json(response_url, message)
    except OSError as error:
        common.LOGGER.warning("could not update the Slack message: %s", error)


def _http_response(status: int, body: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, ensure_ascii=False),
    }
