"""The notifications capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.model import Capability, standalone
from baseline.capabilities.notifications import audit, section, wiring

CAPABILITY = Capability(
    "notifications",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
    audits=(audit.SERVICE,),
)
