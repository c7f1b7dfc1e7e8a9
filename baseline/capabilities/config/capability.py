"""The config capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.config import audit, coverage, section, wiring
from baseline.capabilities.model import Capability, standalone

CAPABILITY = Capability(
    "config",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
    audits=(audit.SERVICE,),
    coverage=(coverage.SERVICE,),
)
