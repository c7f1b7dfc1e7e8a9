"""The kms capability, as the registry lists it."""

from __future__ import annotations

from baseline.capabilities.kms import audit, section
from baseline.capabilities.model import Capability, standalone

CAPABILITY = Capability(
    "kms",
    section.SECTION,
    standalone(section.parse),
    audits=(audit.SERVICE,),
)
