"""Route a Macie sensitive-data finding: ignore it, quarantine it now (AUTO) or ask for a review.

Lambda handler `finding_handler.handler`, target of the EventBridge rule for Macie findings.
Environment: ACTIONS (JSON object, finding type -> AUTO or REVIEW), MIN_SEVERITY (LOW, MEDIUM
or HIGH), QUARANTINE_BUCKET, REMEDIATOR_FUNCTION, NOTIFY_TOPIC_ARN and, optionally,
SLACK_WEBHOOK_SECRET_ARN (a Secrets Manager secret whose string is the incoming-webhook URL).
A finding is never dropped silently: an event that cannot be handled is logged and alerted.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

# mypy sees the package; Lambda and the tests load each file as a top-level module.
if TYPE_CHECKING:
    from . import remediation_common as common
    from .slack_review import review_message
else:
    import remediation_common as common
    from slack_review import review_message

SEVERITY_RANKS = {"LOW": 1, "MEDIUM": 2, "HIGH": 3}
RESPONSES = frozenset({"AUTO", "REVIEW"})
EVENT_ALERT_LIMIT = 100_000


class UnknownFindingTypeError(ValueError):
    """ACTIONS names no response for this finding type."""


@dataclass(frozen=True)
class Settings:
    actions: Mapping[str, str]
    min_severity_rank: int
    quarantine_bucket: str
    remediator_function: str
    topic_arn: str
    slack_webhook_secret_arn: str | None

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            actions=_actions(common.required_env("ACTIONS")),
            min_severity_rank=_severity_rank(os.environ.get("MIN_SEVERITY", "LOW")),
            quarantine_bucket=common.required_env("QUARANTINE_BUCKET"),
            remediator_function=common.required_env("REMEDIATOR_FUNCTION"),
            topic_arn=common.required_env("NOTIFY_TOPIC_ARN"),
            slack_webhook_secret_arn=os.environ.get("SLACK_WEBHOOK_SECRET_ARN", "").strip() or None,
        )


def _actions(text: str) -> dict[str, str]:
    try:
        actions = json.loads(text)
    except json.JSONDecodeError as error:
        raise common.ConfigurationError(f"ACTIONS is not JSON: {error}") from error
    if not isinstance(actions, dict):
        raise common.ConfigurationError("ACTIONS must map finding types to AUTO or REVIEW")
    normalized = {str(kind): str(response).upper() for kind, response in actions.items()}
    invalid = sorted(kind for kind, response in normalized.items() if response not in RESPONSES)
    if invalid:
        raise common.ConfigurationError(f"ACTIONS: not AUTO or REVIEW for {', '.join(invalid)}")
    return normalized


def _severity_rank(name: str) -> int:
    rank = SEVERITY_RANKS.get(name.strip().upper())
    if rank is None:
        raise common.ConfigurationError(f"MIN_SEVERITY {name!r} is not LOW, MEDIUM or HIGH")
    return rank


def handler(event: Any, context: Any) -> dict[str, Any]:
    settings = Settings.from_env()
    try:
        finding = _finding_from_event(event)
        response = _response_for(settings, finding["type"])
    except (common.MalformedFindingError, UnknownFindingTypeError) as error:
        return _report_error(settings, event, str(error))
    if common.AffectedObject.from_finding(finding).bucket == settings.quarantine_bucket:
        # Quarantined objects hold sensitive data by design: they are never moved again.
        common.LOGGER.warning("finding %s ignored: in the quarantine bucket", finding["id"])
        return {"action": "ignored", "finding_id": finding["id"], "reason": "quarantine bucket"}
    if _finding_severity_rank(finding) < settings.min_severity_rank:
        common.LOGGER.info("finding %s ignored: below MIN_SEVERITY", finding["id"])
        return {"action": "ignored", "finding_id": finding["id"]}
    if response == "AUTO":
        return _request_quarantine(settings, finding)
    return _request_review(settings, finding)


def _finding_from_event(event: Any) -> Mapping[str, Any]:
    detail = event.get("detail") if isinstance(event, Mapping) else None
    if not isinstance(detail, Mapping):
        raise common.MalformedFindingError("the event has no Macie finding in its detail")
    common.AffectedObject.from_finding(detail)
    if not isinstance(detail.get("type"), str):
        raise common.MalformedFindingError("the finding has no type")
    _finding_severity_rank(detail)
    return detail


def _finding_severity_rank(finding: Mapping[str, Any]) -> int:
    severity = finding.get("severity")
    description = severity.get("description") if isinstance(severity, Mapping) else None
    rank = SEVERITY_RANKS.get(description.upper()) if isinstance(description, str) else None
    if rank is None:
        raise common.MalformedFindingError("the finding has no Low, Medium or High severity")
    return rank


def _response_for(settings: Settings, finding_type: str) -> str:
    response = settings.actions.get(finding_type)
    if response is None:
        raise UnknownFindingTypeError(f"no AUTO or REVIEW response for finding type {finding_type}")
    return response


def _finding_summary(finding: Mapping[str, Any]) -> dict[str, Any]:
    target = common.AffectedObject.from_finding(finding)
    return {
        "finding_id": target.finding_id,
        "type": finding["type"],
        "severity": finding["severity"].get("description"),
        "object": target.uri,
        "version_id": target.version_id,
        "account_id": finding.get("accountId"),
        "region": finding.get("region"),
    }


def _request_quarantine(settings: Settings, finding: Mapping[str, Any]) -> dict[str, Any]:
    common.invoke_async(
        settings.remediator_function, {"finding": common.remediation_finding(finding)}
    )
    common.notify(
        settings.topic_arn,
        "Macie remediation: quarantine requested",
        {**_finding_summary(finding), "quarantine_bucket": settings.quarantine_bucket},
    )
    common.LOGGER.info("finding %s: quarantine requested", finding["id"])
    return {"action": "quarantine_requested", "finding_id": finding["id"]}


def _request_review(settings: Settings, finding: Mapping[str, Any]) -> dict[str, Any]:
    if settings.slack_webhook_secret_arn is None:
        _publish_review(settings, finding, slack_error=None)
        return {"action": "review_requested", "finding_id": finding["id"], "channel": "sns"}
    message = review_message(finding, settings.quarantine_bucket)
    try:
        webhook_url = _webhook_url(common.secret_string(settings.slack_webhook_secret_arn))
        common.post_json(webhook_url, message)
    except (OSError, ValueError, ClientError, BotoCoreError, common.ConfigurationError) as error:
        # A review must reach someone: when Slack cannot be reached, the topic carries it.
        common.LOGGER.error("finding %s: Slack review not delivered: %s", finding["id"], error)
        _publish_review(settings, finding, slack_error=str(error))
        return {"action": "review_requested", "finding_id": finding["id"], "channel": "sns"}
    common.LOGGER.info("finding %s: review requested in Slack", finding["id"])
    return {"action": "review_requested", "finding_id": finding["id"], "channel": "slack"}


def _publish_review(
    settings: Settings, finding: Mapping[str, Any], slack_error: str | None
) -> None:
    message: dict[str, Any] = {
        **_finding_summary(finding),
        "to_approve": f"invoke {settings.remediator_function} with remediator_event",
        "remediator_event": {"finding": common.remediation_finding(finding)},
    }
    if slack_error is not None:
        message["slack_error"] = slack_error
    common.notify(settings.topic_arn, "Macie remediation: review requested", message)


def _webhook_url(url: str) -> str:
    """Slack webhooks are HTTPS; anything else would send the finding in clear text."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme == "https" and parsed.hostname:
        return url.strip()
    raise ValueError("the Slack webhook URL is not an https URL")


def _clipped_json(event: Any) -> str:
    """The event as JSON, cut so that the alert stays far below SNS's 256 KB message limit."""
    text = json.dumps(event, default=str)  # ASCII: one byte per character
    return text if len(text) <= EVENT_ALERT_LIMIT else text[:EVENT_ALERT_LIMIT] + "...(cut)"


def _report_error(settings: Settings, event: Any, reason: str) -> dict[str, Any]:
    common.LOGGER.error("Macie event not handled: %s", reason)
    common.notify(
        settings.topic_arn,
        "Macie remediation: finding not handled",
        {"error": reason, "event": _clipped_json(event)},
    )
    return {"action": "error", "reason": reason}
