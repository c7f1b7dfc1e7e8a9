"""The audit's results as a table with a summary line, or as one JSON object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from baseline.audit.model import CheckResult, Status, summarize

HEADER = ("STATUS", "CHECK", "ACCOUNT", "REGION", "RESOURCE", "REASON")


def render_table(results: Sequence[CheckResult]) -> str:
    rows = [HEADER] + [
        (r.status.value, r.check_id, r.account or "-", r.region, r.resource, r.reason)
        for r in results
    ]
    # Every column but the last (the reason) is padded to its widest cell.
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER) - 1)]
    lines = [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)), row[-1]]
        )
        for row in rows
    ]
    return "\n".join(lines)


def summary_line(results: Sequence[CheckResult]) -> str:
    counts = summarize(results)
    parts = ", ".join(f"{counts[status.value]} {status.value}" for status in Status)
    line = f"{len(results)} results: {parts}"
    if counts[Status.ERROR.value]:
        line += " (ERROR: the check could not run, see its reason)"
    return line


def audit_json(
    stack: str, project: str, account: str, results: Sequence[CheckResult]
) -> dict[str, Any]:
    return {
        "stack": stack,
        "project": project,
        "account": account,
        "results": [result.to_json() for result in results],
        "summary": dict(summarize(results)),
    }
