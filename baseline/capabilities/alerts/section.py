"""The `alerts` section of the spec: which events notify which topic of `notifications`.

alerts:
  topics: {findings: security-alerts, tamper: security-alerts, pipeline: delivery-alerts}
  guardduty_min_severity: MEDIUM
  securityhub_labels: [HIGH, CRITICAL]
  tamper_alerts: true
  pipeline_alerts: true
  ddos_alarms:
    - arn:aws:cloudfront::222222222222:distribution/E2QWRUHEXAMPLE
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.notifications import section as notifications
from baseline.schema_rules import matches, no_duplicates
from components.event_patterns import GUARDDUTY_SEVERITY_FLOOR, SECURITYHUB_LABELS

TOPIC_ROLES = ("findings", "tamper", "pipeline", "ddos")
# Resources Shield Advanced protects and publishes DDoSDetected for.
PROTECTED_RESOURCE_ARN = (
    r"arn:aws(?:-[a-z]+)*:(?:"
    r"cloudfront::\d{12}:distribution/[A-Z0-9]+"
    r"|elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/[\w./-]+"
    r"|ec2:[a-z0-9-]+:\d{12}:eip-allocation/eipalloc-[0-9a-f]+"
    r"|globalaccelerator::\d{12}:accelerator/[0-9a-f-]+"
    r"|route53:::hostedzone/[A-Z0-9]+)"
)

SCHEMA: dict[str, Any] = {
    "topics": {
        "type": "dict",
        "default": {},
        "schema": {
            role: {
                # Absent: the first topic of notifications.
                "type": "string",
                "check_with": matches(r"[a-z][a-z0-9-]{0,63}", "a topic name of notifications"),
            }
            for role in TOPIC_ROLES
        },
    },
    # Absent: notifications.min_severity (GuardDuty has no INFORMATIONAL: LOW then).
    "guardduty_min_severity": {"type": "string", "allowed": tuple(GUARDDUTY_SEVERITY_FLOOR)},
    # Absent: notifications.min_severity and the labels above it.
    "securityhub_labels": {
        "type": "list",
        "minlength": 1,
        "schema": {"type": "string", "allowed": SECURITYHUB_LABELS},
        "check_with": no_duplicates,
    },
    # Security Hub aggregates every region's findings into the home region.
    "securityhub_aggregated": {"type": "boolean", "default": True},
    "tamper_alerts": {"type": "boolean", "default": True},
    "pipeline_alerts": {"type": "boolean", "default": True},
    "ddos_alarms": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "string",
            "check_with": matches(
                PROTECTED_RESOURCE_ARN,
                "the ARN of a CloudFront distribution, load balancer, Elastic IP allocation, "
                "Global Accelerator or hosted zone",
            ),
        },
        "check_with": no_duplicates,
    },
}

# The rules of the `alerts` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class AlertTopics:
    findings: str
    tamper: str
    pipeline: str
    ddos: str


@dataclass(frozen=True)
class AlertsSpec:
    topics: AlertTopics
    guardduty_min_severity: str
    securityhub_labels: tuple[str, ...]
    securityhub_aggregated: bool
    tamper_alerts: bool
    pipeline_alerts: bool
    ddos_alarms: tuple[str, ...]

    @property
    def topic_names(self) -> frozenset[str]:
        """The topics `notifications` must define."""
        return frozenset(getattr(self.topics, role) for role in TOPIC_ROLES)


def parse(document: Mapping[str, Any], default_topic: str, min_severity: str) -> AlertsSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass.

    `default_topic` stands for every topic role the section leaves out, and `min_severity`
    (notifications.min_severity, one of SECURITYHUB_LABELS) for the thresholds it leaves out.
    """
    topics = document["topics"]
    guardduty_floor = min_severity if min_severity in GUARDDUTY_SEVERITY_FLOOR else "LOW"
    labels = SECURITYHUB_LABELS[SECURITYHUB_LABELS.index(min_severity) :]
    return AlertsSpec(
        topics=AlertTopics(**{role: topics.get(role, default_topic) for role in TOPIC_ROLES}),
        guardduty_min_severity=document.get("guardduty_min_severity", guardduty_floor),
        securityhub_labels=tuple(document.get("securityhub_labels", labels)),
        securityhub_aggregated=document["securityhub_aggregated"],
        tamper_alerts=document["tamper_alerts"],
        pipeline_alerts=document["pipeline_alerts"],
        ddos_alarms=tuple(document["ddos_alarms"]),
    )


def parse_in_spec(document: Mapping[str, Any], spec_document: Mapping[str, Any]) -> AlertsSpec:
    """The section, its defaults taken from the notifications section."""
    topics = notifications.parse(spec_document["notifications"])
    return parse(document, topics.default_topic, topics.min_severity)
