"""The alerts capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.alerts import section, wiring
from baseline.capabilities.model import Capability
from baseline.problems import Problem
from baseline.spec import Spec


def problems(spec: Spec) -> list[Problem]:
    """Each topic the section names must be one of notifications.topics."""
    return [
        Problem(f"baseline.alerts.topics.{role}", f"{topic!r} is not one of notifications.topics")
        for role in section.TOPIC_ROLES
        if (topic := getattr(spec.alerts.topics, role)) not in spec.notifications.topics
    ]


CAPABILITY = Capability(
    "alerts",
    section.SECTION,
    section.parse_in_spec,
    problems=problems,
    build=wiring.build,
)
