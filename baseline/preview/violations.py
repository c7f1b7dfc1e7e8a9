"""Policy violations for people: a table, mandatory first, and the counts behind the exit code."""

from __future__ import annotations

from collections.abc import Sequence

from baseline.preview.encoding import urn_name
from baseline.preview.model import EXEMPTIONS_POLICY, Exemption, Violation

_ORDER = {"mandatory": 0, "advisory": 1}
_HEADERS = ("ENFORCEMENT", "SEVERITY", "PACK", "POLICY", "RESOURCE", "MESSAGE")
_EXEMPTED = "exempted "


def render_violations(violations: Sequence[Violation]) -> str:
    """A plain-text table and a count line.

    Columns: enforcement, severity, pack, policy, resource, message; under each row, the
    policy's fix on one line. Mandatory violations come first, then by policy and resource.
    The resource is the name at the end of its URN; the message is what the policy reported,
    without the policy's description that Pulumi puts in front of it.
    """
    if not violations:
        return "No policy violations."
    ordered = sorted(violations, key=_sort_key)
    rows = [
        (v.enforcement, v.severity or "-", v.pack, v.policy, urn_name(v.urn), violation_detail(v))
        for v in ordered
    ]
    widths = [max(len(row[column]) for row in [_HEADERS, *rows]) for column in range(5)]
    lines = [_format_row(_HEADERS, widths)]
    for violation, row in zip(ordered, rows, strict=True):
        lines.append(_format_row(row, widths))
        if violation.remediation:
            lines.append(f"{'':{widths[0]}}  fix: {one_line(violation.remediation)}")
    counts = summarize(violations)
    lines.append("")
    lines.append(
        f"{counts['total']} policy violations: "
        f"{counts['mandatory']} mandatory, {counts['advisory']} advisory"
    )
    return "\n".join(lines)


def render_exemptions(exemptions: Sequence[Exemption]) -> str:
    """One line per exemption the packs reported: not violations, but never silent."""
    lines = [f"{len(exemptions)} exempted (not counted as violations):"]
    lines += [
        f"  {e.pack}/{e.policy}  {urn_name(e.urn)}: {e.reason}"
        for e in sorted(exemptions, key=lambda e: (e.policy, e.urn))
    ]
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
    return one_line(message)


def one_line(text: str) -> str:
    return " ".join(text.split())


def split_exemptions(
    violations: Sequence[Violation],
) -> tuple[tuple[Violation, ...], tuple[Exemption, ...]]:
    """Violations, and the exemptions a pack reported through its `policy-exemptions` policy.

    An exemption is a violation of that policy whose message reads `exempted <policy>:
    <reason>`; any other message of that policy (an exemption the pack could not apply) stays
    a violation.
    """
    kept: list[Violation] = []
    exemptions: list[Exemption] = []
    for violation in violations:
        exemption = _exemption(violation)
        if exemption is None:
            kept.append(violation)
        else:
            exemptions.append(exemption)
    return tuple(kept), tuple(exemptions)


def _exemption(violation: Violation) -> Exemption | None:
    detail = violation_detail(violation)
    if violation.policy != EXEMPTIONS_POLICY or not detail.startswith(_EXEMPTED):
        return None
    policy, separator, reason = detail[len(_EXEMPTED) :].partition(": ")
    if not (separator and policy and reason) or " " in policy:
        return None
    return Exemption(violation.pack, policy, violation.urn, reason)


def _sort_key(violation: Violation) -> tuple[int, str, str, str, str]:
    return (
        _ORDER.get(violation.enforcement, 2),
        violation.pack,
        violation.policy,
        violation.urn,
        violation.message,
    )


def _format_row(row: Sequence[str], widths: list[int]) -> str:
    cells = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
    return "  ".join([*cells, row[5]]).rstrip()
