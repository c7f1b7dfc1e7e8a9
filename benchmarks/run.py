"""`python -m benchmarks.run [--quick] [--output FILE | --update]`: measure, print, write.

Previews of generated projects (benchmarks.measure) and the organization audit at scale
(benchmarks.audit). The results go to build/bench/results.md, outside the tracked tree, so
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

REGION_COUNTS = (1, 4, 17)
APP_SIZES = (10, 100, 1000)
QUICK_REGION_COUNTS = (1,)
QUICK_APP_SIZES = (10,)
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
    machine, started = describe_machine(), datetime.now(UTC)
    try:
        prod = None if args.quick else measure_prod()
        with tempfile.TemporaryDirectory(prefix="baseline-bench-") as scratch:
            region_family = measure_regions(Path(scratch), regions, prod)
            app_family = measure_apps(Path(scratch), apps)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    audits = measure_audits(audit_sizes)
    document = render(machine.ended(), started, [region_family, app_family], prod, audits)
    print(document, end="")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(document, encoding="utf-8")
    print(f"written to {output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
