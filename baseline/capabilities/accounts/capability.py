"""The accounts capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.accounts import section
from baseline.capabilities.model import Capability, standalone

CAPABILITY = Capability(
    "accounts",
    section.SECTION,
    standalone(section.parse),
)
