"""Lambda entry point ``handler.handler``: format one EventBridge event and publish it to SNS.

EventBridge invokes the function with ``{"topic_arn": ..., "event": <the original event>}``
(an input transformer adds the topic of the rule). The message names the finding or API call,
its severity, account, region and resource, and links to the right console page. Email
subscribers get plain text; HTTPS subscribers (AWS Chatbot) get a custom notification.
Events of unknown shape are formatted generically and logged, never dropped.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import boto3

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
SUBJECT_LIMIT = 100  # SNS refuses longer email subjects
DETAIL_LIMIT = 1500
TAMPER_SEVERITY = "HIGH"
PIPELINE_SEVERITY = "MEDIUM"
CLOUDTRAIL_RESOURCE_KEYS = (
    "name",
    "trailName",
    "bucketName",
    "detectorId",
    "keyId",
    "configurationRecorderName",
    "deliveryChannelName",
    "conformancePackName",
    "organizationConformancePackName",
    "pipeline",
    "StandardsSubscriptionArns",
)

Event = Mapping[str, Any]


@dataclass(frozen=True)
class Alert:
    """What a person needs to triage an event, whatever produced it."""

    service: str
    title: str
    severity: str
    account: str
    region: str
    resource: str
    link: str
    event_type: str
    event_id: str
    details: tuple[tuple[str, str], ...] = ()

    @property
    def headline(self) -> str:
        return f"[{self.severity}] {self.service}: {self.title}"

    def subject(self) -> str:
        printable = "".join(c if " " <= c <= "~" else " " for c in self.headline)
        return " ".join(printable.split())[:SUBJECT_LIMIT]

    def fields(self) -> list[tuple[str, str]]:
        return [
            ("Account", self.account),
            ("Region", self.region),
            ("Resource", self.resource),
            *self.details,
        ]

    def text(self) -> str:
        """Plain text for email: one line per field, whatever the event's strings contain."""
        lines = [one_line(self.headline), ""]
        lines += [f"{label}: {one_line(value)}" for label, value in self.fields()]
        lines += ["", f"Console: {one_line(self.link)}"]
        return "\n".join(lines)

    def chat_payload(self) -> dict[str, Any]:
        """An AWS Chatbot (Amazon Q Developer in chat applications) custom notification.

        Every string from the event is made inert for the chat client's markdown: Slack reads
        `<url|text>`, `<!channel>` and `<!here>` between angle brackets, so &, < and > are sent
        as entities (Slack's documented escaping), and control characters as escapes.
        """
        description = "\n".join(f"*{label}:* {chat_text(value)}" for label, value in self.fields())
        headline = chat_text(self.headline)
        return {
            "version": "1.0",
            "source": "custom",
            "id": self.event_id,
            "content": {
                "textType": "client-markdown",
                "title": headline,
                "description": description,
                "nextSteps": [f"Open in the AWS console: {chat_text(self.link)}"],
                "keywords": [
                    chat_text(word)
                    for word in (self.severity, self.service, self.account, self.region)
                ],
            },
            "metadata": {
                "summary": headline,
                "eventType": chat_text(self.event_type),
                "relatedResources": [chat_text(self.resource)],
                "additionalContext": {
                    "account": chat_text(self.account),
                    "region": chat_text(self.region),
                    "severity": chat_text(self.severity),
                },
            },
        }


