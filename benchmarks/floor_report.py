"""The floor comparisons as markdown: each cost beside its floor, their ratio, their slopes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from benchmarks.floor import FloorMeasurement

RATIO_TARGET = 1.5

FLOOR_COLUMNS = (
    "resources",
    "program floor s",
    "program s",
    "program/floor",
    "no-op pack s",
    "pack s",
    "pack/no-op",
    "rounds",
)

FLOOR_HOW = """\
Absolute seconds drift on a shared machine, so each cost is set beside the same engine doing
the least possible work, measured in the same run, alternately (floor, project, floor,
project, ...), each run in a fresh process; the seconds are medians over the rounds and the
ratio is the median of the rounds' own ratios.

- program floor s: a replay of the program's own plan under the same offline engine (mocks,
  monitor, `run_inline`): every resource registered bare (`pulumi.CustomResource`,
  `ComponentResource`, `ProviderResource`) with the same type token, name, parent, provider,
  dependencies and inputs, after importing the pulumi_aws packages the program loaded and
  under the garbage collector settings the program left (the baseline's `__main__.py` tunes
  them for a batch run; the generated app projects do not); the replay is checked to
  register exactly that plan. program s: the program as `baseline
  preview` runs it (`run_project`), imports of the project's modules and pulumi_aws included
  in both. The bare floor skips what pulumi_aws's resource classes do for each registration
  (an Output per declared property, translation through type metadata, source positions from
  the stack), so part of each ratio is that, not the project's own logic.
- no-op pack s: a pack of one resource policy that does nothing; pack s: the real pack with
  `policies/config/prod.json`. Both through the same analyzer plugin protocol over the same
  plan (`analyze`: the plugin's start, Analyze for every resource, AnalyzeStack once)."""


@dataclass(frozen=True)
class FloorResults:
    """The prod stack (None with --quick) and the app projects, by label, against floors."""

    prod: FloorMeasurement | None
    apps: tuple[tuple[str, FloorMeasurement], ...]


@dataclass(frozen=True)
class FloorSlope:
    """What each resource added between two sizes costs, in ms, beside its floor's cost."""

    start: str
    end: str
    program_floor_ms: float
    program_ms: float
    noop_pack_ms: float
    pack_ms: float


def _per_added(small: float, large: float, added: int) -> float:
    return (large - small) * 1000 / added


def floor_slopes(rows: Sequence[tuple[str, FloorMeasurement]]) -> list[FloorSlope]:
    found = []
    for (start, small), (end, large) in pairwise(rows):
        added = large.resources - small.resources
        if added <= 0:
            continue
        found.append(
            FloorSlope(
                start=start,
                end=end,
                program_floor_ms=_per_added(
                    small.program.floor_seconds, large.program.floor_seconds, added
                ),
                program_ms=_per_added(
                    small.program.project_seconds, large.program.project_seconds, added
                ),
                noop_pack_ms=_per_added(
                    small.policy.floor_seconds, large.policy.floor_seconds, added
                ),
                pack_ms=_per_added(
                    small.policy.project_seconds, large.policy.project_seconds, added
                ),
            )
        )
    return found


def _row(label: str, m: FloorMeasurement) -> str:
    cells = (
        label,
        str(m.resources),
        f"{m.program.floor_seconds:.2f}",
        f"{m.program.project_seconds:.2f}",
        f"{m.program.ratio:.2f}",
        f"{m.policy.floor_seconds:.2f}",
        f"{m.policy.project_seconds:.2f}",
        f"{m.policy.ratio:.2f}",
        str(min(m.program.rounds, m.policy.rounds)),
    )
    return "| " + " | ".join(cells) + " |"


def _verdict(ratio: float) -> str:
    return "met" if ratio <= RATIO_TARGET else "NOT met"


def _targets(prod: FloorMeasurement | None) -> list[str]:
    if prod is None:
        return ["- prod stack: not measured (--quick)"]
    return [
        f"- prod program within {RATIO_TARGET}x its floor: {prod.program.ratio:.2f}x, "
        + _verdict(prod.program.ratio),
        f"- prod pack within {RATIO_TARGET}x the no-op pack: {prod.policy.ratio:.2f}x, "
        + _verdict(prod.policy.ratio),
    ]


def floor_section(results: FloorResults) -> list[str]:
    header = ("project", *FLOOR_COLUMNS)
    prod = () if results.prod is None else (("prod", results.prod),)
    rows = (*prod, *results.apps)
    lines = [
        "## Against the floor",
        "",
        FLOOR_HOW,
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *(_row(label, m) for label, m in rows),
        "",
        "## Against the floor: the cost of each added resource",
        "",
    ]
    found = floor_slopes(results.apps)
    if found:
        lines += [
            "| projects | program floor ms | program ms | no-op pack ms | pack ms |",
            "|---|---|---|---|---|",
            *(
                f"| {s.start} to {s.end} | {s.program_floor_ms:.2f} | {s.program_ms:.2f} "
                f"| {s.noop_pack_ms:.2f} | {s.pack_ms:.2f} |"
                for s in found
            ),
        ]
    else:
        lines.append("Needs two sizes of app project (not measured with --quick).")
    lines += [
        "",
        "## Against the floor: targets (compared, never asserted)",
        "",
        *_targets(results.prod),
        "",
    ]
    return lines
