"""The firewall_manager capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.firewall_manager import audit, coverage, section, shield_audit, wiring
from baseline.capabilities.model import Capability

CAPABILITY = Capability(
    "firewall_manager",
    section.SECTION,
    section.parse_in_spec,
    problems=section.problems,
    build=wiring.build,
    audits=(shield_audit.SERVICE, audit.SERVICE),
    coverage=(coverage.SERVICE,),
)
