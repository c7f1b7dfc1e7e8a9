"""The log_archive capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.log_archive import audit, section, wiring
from baseline.capabilities.model import Capability, standalone

CAPABILITY = Capability(
    "log_archive",
    section.SECTION,
    standalone(section.parse),
    build=wiring.build,
    audits=(audit.SERVICE,),
)
