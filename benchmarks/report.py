"""The results as markdown: one table per family, the scaling between sizes, the targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from benchmarks.audit import AuditMeasurement
from benchmarks.floor_report import FloorResults, floor_section
from benchmarks.machine import Machine
from benchmarks.measure import Measurement

PREVIEW_TARGET_SECONDS = 5.0
POLICY_TARGET_MS_PER_RESOURCE = 1.0
# Memory grows linearly when the per-resource slope stays flat as sizes grow; a slope that
# grows with the size (as it would for quadratic growth) shows as a ratio well above 1.
LINEAR_SLOPE_RATIO = 1.5

COLUMNS = (
    "resources",
    "program s",
    "policy s",
    "preview s",
    "policy ms/resource",
    "program peak MB",
    "pack peak MB",
    "mandatory violations",
)


@dataclass(frozen=True)
class Family:
    """Measurements of one kind of project at growing sizes; `reference` rows are shown in
    the table but are not a size of the series (the prod stack among the region specs)."""

    title: str
    size_header: str
    rows: tuple[tuple[str, Measurement], ...]
    reference: tuple[tuple[str, Measurement], ...] = ()


@dataclass(frozen=True)
class Slope:
    """The cost of each resource added between two sizes of a family."""

    family: str
    start: str
    end: str
    program_ms: float
    policy_ms: float
    program_kib: float
    pack_kib: float


def slopes(family: Family) -> list[Slope]:
    found = []
    for (start, small), (end, large) in pairwise(family.rows):
        added = large.resources - small.resources
        if added <= 0:
            continue
        found.append(
            Slope(
                family=family.title,
                start=start,
                end=end,
                program_ms=(large.program_seconds - small.program_seconds) * 1000 / added,
                policy_ms=(large.policy_seconds - small.policy_seconds) * 1000 / added,
                program_kib=(large.program_peak_kib - small.program_peak_kib) / added,
                pack_kib=(large.pack_peak_kib - small.pack_peak_kib) / added,
            )
        )
    return found


def _row(size: str, m: Measurement) -> str:
    cells = (
        size,
        str(m.resources),
        f"{m.program_seconds:.2f}",
        f"{m.policy_seconds:.2f}",
        f"{m.preview_seconds:.2f}",
        f"{m.policy_ms_per_resource:.2f}",
        f"{m.program_peak_mb:.0f}",
        f"{m.pack_peak_mb:.0f}",
        str(len(_mandatory(m.violations))),
    )
    return "| " + " | ".join(cells) + " |"


def family_table(family: Family) -> list[str]:
    header = (family.size_header, *COLUMNS)
    lines = [
        f"## {family.title}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += [_row(size, m) for size, m in (*family.rows, *family.reference)]
    return [*lines, ""]


def scaling_table(families: Sequence[Family]) -> list[str]:
    found = [slope for family in families for slope in slopes(family)]
    lines = ["## Scaling: the cost of each added resource", ""]
    if not found:
        return [*lines, "Needs two sizes of a family (not measured with --quick).", ""]
    lines += [
        "| family | sizes | program ms | policy ms | program KiB | pack KiB |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.family} | {s.start} to {s.end} | {s.program_ms:.2f} | {s.policy_ms:.2f} "
        f"| {s.program_kib:.0f} | {s.pack_kib:.0f} |"
        for s in found
    ]
    return [*lines, ""]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _preview_target(prod: Measurement | None) -> str:
    if prod is None:
        return "not measured (--quick)"
    met = prod.preview_seconds <= PREVIEW_TARGET_SECONDS
    return (
        f"{prod.preview_seconds:.2f} s ({prod.plan_seconds:.2f} s plan, "
        f"{prod.policy_seconds:.2f} s policies): {_verdict(met)}"
    )


def _policy_target(families: Sequence[Family]) -> list[str]:
    """Judged on the cost of each added resource: the pack's start is paid once a preview."""
    lines = []
    for family in families:
        size, largest = family.rows[-1]
        text = f"{family.title}, {size}: {largest.policy_ms_per_resource:.2f} ms overall"
        found = slopes(family)
        if found:
            added = found[-1].policy_ms
            text += f", {added:.2f} ms per added resource: "
            text += _verdict(added <= POLICY_TARGET_MS_PER_RESOURCE)
        else:
            text += " (pack start included; no added-resource cost with --quick)"
        lines.append(f"  - {text}")
    return lines


def _growth(process: str, first: float, last: float) -> str:
    if first <= 0:
        shape = "no growth measurable over the first step: cannot judge"
    elif last / first <= LINEAR_SLOPE_RATIO:
        shape = "at most linear"
    else:
        shape = "faster than linear"
    return f"{process} {first:.0f} then {last:.0f} KiB per added resource ({shape})"


def _memory_target(families: Sequence[Family]) -> list[str]:
    lines = []
    for family in families:
        found = slopes(family)
        if len(found) < 2:
            lines.append(f"  - {family.title}: needs three sizes (not measured with --quick)")
            continue
        first, last = found[0], found[-1]
        program = _growth("program", first.program_kib, last.program_kib)
        pack = _growth("pack", first.pack_kib, last.pack_kib)
        lines.append(f"  - {family.title}: {program}; {pack}")
    return lines


