"""Coverage on the console: accounts x services, with the gaps of each service counted.

A cell sums up the account's regions: `ok` (covered wherever the service is expected),
`MISSING(n)` / `ERROR(n)` (in n regions), `SKIP` (expected nowhere). The last row counts, per
service, the accounts with a gap (MISSING somewhere).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from baseline.audit.coverage.model import Coverage, CoverageStatus

ACCOUNT_HEADER = ("ACCOUNT", "NAME")
GAPS_LABEL = "accounts with a gap"
_PROBLEMS = (CoverageStatus.MISSING, CoverageStatus.ERROR)


def cell(statuses: Iterable[CoverageStatus]) -> str:
    counts = Counter(statuses)
    problems = [f"{status.value}({counts[status]})" for status in _PROBLEMS if counts[status]]
    if problems:
        return ",".join(problems)
    return "ok" if counts[CoverageStatus.COVERED] else CoverageStatus.SKIP.value


def _grid(
    entries: Sequence[Coverage],
) -> tuple[list[str], dict[str, str], dict[tuple[str, str], list[CoverageStatus]]]:
    services = list(dict.fromkeys(entry.service for entry in entries))
    names: dict[str, str] = {}
    statuses: dict[tuple[str, str], list[CoverageStatus]] = {}
    for entry in entries:
        names.setdefault(entry.account, entry.name)
        statuses.setdefault((entry.account, entry.service), []).append(entry.status)
    return services, names, statuses


def gaps_by_service(entries: Sequence[Coverage]) -> dict[str, int]:
    """Service -> how many accounts are MISSING it in some region."""
    services, _, statuses = _grid(entries)
    return {
        service: sum(
            CoverageStatus.MISSING in found
            for (_, of_service), found in statuses.items()
            if of_service == service
        )
        for service in services
    }


def render_coverage(entries: Sequence[Coverage]) -> str:
    services, names, statuses = _grid(entries)
    gaps = gaps_by_service(entries)
    rows = [(*ACCOUNT_HEADER, *services)]
    rows += [
        (account, name, *(cell(statuses[(account, service)]) for service in services))
        for account, name in names.items()
    ]
    rows.append((GAPS_LABEL, "", *(str(gaps[service]) for service in services)))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def summarize_coverage(entries: Sequence[Coverage]) -> Mapping[str, int]:
    """How many entries have each status, every status present (zero included)."""
    return {status.value: sum(e.status is status for e in entries) for status in CoverageStatus}


def coverage_summary_line(entries: Sequence[Coverage]) -> str:
    accounts = {entry.account for entry in entries}
    regions = {entry.region for entry in entries}
    with_gap = {entry.account for entry in entries if entry.status is CoverageStatus.MISSING}
    counts = summarize_coverage(entries)
    parts = ", ".join(f"{counts[status.value]} {status.value}" for status in CoverageStatus)
    return (
        f"{len(accounts)} accounts x {len(regions)} regions: {len(with_gap)} accounts with a "
        f"gap ({len(entries)} entries: {parts})"
    )
