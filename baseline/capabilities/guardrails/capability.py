"""The guardrails capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.guardrails import audit, section, wiring
from baseline.capabilities.model import Capability

CAPABILITY = Capability(
    "guardrails",
    section.SECTION,
    section.parse_in_spec,
    problems=section.problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
)
