"""The scanner_findings capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.scanner_findings import section, wiring

CAPABILITY = Capability(
    "scanner_findings",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
)
