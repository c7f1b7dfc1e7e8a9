"""The `cloudtrail` section of the spec: the (organization) trail.

cloudtrail:
  enabled: true
  name: org-security-baseline
  cloudwatch_logs: {enabled: true, retention_days: 400}
  s3_data_events: {write: true, read: true}

`s3_data_events`: S3 object-level calls of every bucket but the trail's own, writes (CIS AWS
Foundations 3.8) and reads (3.9). Off by default: data events cost $0.10 per 100,000 delivered,
and reads of a busy bucket run into the millions a day (docs/organization-policies.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The only values CloudWatch Logs accepts for a log group's retention.
LOG_RETENTION_DAYS = (
    *(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096),
    *(1827, 2192, 2557, 2922, 3288, 3653),
)

_CLOUDWATCH_LOGS = {
    "enabled": {"type": "boolean", "default": False},
    "retention_days": {"type": "integer", "allowed": LOG_RETENTION_DAYS, "default": 365},
}

_S3_DATA_EVENTS = {
    "write": {"type": "boolean", "default": False},
    "read": {"type": "boolean", "default": False},
}

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "name": {"type": "string", "pattern": "trail_name", "default": "security-baseline"},
    "cloudwatch_logs": {"type": "dict", "default": {}, "schema": _CLOUDWATCH_LOGS},
    "s3_data_events": {"type": "dict", "default": {}, "schema": _S3_DATA_EVENTS},
}

# The rules of the `cloudtrail` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class CloudWatchLogsSpec:
    enabled: bool
    retention_days: int


@dataclass(frozen=True)
class S3DataEventsSpec:
    write: bool
    read: bool


@dataclass(frozen=True)
class CloudTrailSpec:
    enabled: bool
    name: str
    cloudwatch_logs: CloudWatchLogsSpec
    s3_data_events: S3DataEventsSpec


def parse(document: Mapping[str, Any]) -> CloudTrailSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return CloudTrailSpec(
        enabled=document["enabled"],
        name=document["name"],
        cloudwatch_logs=CloudWatchLogsSpec(**document["cloudwatch_logs"]),
        s3_data_events=S3DataEventsSpec(**document["s3_data_events"]),
    )
