"""A compliance report: per framework control, its status and the evidence behind it.

Evidence comes from sources, policies of the pack, `baseline audit` checks (and the
organization's coverage, joining the controls of a check) or guardrails of the organization
policies, each holding items (a resource and what was found about it). A source's status, and a
control's, is the worst of what it holds: any FAIL fails it, then ERROR (a check could not run),
then PASS; NOT EVALUATED only when nothing was evaluated at all. A control of the framework's
catalogue that nothing of the baseline supports is NOT IMPLEMENTED: listed, so that the
framework's coverage is a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from baseline.report.mapping import ComplianceMapping


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    # The check could not run (an API error during the audit).
    ERROR = "ERROR"
    # Nothing to look at: no resource of the policy's types, a skipped or disabled check, or
    # a source this kind of report does not run (audit checks in a preview report).
    NOT_EVALUATED = "NOT EVALUATED"
    # Nothing of the baseline supports the control (a control of the framework's catalogue).
    NOT_IMPLEMENTED = "NOT IMPLEMENTED"


WORST_FIRST = (Status.FAIL, Status.ERROR, Status.PASS, Status.NOT_EVALUATED)

POLICY = "policy"
AUDIT_CHECK = "audit check"
GUARDRAIL = "guardrail"


def combined(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((status for status in WORST_FIRST if status in present), Status.NOT_EVALUATED)


@dataclass(frozen=True)
class Item:
    """One piece of evidence: what was looked at, and what was found."""

    status: Status
    subject: str
    detail: str


@dataclass(frozen=True)
class Source:
    """A policy or an audit check, with its evidence; `note` says why there is none."""

    kind: str
    name: str
    description: str = ""
    items: tuple[Item, ...] = ()
    note: str = ""

    @property
    def status(self) -> Status:
        return combined(item.status for item in self.items)


@dataclass(frozen=True)
class Control:
    id: str
    sources: tuple[Source, ...]
    title: str = ""

    @property
    def status(self) -> Status:
        if not self.sources:
            return Status.NOT_IMPLEMENTED
        return combined(source.status for source in self.sources)


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    version: str
    specification: str
    controls: tuple[Control, ...]
    # Whether `controls` lists the whole framework (its catalogue), so that coverage means
    # something.
    catalogued: bool = False

    def counts(self) -> dict[Status, int]:
        """How many controls have each status, every status present (zero included)."""
        return {status: sum(c.status is status for c in self.controls) for status in Status}

    def coverage(self) -> str:
        """ "21 of 62 (34%)": the controls something supports, of the whole framework; "-"
        when the mapping has no catalogue of the framework."""
        if not self.catalogued or not self.controls:
            return "-"
        implemented = sum(bool(control.sources) for control in self.controls)
        total = len(self.controls)
        return f"{implemented} of {total} ({round(100 * implemented / total)}%)"


@dataclass(frozen=True)
class Report:
    title: str
    # What the evidence is: which plan or which audit, and of what.
    basis: str
    generated: str
    frameworks: tuple[Framework, ...]

    @property
    def failed(self) -> bool:
        return any(c.status is Status.FAIL for f in self.frameworks for c in f.controls)


def frameworks_of(
    mapping: ComplianceMapping,
    policies: Mapping[str, Source],
    checks: Mapping[str, Source],
    companions: Mapping[str, Sequence[Source]] | None = None,
    guardrails: Mapping[str, Source] | None = None,
) -> tuple[Framework, ...]:
    """Every framework of the mapping with each control its policies, checks and guardrails
    support, and the rest of its catalogue.

    `policies` and `checks` hold a source for every name the mapping uses; `companions`, by
    check id, more sources that support the controls of that check (organization coverage);
    `guardrails`, by Sid, the guardrails' sources (NOT EVALUATED where absent).
    """
    joined = companions or {}
    found = guardrails or {}
    frameworks = []
    for key, info in mapping.frameworks.items():
        controls = tuple(
            Control(
                control,
                tuple(policies[name] for name in supporters.policies)
                + tuple(checks[check] for check in supporters.checks)
                + tuple(source for check in supporters.checks for source in joined.get(check, ()))
                + tuple(
                    found.get(sid) or Source(GUARDRAIL, sid, note="not evaluated in this report")
                    for sid in supporters.guardrails
                ),
                mapping.title(key, control),
            )
            for control, supporters in mapping.controls(key).items()
        )
        frameworks.append(
            Framework(
                key,
                info["name"],
                info["version"],
                info["specification"],
                controls,
                catalogued=key in mapping.catalog,
            )
        )
    return tuple(frameworks)
