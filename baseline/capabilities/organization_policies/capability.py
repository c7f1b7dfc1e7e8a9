"""The organization_policies capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability
from baseline.capabilities.organization_policies import audit, grouping, section, wiring
from baseline.problems import Problem
from baseline.spec import Spec


def problems(spec: Spec) -> list[Problem]:
    """What is wrong with the section given the rest of the spec, AWS's limits included."""
    return grouping.organization_policy_problems(
        spec.organization_policies, spec.accounts, spec.regions
    )


CAPABILITY = Capability(
    "organization_policies",
    section.SECTION,
    section.parse_in_spec,
    problems=problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
)
