"""The securityhub capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.securityhub import audit, coverage, section, wiring
from baseline.problems import Problem
from baseline.spec import Spec


def problems(spec: Spec) -> list[Problem]:
    """What central configuration (organization) or local configuration refuses."""
    if not spec.securityhub.enabled:
        return []
    return [
        Problem(where, what)
        for where, what in section.organization_problems(
            spec.securityhub,
            organization=spec.organization_mode,
            home=spec.regions.home,
            regions=spec.regions.enabled,
        )
    ]


CAPABILITY = Capability(
    "securityhub",
    section.SECTION,
    standalone(section.parse),
    problems=problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
    coverage=(coverage.SERVICE,),
)
