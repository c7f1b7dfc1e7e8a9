"""The benchmark harness runs and writes a well-formed results table; times are never asserted."""

from __future__ import annotations

import contextlib
import re
import subprocess

import pytest

from baseline.regions import known_regions
from benchmarks import measure, run
from benchmarks.floor_report import FLOOR_COLUMNS
from benchmarks.measure import Measurement
from benchmarks.projects import (
    APP_FIXED_RESOURCES,
    RESOURCES_PER_BUCKET,
    ROOT,
    SPEC_KEY,
    app_composition,
    region_spec_config,
)
from benchmarks.report import COLUMNS, Family, slopes, targets
from benchmarks.run import DEFAULT_OUTPUT, TRACKED_OUTPUT, main
from tests.warm_fork import WarmForks

NUMBER = re.compile(r"\d+(\.\d+)?")


def _tables(document: str) -> dict[str, list[dict[str, str]]]:
    """Each `## title` section's markdown table, as rows keyed by the header."""
    tables: dict[str, list[dict[str, str]]] = {}
    for section in document.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        rows = [line for line in body.splitlines() if line.startswith("|")]
        if not rows:
            continue
        header, separator, *cells = (
            [cell.strip() for cell in row.strip("|").split("|")] for row in rows
        )
        assert set("".join(separator)) == {"-"}
        assert all(len(row) == len(header) for row in cells)
        tables[title] = [dict(zip(header, row, strict=True)) for row in cells]
    return tables


@pytest.fixture(scope="module")
def quick_results(
    tmp_path_factory: pytest.TempPathFactory, warm_forks: WarmForks
) -> tuple[str, str]:
    """A quick run asked to update the tracked results, which point into a scratch directory.

    Its phases, and their programs and packs, are forked from the run's warm interpreter
    (tests/warm_fork.py): the same code, without a cold start each; times are not asserted.
    """
    output = tmp_path_factory.mktemp("bench") / "results.md"
    capture = tmp_path_factory.mktemp("stdout") / "stdout.md"
    with (
        pytest.MonkeyPatch.context() as patch,
        capture.open("w") as stdout,
        contextlib.redirect_stdout(stdout),
        warm_forks.serving(measure),
    ):
        patch.setattr(run, "TRACKED_OUTPUT", output)
        assert main(["--quick", "--update"]) == 0
    return output.read_text(), capture.read_text()


def test_results_go_outside_the_tracked_tree_unless_updating() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", str(DEFAULT_OUTPUT)], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0
    assert DEFAULT_OUTPUT.is_relative_to(ROOT / "build")
    assert TRACKED_OUTPUT == ROOT / "benchmarks" / "results.md"


def test_quick_run_prints_what_it_writes(quick_results: tuple[str, str]) -> None:
    written, printed = quick_results
    assert printed == written


def test_quick_run_describes_the_machine(quick_results: tuple[str, str]) -> None:
    written, _ = quick_results
    machine = written.split("## Machine\n", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"- CPU: .+, \d+ cores", machine)
    assert re.search(r"- Memory: \d+\.\d GiB", machine)
    assert re.search(r"- Python 3\.\d+\.\d+; pulumi 3\.\d+\.\d+, pulumi-policy \d+\.", machine)
    assert re.search(r"- Load average .*: \d+\.\d\d, \d+\.\d\d$", machine, re.MULTILINE)
    assert re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d UTC", written)


def test_quick_run_writes_one_table_per_family(quick_results: tuple[str, str]) -> None:
    tables = _tables(quick_results[0])
    regions = tables["Baseline spec by enabled regions"]
    apps = tables["App project by target size"]
    assert [row["regions"] for row in regions] == ["1"]
    assert [row["target"] for row in apps] == ["10"]
    for row in (*regions, *apps):
        assert all(NUMBER.fullmatch(row[column]) for column in COLUMNS), row


def test_quick_app_project_has_its_target_size_and_no_violation(
    quick_results: tuple[str, str],
) -> None:
    tables = _tables(quick_results[0])
    (app,) = tables["App project by target size"]
    (region,) = tables["Baseline spec by enabled regions"]
    assert app["resources"] == "10"
    assert app["mandatory violations"] == "0"
    assert region["mandatory violations"] == "0"
    # One region of the organization baseline is far more than an app's handful.
    assert int(region["resources"]) > 100
    assert "None: every previewed project is compliant" in quick_results[0]


@pytest.mark.parametrize("target", [10, 100, 1000])
def test_app_composition_reaches_the_target_exactly(target: int) -> None:
    buckets, topics = app_composition(target)
    assert APP_FIXED_RESOURCES + buckets * RESOURCES_PER_BUCKET + topics == target
    assert topics >= 0


def test_region_spec_enables_real_regions_with_a_primary_group_each() -> None:
    spec = region_spec_config(17)[SPEC_KEY]
    enabled = spec["regions"]["enabled"]
    assert len(set(enabled)) == 17
    assert spec["regions"]["home"] == enabled[0]
    assert all(known_regions()[region] == "aws" for region in enabled)
    (common,) = [
        policy["security_groups_common"]
        for policy in spec["firewall_manager"]["policies"]
        if "security_groups_common" in policy
    ]
    assert sorted(common["primary_security_groups"]) == sorted(enabled)


def _measurement(resources: int, program_s: float, policy_s: float, peak_kib: int) -> Measurement:
    return Measurement(
        resources=resources,
        program_seconds=program_s,
        plan_seconds=program_s + 1,
        policy_seconds=policy_s,
        program_peak_kib=peak_kib,
        pack_peak_kib=peak_kib // 2,
        violations=(),
    )


def test_slopes_are_the_cost_of_each_added_resource() -> None:
    family = Family(
        "f",
        "size",
        (
            ("10", _measurement(10, 1.0, 0.5, 100_000)),
            ("110", _measurement(110, 2.0, 0.6, 120_000)),
        ),
    )
    (slope,) = slopes(family)
    assert slope.program_ms == pytest.approx(10.0)
    assert slope.policy_ms == pytest.approx(1.0)
    assert slope.program_kib == pytest.approx(200.0)
    assert slope.pack_kib == pytest.approx(100.0)


def test_targets_compare_the_measurements_with_the_issue_targets() -> None:
    family = Family(
        "f",
        "size",
        (
            ("10", _measurement(10, 1.0, 0.50, 100_000)),
            ("110", _measurement(110, 2.0, 0.55, 110_000)),
            ("1110", _measurement(1110, 12.0, 1.05, 500_000)),
        ),
    )
    slow_prod = _measurement(300, 3.0, 2.5, 200_000)
    text = "\n".join(targets([family], slow_prod))
    assert "6.50 s (4.00 s plan, 2.50 s policies): NOT met" in text
    assert "0.50 ms per added resource: met" in text
    # 100 then 390 KiB per added resource: memory grows faster than linearly.
    assert "program 100 then 390 KiB per added resource (faster than linear)" in text
    assert "pack 50 then 195 KiB per added resource (faster than linear)" in text


def test_quick_run_sets_each_cost_beside_its_floor(quick_results: tuple[str, str]) -> None:
    (app,) = _tables(quick_results[0])["Against the floor"]
    assert app["project"] == "app 10"
    assert app["resources"] == "10"
    assert app["rounds"] == "2"
    assert all(NUMBER.fullmatch(app[column]) for column in FLOOR_COLUMNS), app
    assert float(app["program floor s"]) > 0 and float(app["no-op pack s"]) > 0
    assert "- prod stack: not measured (--quick)" in quick_results[0]
