"""The `notifications` section of the spec: the SNS topics alerts go to.

notifications:
  min_severity: HIGH
  topics:                         # absent: one topic, security-alerts
    security-alerts:
      emails: [security-oncall@example.com]
    pager:
      https_endpoints:            # Pulumi secrets: such URLs carry integration keys
        - secure: v1:...

The first topic stands for every topic another section leaves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from baseline.secret import Secret, secret

SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")

_TOPIC = {
    "emails": {
        "type": "list",
        "default": [],
        "unique": True,
        "schema": {"type": "string", "pattern": "email"},
    },
    # Such URLs carry integration keys.
    "https_endpoints": {"type": "list", "default": [], "schema": {"secret": True}},
}

SCHEMA: dict[str, Any] = {
    # The threshold of finding alerts, unless `alerts` sets one per source.
    "min_severity": {"type": "string", "allowed": SEVERITIES, "default": "HIGH"},
    "topics": {
        "type": "dict",
        "minlength": 1,
        "default_setter": "default_topics",
        "keysrules": {"type": "string", "pattern": "topic_name"},
        "valuesrules": {"type": "dict", "schema": _TOPIC},
    },
}

# The rules of the `notifications` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class TopicSpec:
    emails: tuple[str, ...]
    https_endpoints: tuple[Secret, ...]


@dataclass(frozen=True)
class NotificationsSpec:
    min_severity: str
    topics: Mapping[str, TopicSpec]

    @property
    def default_topic(self) -> str:
        """The first topic, which stands for every topic another section leaves out."""
        return next(iter(self.topics))


def parse(document: Mapping[str, Any]) -> NotificationsSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return NotificationsSpec(
        min_severity=document["min_severity"],
        topics=MappingProxyType(
            {name: _topic(topic) for name, topic in document["topics"].items()}
        ),
    )


def _topic(document: Mapping[str, Any]) -> TopicSpec:
    return TopicSpec(
        emails=tuple(document["emails"]),
        https_endpoints=tuple(secret(value) for value in document["https_endpoints"]),
    )
