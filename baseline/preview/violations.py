"""Policy violations for people: a table, mandatory first, and the counts behind the exit code."""

from __future__ import annotations

from collections.abc import Sequence

from baseline.preview.encoding import urn_name
from baseline.preview.model import Violation

_ORDER = {"mandatory": 0, "advisory": 1}
_HEADERS = ("ENFORCEMENT", "POLICY", "RESOURCE", "MESSAGE")


def render_violations(violations: Sequence[Violation]) -> str:
    """A plain-text table (enforcement, policy, resource, message) and a count line.

    Mandatory violations come first, then by policy and resource. The resource is the name at
    the end of its URN; the message is what the policy reported, without the policy's
    description that Pulumi puts in front of it.
    """
    if not violations:
        return "No policy violations."
    rows = [
        (v.enforcement, v.policy, urn_name(v.urn), violation_detail(v))
        for v in sorted(violations, key=_sort_key)
    ]
    widths = [max(len(row[column]) for row in [_HEADERS, *rows]) for column in range(3)]
    lines = [_format_row(row, widths) for row in [_HEADERS, *rows]]
    counts = summarize(violations)
    lines.append("")
    lines.append(
        f"{counts['total']} policy violations: "
        f"{counts['mandatory']} mandatory, {counts['advisory']} advisory"
    )
    return "\n".join(lines)


def summarize(violations: Sequence[Violation]) -> dict[str, int]:
    """Counts by enforcement: `{"mandatory": n, "advisory": n, "total": n}`."""
    mandatory = sum(1 for v in violations if v.enforcement == "mandatory")
    return {
        "mandatory": mandatory,
        "advisory": len(violations) - mandatory,
        "total": len(violations),
    }


def violation_detail(violation: Violation) -> str:
    """The policy's own words for this resource, on one line.

    The policy SDK sends `description + "\\n" + message`; a violation reported without a
    message is its description alone.
    """
    message = violation.message
    prefix = f"{violation.description}\n"
    if violation.description and message.startswith(prefix):
        message = message[len(prefix) :]
    return " ".join(message.split())


def _sort_key(violation: Violation) -> tuple[int, str, str, str]:
    return (
        _ORDER.get(violation.enforcement, 2),
        violation.policy,
        violation.urn,
        violation.message,
    )


def _format_row(row: tuple[str, str, str, str], widths: list[int]) -> str:
    cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
    return "  ".join([*cells, row[3]]).rstrip()
