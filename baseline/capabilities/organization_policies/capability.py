"""The organization_policies capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability
from baseline.capabilities.organization_policies import audit, grouping, section, wiring

CAPABILITY = Capability(
    "organization_policies",
    section.SECTION,
    section.parse_in_spec,
    problems=grouping.problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
)
