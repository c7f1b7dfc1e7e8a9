"""Program and policy costs against their floors, each pair measured in one run.

Absolute seconds drift on a shared machine, so each cost is compared with the same engine
doing the least possible work, measured alternately with it (A B A B ...), each in a fresh
process; the ratio is the median of the per-pair ratios.

- Program: the project's program (`run_project`, as `baseline preview` runs it, from a cold
  process as `pulumi preview` starts it) against a replay of its own plan (benchmarks.replay)
  under the same mocks and monitor, which first imports the pulumi_aws packages the program
  loaded. The difference is the project's own logic and its own imports.
- Policy: the pack with its config against a pack of one no-op resource policy, over the same
  plan through the same analyzer protocol (`analyze`: the plugin's start, every Analyze and
  the AnalyzeStack call).

`python -m benchmarks.floor program PROJECT_DIR STACK BUNDLE.json` runs the program and writes
the bundle (request, plan, provider packages loaded, seconds); `python -m benchmarks.floor
replay BUNDLE.json METRICS.json` replays the bundle's plan.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from baseline.preview.engine import program_request
from baseline.preview.runner import plan_from_json, plan_to_json, run_inline, run_project
from baseline.project import load_stack_file
from benchmarks.measure import (
    WORKER_TIMEOUT_SECONDS,
    BenchmarkError,
    run_worker,
    worker_environment,
)
from benchmarks.replay import differences, provider_modules, replay_program

ROUNDS = 3


@dataclass(frozen=True)
class Pair:
    """A project cost and its floor: medians over the rounds, and the median pair ratio."""

    floor_seconds: float
    project_seconds: float
    ratio: float
    rounds: int

    @staticmethod
    def of(samples: Sequence[tuple[float, float]]) -> Pair:
        """(floor, project) seconds of each round."""
        return Pair(
            floor_seconds=statistics.median(floor for floor, _ in samples),
            project_seconds=statistics.median(project for _, project in samples),
            ratio=statistics.median(project / floor for floor, project in samples),
            rounds=len(samples),
        )


@dataclass(frozen=True)
class FloorMeasurement:
    resources: int
    program: Pair
    policy: Pair


def program_phase(project_dir: Path, stack: str, bundle: Path) -> None:
    request = program_request(load_stack_file(project_dir, stack))
    plan = run_project(request)
    document = {
        "request": request,
        "plan": plan_to_json(plan),
        "modules": provider_modules(),
        "seconds": plan.program_seconds,
    }
    bundle.write_text(json.dumps(document, default=str))


def replay_phase(bundle: Path, metrics: Path) -> None:
    document = json.loads(bundle.read_text())
    request, plan = document["request"], plan_from_json(document["plan"])
    replayed = run_inline(
        replay_program(plan, document["modules"]),
        project=request["project"],
        stack=request["stack"],
        config=request["config"],
        secret_keys=request["secret_keys"],
        preview=request["preview"],
        account=request["account"],
        region=request["region"],
        project_dir=Path(request["project_dir"]),
    )
    found = differences(plan, replayed)
    if found:
        raise BenchmarkError("the replay registered another plan:\n" + "\n".join(found[:10]))
    metrics.write_text(json.dumps({"seconds": replayed.program_seconds}))


def _run(*args: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.floor", *args],
        cwd=Path(__file__).resolve().parents[1],
        env=worker_environment(),
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        said = (completed.stderr or completed.stdout).strip() or "no output"
        raise BenchmarkError(f"benchmarks.floor {args[0]} failed:\n{said}")


def _alternate(
    rounds: int, floor: Callable[[], float], project: Callable[[], float]
) -> list[tuple[float, float]]:
    return [(floor(), project()) for _ in range(rounds)]


def measure_program(
    project_dir: Path, stack: str, scratch: Path, rounds: int = ROUNDS
) -> tuple[Pair, Path]:
    """Program against replay, alternately; also returns a bundle holding the plan."""
    # The first run also writes the bytecode caches of the modules both import.
    first = scratch / "bundle-first.json"
    _run("program", str(project_dir), stack, str(first))

    def program() -> float:
        bundle = scratch / "bundle.json"
        _run("program", str(project_dir), stack, str(bundle))
        seconds: float = json.loads(bundle.read_text())["seconds"]
        return seconds

    def replay() -> float:
        metrics = scratch / "replay.json"
        _run("replay", str(first), str(metrics))
        seconds: float = json.loads(metrics.read_text())["seconds"]
        return seconds

    return Pair.of(_alternate(rounds, replay, program)), first


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
    """The pack with its config against the no-op pack, over the bundle's plan, alternately.

    Each `analyze` runs in a fresh worker process (benchmarks.worker policy).
    """
    plan = scratch / "plan.json"
    plan.write_text(json.dumps(json.loads(bundle.read_text())["plan"]))
    noop = write_noop_pack(scratch / "noop-pack")

    def seconds_of(*pack_and_config: Path) -> Callable[[], float]:
        def measure() -> float:
            analyzed = run_worker("policy", str(plan), *map(str, pack_and_config))
            return float(analyzed["policy_seconds"])

        return measure

    return Pair.of(_alternate(rounds, seconds_of(noop), seconds_of(pack, config)))


def measure_floors(
    project_dir: Path, stack: str, pack: Path, config: Path, rounds: int = ROUNDS
) -> FloorMeasurement:
    with tempfile.TemporaryDirectory(prefix="baseline-floor-") as directory:
        scratch = Path(directory)
        program, bundle = measure_program(project_dir, stack, scratch, rounds)
        policy = measure_policy(bundle, pack, config, scratch, rounds)
        resources = len(json.loads(bundle.read_text())["plan"]["resources"])
    return FloorMeasurement(resources, program, policy)


def main(argv: Sequence[str]) -> int:
    phase, *args = argv
    try:
        if phase == "program":
            project_dir, stack, bundle = args
            program_phase(Path(project_dir), stack, Path(bundle))
        elif phase == "replay":
            bundle, metrics = args
            replay_phase(Path(bundle), Path(metrics))
        else:
            print(f"error: unknown phase {phase!r} (program or replay)", file=sys.stderr)
            return 2
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
