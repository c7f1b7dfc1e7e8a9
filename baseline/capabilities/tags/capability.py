"""The tags capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.tags import section

CAPABILITY = Capability(
    "tags",
    section.SECTION,
    standalone(section.parse),
)
