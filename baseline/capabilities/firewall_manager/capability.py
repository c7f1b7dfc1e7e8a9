"""The firewall_manager capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.firewall_manager import audit, coverage, section, shield_audit, wiring
from baseline.capabilities.model import Capability
from baseline.problems import Problem
from baseline.spec import Spec


def problems(spec: Spec) -> list[Problem]:
    """Firewall Manager needs an organization, Config recording and a topic of the spec."""
    settings = spec.firewall_manager
    if not settings.enabled:
        return []
    found = []
    if spec.accounts is None:
        what = "needs an organization: Firewall Manager has no single-account mode"
        found.append(Problem("baseline.firewall_manager.enabled", what))
    if not spec.config.enabled:
        what = (
            "must stay true with firewall_manager: Firewall Manager needs AWS Config "
            "recording in the accounts it covers (Firewall Manager prerequisites)"
        )
        found.append(Problem("baseline.config.enabled", what))
    if settings.notification_topic not in spec.notifications.topics:
        what = f"{settings.notification_topic!r} is not one of notifications.topics"
        found.append(Problem("baseline.firewall_manager.notification_topic", what))
    return found


CAPABILITY = Capability(
    "firewall_manager",
    section.SECTION,
    section.parse_in_spec,
    problems=problems,
    build=wiring.build,
    audits=(shield_audit.SERVICE, audit.SERVICE),
    coverage=(coverage.SERVICE,),
)
