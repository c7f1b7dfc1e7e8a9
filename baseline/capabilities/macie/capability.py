"""The macie capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.macie import audit, coverage, section, wiring
from baseline.capabilities.model import Capability, standalone

CAPABILITY = Capability(
    "macie",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
    audits=(audit.SERVICE,),
    coverage=(coverage.SERVICE,),
)
