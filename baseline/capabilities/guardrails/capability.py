"""The guardrails capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.guardrails import audit, section, wiring
from baseline.capabilities.model import Capability
from baseline.problems import Problem
from baseline.spec import Spec


def problems(spec: Spec) -> list[Problem]:
    """The StackSet deploys to an organization's OUs, in regions the spec enables, and records
    wherever organization packs or Firewall Manager policies go."""
    settings = spec.guardrails
    found = []
    if settings.enabled and spec.accounts is None:
        what = "needs an organization: StackSets deploy to organizational units"
        found.append(Problem("baseline.guardrails.enabled", what))
    for index, region in enumerate(settings.regions or ()):
        if region not in spec.regions.enabled:
            what = f"{region} is not one of regions.enabled"
            found.append(Problem(f"baseline.guardrails.regions[{index}]", what))
    return [*found, *_unrecorded_regions(spec)]


def _unrecorded_regions(spec: Spec) -> list[Problem]:
    """Regions where organization packs or FMS policies go but the StackSet records nothing."""
    settings = spec.guardrails
    needed = (spec.config.enabled and spec.config.has_packs) or spec.firewall_manager.enabled
    if not (settings.enabled and settings.config_recorder and needed and settings.regions):
        return []
    missing = [region for region in spec.regions.enabled if region not in settings.regions]
    if not missing:
        return []
    what = (
        f"lacks {', '.join(missing)}: organization conformance packs and Firewall Manager "
        "policies go to every enabled region, and need the member accounts recorded there"
    )
    return [Problem("baseline.guardrails.regions", what)]


CAPABILITY = Capability(
    "guardrails",
    section.SECTION,
    section.parse_in_spec,
    problems=problems,
    build=wiring.build,
    audits=(audit.SERVICE,),
)
