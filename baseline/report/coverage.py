"""Organization coverage as evidence: each service's coverage supports the controls of the
audit check that says the same of one account (GuardDuty coverage, the controls of
`guardduty.detector-enabled`), so the compliance mapping needs no rows of its own.

A thousand accounts in seventeen regions would bury the report: a service's evidence is
one item per account and problem (its regions listed), one item counting the accounts
covered wherever the service is expected, and one per reason for skipping.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from baseline.audit.coverage.model import Coverage, CoverageStatus
from baseline.audit.coverage.runner import SERVICES
from baseline.report.model import Item, Source, Status

COVERAGE = "organization coverage"
# Coverage of each service -> the audit check whose controls it supports.
SUPPORTED_CHECK: Mapping[str, str] = {
    service.name: service.account_check.id
    for service in SERVICES
    if service.account_check is not None
}
REPORT_STATUS = {
    CoverageStatus.COVERED: Status.PASS,
    CoverageStatus.MISSING: Status.FAIL,
    CoverageStatus.ERROR: Status.ERROR,
    CoverageStatus.SKIP: Status.NOT_EVALUATED,
}
_DESCRIPTIONS = {service.name: service.description for service in SERVICES}


def coverage_sources(entries: Sequence[Coverage]) -> dict[str, tuple[Source, ...]]:
    """Audit check id -> the coverage sources that join it under its controls."""
    by_service: dict[str, list[Coverage]] = defaultdict(list)
    for entry in entries:
        by_service[entry.service].append(entry)
    return {
        SUPPORTED_CHECK[service]: (
            Source(COVERAGE, service, _DESCRIPTIONS.get(service, ""), coverage_items(found)),
        )
        for service, found in by_service.items()
        if service in SUPPORTED_CHECK
    }


def coverage_items(entries: Sequence[Coverage]) -> tuple[Item, ...]:
    by_account: dict[str, list[Coverage]] = defaultdict(list)
    for entry in entries:
        by_account[entry.account].append(entry)
    problems: list[Item] = []
    covered = 0
    skipped: dict[str, int] = defaultdict(int)
    for account_entries in by_account.values():
        statuses = {entry.status for entry in account_entries}
        if statuses & {CoverageStatus.MISSING, CoverageStatus.ERROR}:
            problems.extend(_problem_items(account_entries))
        elif CoverageStatus.COVERED in statuses:
            covered += 1
        else:
            skipped[account_entries[0].reason] += 1
    items = problems
    if covered:
        items.append(Item(Status.PASS, _accounts(covered), "covered wherever expected"))
    items += [
        Item(Status.NOT_EVALUATED, _accounts(count), f"skipped: {reason}")
        for reason, count in skipped.items()
    ]
    return tuple(items)


def _problem_items(entries: Sequence[Coverage]) -> list[Item]:
    """One item per status and reason of one account's gaps and errors, its regions listed."""
    regions: dict[tuple[CoverageStatus, str], list[str]] = defaultdict(list)
    for entry in entries:
        if entry.status in (CoverageStatus.MISSING, CoverageStatus.ERROR):
            regions[(entry.status, entry.reason)].append(entry.region)
    first = entries[0]
    subject = (
        f"account {first.account} ({first.name})" if first.name else f"account {first.account}"
    )
    return [
        Item(REPORT_STATUS[status], subject, f"{status.value} in {', '.join(where)}: {reason}")
        for (status, reason), where in regions.items()
    ]


def _accounts(count: int) -> str:
    return f"{count} account" + ("" if count == 1 else "s")
