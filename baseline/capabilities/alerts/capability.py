"""The alerts capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.alerts import section, wiring
from baseline.capabilities.model import Capability

CAPABILITY = Capability(
    "alerts",
    section.SECTION,
    section.parse_in_spec,
    problems=section.problems,
    build=wiring.build,
)
