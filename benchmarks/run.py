"""`python -m benchmarks.run [--quick] [--rounds N] [--output FILE | --update]`: measure,
print, write.

The program and the policy pack against their floors (benchmarks.floor) for the prod stack and
app projects, previews of generated projects (benchmarks.measure) and the organization audit at
scale (benchmarks.audit). The results go to build/bench/results.md, outside the tracked tree, so
that a run on any machine leaves the repository clean; `--update` (`make bench UPDATE=1`)
writes the tracked benchmarks/results.md instead, for a commit of new reference figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.audit import AuditMeasurement, measure_audit
from benchmarks.floor import ROUNDS, measure_floors
from benchmarks.floor_report import FloorResults
from benchmarks.machine import describe_machine
from benchmarks.measure import BenchmarkError, Measurement, measure
from benchmarks.projects import (
    BENCH_STACK,
    ROOT,
    prod_region_count,
    write_app_project,
    write_region_project,
)
from benchmarks.report import Family, render
from benchmarks.worker import POLICY_CONFIG, POLICY_PACK

REGION_COUNTS = (1, 4, 17)
APP_SIZES = (10, 100, 1000)
QUICK_REGION_COUNTS = (1,)
QUICK_APP_SIZES = (10,)
# App projects measured against their floors (with the prod stack, unless --quick).
FLOOR_APP_SIZES = (100, 1000)
QUICK_FLOOR_APP_SIZES = (10,)
QUICK_ROUNDS = 2
# Organization audits: (accounts, regions).
AUDIT_SIZES = ((100, 17), (1000, 17))
QUICK_AUDIT_SIZES = ((50, 2),)
TRACKED_OUTPUT = Path(__file__).resolve().parent / "results.md"
DEFAULT_OUTPUT = ROOT / "build" / "bench" / "results.md"


def _progress(label: str) -> None:
    print(f"measuring {label} ...", file=sys.stderr, flush=True)


def _measure_generated(
    name: str, scratch: Path, write: Callable[[Path, int], Path], size: int
) -> Measurement:
    _progress(name)
    return measure(write(scratch / name, size), BENCH_STACK)


def measure_regions(scratch: Path, counts: Sequence[int], prod: Measurement | None) -> Family:
    rows = tuple(
        (str(count), _measure_generated(f"regions-{count}", scratch, write_region_project, count))
        for count in counts
    )
    reference = () if prod is None else ((f"prod ({prod_region_count()} regions)", prod),)
    return Family("Baseline spec by enabled regions", "regions", rows, reference)


def measure_apps(scratch: Path, sizes: Sequence[int]) -> Family:
    rows = tuple(
        (str(size), _measure_generated(f"app-{size}", scratch, write_app_project, size))
        for size in sizes
    )
    return Family("App project by target size", "target", rows)


def measure_audits(sizes: Sequence[tuple[int, int]]) -> list[AuditMeasurement]:
    measured = []
    for accounts, regions in sizes:
        _progress(f"organization audit, {accounts} accounts x {regions} regions")
        measured.append(measure_audit(accounts, regions))
    return measured


def measure_against_floors(
    scratch: Path, sizes: Sequence[int], rounds: int, with_prod: bool
) -> FloorResults:
    """The prod stack (unless not `with_prod`) and app projects of `sizes`, each program and
    pack against its floor; the pack with the prod config, as in the other tables."""
    prod = None
    if with_prod:
        _progress(f"prod stack against its floors, {rounds} rounds")
        prod = measure_floors(ROOT, "prod", POLICY_PACK, POLICY_CONFIG, rounds)
    apps = []
    for size in sizes:
        _progress(f"app-{size} against its floors, {rounds} rounds")
        project = write_app_project(scratch / f"floor-app-{size}", size)
        measured = measure_floors(project, BENCH_STACK, POLICY_PACK, POLICY_CONFIG, rounds)
        apps.append((f"app {size}", measured))
    return FloorResults(prod, tuple(apps))


def measure_prod() -> Measurement:
    _progress("prod stack")
    return measure(ROOT, "prod")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 region, 10 resources, a 50-account audit in 2 regions; no prod stack",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        metavar="N",
        help=f"rounds of each floor comparison (default {ROUNDS}, {QUICK_ROUNDS} with --quick)",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, metavar="FILE", help="default: %(default)s"
    )
    where.add_argument(
        "--update", action="store_true", help=f"write the tracked {TRACKED_OUTPUT.name} instead"
    )
    args = parser.parse_args(argv)
    output: Path = TRACKED_OUTPUT if args.update else args.output
    regions = QUICK_REGION_COUNTS if args.quick else REGION_COUNTS
    apps = QUICK_APP_SIZES if args.quick else APP_SIZES
    audit_sizes = QUICK_AUDIT_SIZES if args.quick else AUDIT_SIZES
    floor_sizes = QUICK_FLOOR_APP_SIZES if args.quick else FLOOR_APP_SIZES
    rounds = args.rounds or (QUICK_ROUNDS if args.quick else ROUNDS)
    machine, started = describe_machine(), datetime.now(UTC)
    try:
        with tempfile.TemporaryDirectory(prefix="baseline-bench-") as scratch:
            floors = measure_against_floors(Path(scratch), floor_sizes, rounds, not args.quick)
            prod = None if args.quick else measure_prod()
            region_family = measure_regions(Path(scratch), regions, prod)
            app_family = measure_apps(Path(scratch), apps)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    audits = measure_audits(audit_sizes)
    document = render(
        machine.ended(), started, [region_family, app_family], prod, audits, floors=floors
    )
    print(document, end="")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print(f"written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
