"""What a capability of the baseline is made of: its record in the registry.

A capability is a folder under baseline/capabilities/: its spec section (`section.py`), the
components it deploys, its wiring (`wiring.py`, section -> components), its audit checks
(`audit.py`, with the API calls they make), its organization coverage (`coverage.py`), the
code of its Lambda functions (`functions/`), and its record (`capability.py`), which the
registry (`registry.py`) lists in the order capabilities are parsed, built and audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from baseline.audit.coverage.model import ServiceCoverage
from baseline.audit.model import ApiCall, ServiceAudit
from baseline.problems import Problem
from baseline.program import Baseline
from baseline.spec import Spec

# A section's normalized value and the whole normalized spec document -> the section's dataclass.
SectionParser = Callable[[Any, Mapping[str, Any]], object]


def standalone(parse: Callable[[Any], object]) -> SectionParser:
    """The parser of a section whose defaults depend on no other section."""

    def parse_in_spec(document: Any, spec_document: Mapping[str, Any]) -> object:
        return parse(document)

    return parse_in_spec


def no_problems(spec: Spec) -> Iterable[Problem]:
    return ()


@dataclass(frozen=True)
class Capability:
    # The key of its spec section, and the name of its folder.
    name: str
    # The cerberus rules of its spec section (the section module's `SECTION`).
    rules: Mapping[str, Any]
    parse: SectionParser
    # What it requires of the other sections (a topic it names exists, an organization...).
    problems: Callable[[Spec], Iterable[Problem]] = no_problems
    # Declares its resources, reading what the capabilities before it built; None: spec only.
    build: Callable[[Baseline], None] | None = None
    # Its `baseline audit` checks, and its `baseline audit --organization` coverage.
    audits: tuple[ServiceAudit, ...] = ()
    coverage: tuple[ServiceCoverage, ...] = ()

    @property
    def api_calls(self) -> tuple[ApiCall, ...]:
        """Every AWS API call its audit and coverage make, each once: the auditor role's
        permissions."""
        audited = [call for service in self.audits for call in service.api_calls]
        covered = [call for service in self.coverage for call in service.api_calls]
        return tuple(dict.fromkeys((*audited, *covered)))
