"""Program and policy costs against their floors, each pair measured in one run.

Absolute seconds drift on a shared machine, so each cost is compared with the same engine
doing the least possible work, measured alternately with it (floor, project, floor, ...), each
in a fresh worker process (benchmarks.worker); the ratio is the median of the per-round ratios.

- Program: the project's program (`run_project`, as `baseline preview` runs it, in a cold
  process as `pulumi preview` starts it) against a replay of its own plan (benchmarks.replay)
  under the same mocks and monitor, which first imports the pulumi_aws packages the program
  loaded. The difference is the project's own logic and its own imports.
- Policy: the pack with its config against a pack of one no-op resource policy, over the same
  plan through the same analyzer protocol (`analyze`: the plugin's start, every Analyze and
  the AnalyzeStack call).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import run_worker

ROUNDS = 5


@dataclass(frozen=True)
class Pair:
    """A project cost and its floor: medians over the rounds, and the median round ratio."""

    floor_seconds: float
    project_seconds: float
    ratio: float
    rounds: int

    @staticmethod
    def of(samples: Sequence[tuple[float, float]]) -> Pair:
        """From the (floor, project) seconds of each round."""
        return Pair(
            floor_seconds=statistics.median(floor for floor, _ in samples),
            project_seconds=statistics.median(project for _, project in samples),
            ratio=statistics.median(project / floor for floor, project in samples),
            rounds=len(samples),
        )


@dataclass(frozen=True)
class FloorMeasurement:
    """One project: its program and its policy pack, each against its floor."""

    resources: int
    program: Pair
    policy: Pair


def _alternate(
    rounds: int, floor: Callable[[], float], project: Callable[[], float]
) -> list[tuple[float, float]]:
    return [(floor(), project()) for _ in range(rounds)]


def measure_program(
    project_dir: Path, stack: str, scratch: Path, rounds: int = ROUNDS
) -> tuple[Pair, Path, int]:
    """Program against replay, alternately; also the bundle holding the plan, and its size."""
    # The first run also writes the bytecode caches of the modules both import.
    first = scratch / "bundle.json"
    resources = int(run_worker("program", str(project_dir), stack, str(first))["resources"])
    again = scratch / "bundle-again.json"

    def program() -> float:
        return float(run_worker("program", str(project_dir), stack, str(again))["seconds"])

    def replay() -> float:
        return float(run_worker("replay", str(first))["seconds"])

    return Pair.of(_alternate(rounds, replay, program)), first, resources


NOOP_PACK_MAIN = textwrap.dedent(
    '''\
    """The floor of a policy pack: one resource policy that does nothing."""

    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


    def nothing(args, report_violation):
        return None


    PolicyPack(
        "no-op",
        policies=[
            ResourceValidationPolicy(name="no-op", description="Does nothing.", validate=nothing)
        ],
        enforcement_level=EnforcementLevel.MANDATORY,
    )
    '''
)


def write_noop_pack(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__main__.py").write_text(NOOP_PACK_MAIN)
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    return directory


def measure_policy(
    bundle: Path, pack: Path, config: Path, scratch: Path, rounds: int = ROUNDS
) -> Pair:
    """The pack with its config against the no-op pack over the bundle's plan, alternately."""
    plan = scratch / "plan.json"
    plan.write_text(json.dumps(json.loads(bundle.read_text())["plan"]))
    noop = write_noop_pack(scratch / "no-op-pack")

    def analysis(*pack_and_config: Path) -> Callable[[], float]:
        def seconds() -> float:
            analyzed = run_worker("policy", str(plan), *map(str, pack_and_config))
            return float(analyzed["policy_seconds"])

        return seconds

    return Pair.of(_alternate(rounds, analysis(noop), analysis(pack, config)))


def measure_floors(
    project_dir: Path, stack: str, pack: Path, config: Path, rounds: int = ROUNDS
) -> FloorMeasurement:
    with tempfile.TemporaryDirectory(prefix="baseline-floor-") as directory:
        scratch = Path(directory)
        program, bundle, resources = measure_program(project_dir, stack, scratch, rounds)
        policy = measure_policy(bundle, pack, config, scratch, rounds)
    return FloorMeasurement(resources, program, policy)