def targets(families: Sequence[Family], prod: Measurement | None) -> list[str]:
    return [
        "## Targets (compared, never asserted)",
        "",
        f"- prod stack previewed with the pack in at most {PREVIEW_TARGET_SECONDS:.0f} s: "
        + _preview_target(prod),
        f"- policy analysis at most {POLICY_TARGET_MS_PER_RESOURCE:.0f} ms per resource "
        "(largest size of each family; the pack's start is paid once per preview):",
        *_policy_target(families),
        "- memory growing linearly (peak of each subprocess):",
        *_memory_target(families),
        "",
    ]


def _mandatory(violations: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    return [v for v in violations if v["enforcement"] == "mandatory"]


def violations_section(families: Sequence[Family]) -> list[str]:
    """The violations found: the tables count the mandatory ones, which fail a preview;
    advisory ones (prod's reminder about its Shield Advanced subscription) are listed too."""
    lines = ["## Violations", ""]
    found = [
        (size, v)
        for family in families
        for size, m in (*family.rows, *family.reference)
        for v in m.violations
    ]
    if not any(v["enforcement"] == "mandatory" for _, v in found):
        lines.append("None: every previewed project is compliant with the pack.")
    lines += [
        f"- {size}: {v['enforcement']} {v['policy']} on {v['urn']}: {v['message']}"
        for size, v in found
    ]
    return [*lines, ""]


HOW = """\
## How

Each stack is previewed offline as `baseline preview --policy-pack policies
--policy-pack-config policies/config/prod.json` does it: `plan_project` runs the Pulumi
program in a subprocess under the AWS-shaped mocks, and `analyze` runs the real policy pack
through its analyzer plugin, every resource then the whole stack.

- program s: the program's own run, as the plan reports it (imports and subprocess start
  excluded); preview s: the plan phase including them, plus policy s.
- policy s: all of `analyze`, the pack's start included (hence a higher cost per resource on
  small projects); the scaling table gives the cost of each added resource.
- peak MB: maximum resident set of the program subprocess, and of the pack's analyzer plugin.
  Each phase runs in a fresh worker process whose only child is that subprocess, so the
  worker's `getrusage(RUSAGE_CHILDREN).ru_maxrss` is that child's own peak.
- Regions: the prod spec with its first N of the 17 regions enabled by default in every
  account. App project: one ManagedKey, SecureBuckets (7 resources each) for about half of
  the target and KMS-encrypted SNS topics for the rest.
"""


AUDIT_COLUMNS = ("accounts", "regions", "entries", "MISSING", "API calls", "seconds", "ms/account")

AUDIT_HOW = """\
`baseline audit --organization` runs its real coverage code (role assumption, the account
list, each service's reads in its thread pool, one entry per account, service and region)
against a synthetic organization answered in process: a botocore `before-call` hook answers
each call after botocore has validated and serialized it, and counts it. Lists are read at
the largest page size each API allows, so the calls are those a real run makes; the seconds
exclude AWS's latency (multiply the longest chain of pages, the Firewall Manager and Config
lists, by a round trip to estimate a real run). One account in 50 is missing from each
member list, so the audit has gaps to find."""


def audit_section(audits: Sequence[AuditMeasurement]) -> list[str]:
    if not audits:
        return []
    lines = [
        "## Organization audit by accounts (stubbed AWS)",
        "",
        AUDIT_HOW,
        "",
        "| " + " | ".join(AUDIT_COLUMNS) + " |",
        "|" + "|".join("---" for _ in AUDIT_COLUMNS) + "|",
    ]
    lines += [
        f"| {a.accounts} | {a.regions} | {a.entries} | {a.missing} | {a.calls} "
        f"| {a.seconds:.2f} | {a.ms_per_account:.2f} |"
        for a in audits
    ]
    largest = audits[-1]
    lines += [
        "",
        f"## Organization audit: calls by operation, {largest.accounts} accounts x "
        f"{largest.regions} regions",
        "",
        "| operation | calls |",
        "|---|---|",
        *(f"| {operation} | {count} |" for operation, count in largest.calls_by_operation.items()),
        "",
    ]
    return lines


def render(
    machine: Machine,
    when: datetime,
    families: Sequence[Family],
    prod: Measurement | None,
    audits: Sequence[AuditMeasurement] = (),
    *,
    floors: FloorResults | None = None,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m benchmarks.run`), started {when:%Y-%m-%d %H:%M} UTC.",
        "",
        "## Machine",
        "",
        *machine.lines(),
        "",
        HOW,
    ]
    if floors is not None:
        lines += floor_section(floors)
    for family in families:
        lines += family_table(family)
    lines += scaling_table(families)
    lines += targets(families, prod)
    lines += violations_section(families)
    lines += audit_section(audits)
    return "\n".join(lines).rstrip() + "\n"
