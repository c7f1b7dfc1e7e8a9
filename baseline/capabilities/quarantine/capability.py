"""The quarantine capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.quarantine import section, wiring

CAPABILITY = Capability(
    "quarantine",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
)
