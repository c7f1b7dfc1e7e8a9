"""The `tags` section of the spec: tags on every resource the baseline creates.

tags:
  Environment: prod
  CostCenter: security
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# The program sets this tag itself; letting the spec set it would silently be overridden.
RESERVED_TAG_KEYS = frozenset({"ManagedBy"})
# AWS allows 50 tags per resource; the program adds ManagedBy.
MAX_USER_TAGS = 49

# The rules of the `tags` key itself: the section is the mapping of tags.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "maxlength": MAX_USER_TAGS,
    "keysrules": {"type": "string", "tag_key": True},
    "valuesrules": {"type": "string", "tag_value": True},
}


def parse(document: Mapping[str, str]) -> Mapping[str, str]:
    """The section, validated and normalized by `SECTION`, read-only."""
    return MappingProxyType(dict(document))
