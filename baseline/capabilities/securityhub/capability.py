"""The securityhub capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.securityhub import audit, coverage, section, wiring

CAPABILITY = Capability(
    "securityhub",
    section.SECTION,
    standalone(section.parse),
    problems=section.problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
    coverage=(coverage.SERVICE,),
)