def one_line(text: str) -> str:
    """Control characters (newlines, bidi overrides, ...) shown as escapes, never acted on."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def chat_text(text: str) -> str:
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def console_url(region: str, path: str) -> str:
    """A console page in `region`, on the console of the region's partition.

    The region comes from the event (a finding's own Region field): anything that is not a
    region name gets the global console, never a host of the event's choosing.
    """
    if not REGION_PATTERN.fullmatch(region):
        return f"https://console.aws.amazon.com/{path}"
    if region.startswith("us-gov-"):
        host = "https://console.amazonaws-us-gov.com"
    elif region.startswith("cn-"):
        host = "https://console.amazonaws.cn"
    else:
        host = f"https://{region}.console.aws.amazon.com"
    separator = "&" if "?" in path.split("#", 1)[0] else "?"
    if "#" in path:
        page, fragment = path.split("#", 1)
        return f"{host}/{page}{separator}region={region}#{fragment}"
    return f"{host}/{path}{separator}region={region}"


def guardduty_label(severity: float) -> str:
    """GuardDuty's documented bands: 1-3.9 low, 4-6.9 medium, 7-8.9 high, 9-10 critical."""
    for floor, label in ((9, "CRITICAL"), (7, "HIGH"), (4, "MEDIUM"), (1, "LOW")):
        if severity >= floor:
            return label
    return "INFORMATIONAL"


def _base(event: Event) -> dict[str, str]:
    return {
        "account": str(event.get("account", "unknown")),
        "region": str(event.get("region", "unknown")),
        "event_type": str(event.get("detail-type", "unknown")),
        "event_id": str(event.get("id", "")),
    }


def _finding_base(event: Event) -> dict[str, str]:
    """The administrator account emits member findings: name the member account instead."""
    base, detail = _base(event), event["detail"]
    base["account"] = str(detail.get("accountId", base["account"]))
    base["region"] = str(detail.get("region", base["region"]))
    return base


def _guardduty_resource(resource: Mapping[str, Any]) -> str:
    kind = str(resource.get("resourceType", "unknown"))
    instance = resource.get("instanceDetails") or {}
    access_key = resource.get("accessKeyDetails") or {}
    buckets = resource.get("s3BucketDetails") or [{}]
    cluster = resource.get("eksClusterDetails") or {}
    for value in (
        instance.get("instanceId"),
        access_key.get("userName"),
        buckets[0].get("name"),
        cluster.get("name"),
    ):
        if value:
            return f"{kind} {value}"
    return kind


def _guardduty(event: Event) -> Alert:
    detail = event["detail"]
    base = _finding_base(event)
    finding_id = str(detail.get("id", ""))
    return Alert(
        service="GuardDuty",
        title=str(detail.get("title", detail.get("type", "finding"))),
        severity=guardduty_label(float(detail.get("severity", 0))),
        resource=_guardduty_resource(detail.get("resource") or {}),
        link=console_url(
            base["region"], f"guardduty/home#/findings?macros=current&fId={quote(finding_id)}"
        ),
        details=(("Finding type", str(detail.get("type", "unknown"))),),
        **base,
    )


def _securityhub(event: Event) -> Alert:
    findings = event["detail"]["findings"]
    finding = findings[0]
    base = _base(event)
    finding_id = str(finding.get("Id", ""))
    search = "Id%3D%255Coperator%255C%253AEQUALS%255C%253A" + quote(
        quote(finding_id, safe=""), safe=""
    )
    # The console of the event's region shows aggregated findings of every linked region.
    link = console_url(base["region"], f"securityhub/home#/findings?search={search}")
    base["account"] = str(finding.get("AwsAccountId", base["account"]))
    base["region"] = str(finding.get("Region", base["region"]))
    product = str(finding.get("ProductName", "unknown"))
    details = [("Product", product)]
    if len(findings) > 1:
        details.append(("Findings in this event", str(len(findings))))
    resources = finding.get("Resources") or [{}]
    return Alert(
        service="Firewall Manager" if product == "Firewall Manager" else "Security Hub",
        title=str(finding.get("Title", "finding")),
        severity=str((finding.get("Severity") or {}).get("Label", "UNKNOWN")),
        resource=str(resources[0].get("Id", "unknown")),
        link=link,
        details=tuple(details),
        **base,
    )


def _macie(event: Event) -> Alert:
    detail = event["detail"]
    base = _finding_base(event)
    affected = detail.get("resourcesAffected") or {}
    s3_object = affected.get("s3Object") or {}
    bucket = affected.get("s3Bucket") or {}
    finding_id = quote(str(detail.get("id", "")))
    return Alert(
        service="Macie",
        title=str(detail.get("title", detail.get("type", "finding"))),
        severity=str((detail.get("severity") or {}).get("description", "UNKNOWN")).upper(),
        resource=str(s3_object.get("path") or bucket.get("name") or "unknown"),
        link=console_url(
            base["region"], f"macie/home#findings?search=id%3D{finding_id}&itemId={finding_id}"
        ),
        details=(("Finding type", str(detail.get("type", "unknown"))),),
        **base,
    )


def _cloudtrail_resource(detail: Mapping[str, Any]) -> str:
    parameters = detail.get("requestParameters") or {}
    for key in CLOUDTRAIL_RESOURCE_KEYS:
        value = parameters.get(key)
        if isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        if value:
            return str(value)
    return str(detail.get("eventSource", "unknown"))


def _cloudtrail_call(event: Event) -> Alert:
    detail = event["detail"]
    base = _base(event)
    identity = detail.get("userIdentity") or {}
    actor = identity.get("arn") or identity.get("invokedBy") or identity.get("type", "unknown")
    details = [
        ("Actor", str(actor)),
        ("Source IP", str(detail.get("sourceIPAddress", "unknown"))),
    ]
    if detail.get("errorCode"):
        details.append(("Outcome", f"refused: {detail['errorCode']}"))
    event_id = quote(str(detail.get("eventID", "")))
    return Alert(
        service="CloudTrail",
        title=f"{detail.get('eventName')} on {detail.get('eventSource')}",
        severity=TAMPER_SEVERITY,
        resource=_cloudtrail_resource(detail),
        link=console_url(base["region"], f"cloudtrailv2/home#/events/{event_id}"),
        details=tuple(details),
        **base,
    )


def _codepipeline(event: Event) -> Alert:
    detail = event["detail"]
    base = _base(event)
    pipeline = str(detail.get("pipeline", "unknown"))
    execution = str(detail.get("execution-id", ""))
    return Alert(
        service="CodePipeline",
        title=f"pipeline {pipeline} {detail.get('state', 'changed state')}",
        severity=PIPELINE_SEVERITY,
        resource=pipeline,
        link=console_url(
            base["region"],
            f"codesuite/codepipeline/pipelines/{quote(pipeline)}/executions/"
            f"{quote(execution)}/timeline",
        ),
        details=(("Execution", execution),),
        **base,
    )


def _codebuild(event: Event) -> Alert:
    detail = event["detail"]
    base = _base(event)
    project = str(detail.get("project-name", "unknown"))
    build_id = str(detail.get("build-id", "")).rsplit("/", 1)[-1]
    return Alert(
        service="CodeBuild",
        title=f"build of {project} {detail.get('build-status', 'changed state')}",
        severity=PIPELINE_SEVERITY,
        resource=str(detail.get("build-id", project)),
        link=console_url(
            base["region"],
            f"codesuite/codebuild/{base['account']}/projects/{quote(project)}/build/"
            f"{quote(build_id, safe='')}/",
        ),
        details=(("Phase", str(detail.get("current-phase", "unknown"))),),
        **base,
    )


def _generic(event: Event) -> Alert:
    base = _base(event)
    resources = event.get("resources")
    resource = resources[0] if isinstance(resources, list) and resources else "unknown"
    detail = json.dumps(event.get("detail", {}), sort_keys=True, default=str)
    if len(detail) > DETAIL_LIMIT:
        detail = detail[:DETAIL_LIMIT] + "..."
    return Alert(
        service=str(event.get("source", "unknown source")),
        title=base["event_type"],
        severity="INFORMATIONAL",
        resource=str(resource),
        link=console_url(base["region"], "console/home"),
        details=(("Detail", detail),),
        **base,
    )


FORMATTERS: dict[str, Callable[[Event], Alert]] = {
    "GuardDuty Finding": _guardduty,
    "Security Hub Findings - Imported": _securityhub,
    "Macie Finding": _macie,
    "AWS API Call via CloudTrail": _cloudtrail_call,
    "CodePipeline Pipeline Execution State Change": _codepipeline,
    "CodeBuild Build State Change": _codebuild,
}


def format_event(event: Event) -> Alert:
    """The alert for `event`; a generic one when its shape is not known."""
    formatter = FORMATTERS.get(str(event.get("detail-type")))
    if formatter is not None:
        try:
            return formatter(event)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            LOGGER.exception("event %s does not have the expected shape", event.get("id"))
    LOGGER.warning(
        "formatting unknown event generically: source=%s detail-type=%s id=%s",
        event.get("source"),
        event.get("detail-type"),
        event.get("id"),
    )
    return _generic(event)


def sns_message(alert: Alert) -> str:
    """Per-protocol messages (SNS MessageStructure=json): text for email, a card for chat."""
    text = alert.text()
    return json.dumps({"default": text, "email": text, "https": json.dumps(alert.chat_payload())})


@functools.cache
def _sns_client(region: str) -> Any:
    return boto3.client("sns", region_name=region)


def publish(topic_arn: str, alert: Alert) -> str:
    """Publish through the topic's own region, and return the SNS message id."""
    response = _sns_client(topic_arn.split(":")[3]).publish(
        TopicArn=topic_arn,
        Subject=alert.subject(),
        Message=sns_message(alert),
        MessageStructure="json",
    )
    return str(response["MessageId"])


def handler(event: Mapping[str, Any], context: object) -> dict[str, str]:
    topic_arn, original = event.get("topic_arn"), event.get("event")
    if not isinstance(topic_arn, str) or not isinstance(original, Mapping):
        # Raising sends the invocation to the function's on-failure destination, unformatted.
        raise ValueError("expected {'topic_arn': <SNS topic ARN>, 'event': <EventBridge event>}")
    alert = format_event(original)
    message_id = publish(topic_arn, alert)
    LOGGER.info("published %r for event %s as %s", alert.headline, alert.event_id, message_id)
    return {"message_id": message_id, "title": alert.headline}
