"""The `regions` section of the spec: where the baseline deploys.

regions:
  home: us-east-1                           # absent: the stack's aws:region
  enabled: [us-east-1, us-west-2, eu-west-1] # absent: the home region only

`enabled` must include the home region and stay in its partition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCHEMA: dict[str, Any] = {
    # home before enabled: enabled's default is built from home.
    "home": {"aws_region": True, "default_setter": "home_region"},
    "enabled": {
        "type": "list",
        "unique": True,
        "schema": {"aws_region": True},
        "contains_field": "home",
        "same_partition_as": "home",
        "default_setter": "enabled_regions",
    },
}

# The rules of the `regions` key itself.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class Regions:
    home: str
    enabled: tuple[str, ...]


def parse(document: Mapping[str, Any]) -> Regions:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return Regions(home=document["home"], enabled=tuple(document["enabled"]))
