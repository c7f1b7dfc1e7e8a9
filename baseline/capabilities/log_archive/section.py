"""The `log_archive` section of the spec: the bucket the logs and findings are kept in.

log_archive:
  retention_days: 2557        # seven years
  glacier_transition_days: 90 # less than retention_days
  access_logging: true
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCHEMA: dict[str, Any] = {
    "retention_days": {"type": "integer", "min": 1, "default": 365},
    "glacier_transition_days": {
        "type": "integer",
        "min": 1,
        "default": 90,
        "less_than_field": "retention_days",
    },
    "access_logging": {"type": "boolean", "default": True},
}

# The rules of the `log_archive` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class LogArchiveSpec:
    retention_days: int
    glacier_transition_days: int
    access_logging: bool


def parse(document: Mapping[str, Any]) -> LogArchiveSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return LogArchiveSpec(**document)
