"""The regions capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.regions import section

CAPABILITY = Capability(
    "regions",
    section.SECTION,
    standalone(section.parse),
)
