"""Preview one stack as `baseline preview --policy-pack` would, and measure each phase."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KIB_PER_MB = 1024
WORKER_TIMEOUT_SECONDS = 600


class BenchmarkError(Exception):
    """A phase failed: the program or the pack could not run, so nothing was measured."""


@dataclass(frozen=True)
class Measurement:
    """One preview of one stack.

    `program_seconds` is the program's own run (as `Plan` reports it); `plan_seconds` adds the
    subprocess start and imports. `policy_seconds` is `analyze`: the pack's start and every
    Analyze and AnalyzeStack call. Peaks are each subprocess's maximum resident set.
    """

    resources: int
    program_seconds: float
    plan_seconds: float
    policy_seconds: float
    program_peak_kib: int
    pack_peak_kib: int
    violations: tuple[dict[str, str], ...]

    @property
    def preview_seconds(self) -> float:
        """What a user waits for the plan and the policies, the CLI's own start aside."""
        return self.plan_seconds + self.policy_seconds

    @property
    def policy_ms_per_resource(self) -> float:
        return self.policy_seconds * 1000 / self.resources

    @property
    def program_peak_mb(self) -> float:
        return self.program_peak_kib / KIB_PER_MB

    @property
    def pack_peak_mb(self) -> float:
        return self.pack_peak_kib / KIB_PER_MB


def measure(project_dir: Path, stack: str) -> Measurement:
    """Plan then analyze `stack` of `project_dir`, each phase in a fresh worker process."""
    with tempfile.TemporaryDirectory(prefix="baseline-bench-") as scratch:
        plan_path = Path(scratch, "plan.json")
        planned = run_worker("plan", str(project_dir), stack, str(plan_path))
        analyzed = run_worker("policy", str(plan_path))
    return Measurement(
        resources=planned["resources"],
        program_seconds=planned["program_seconds"],
        plan_seconds=planned["plan_seconds"],
        policy_seconds=analyzed["policy_seconds"],
        program_peak_kib=planned["program_peak_kib"],
        pack_peak_kib=analyzed["pack_peak_kib"],
        violations=tuple(analyzed["violations"]),
    )


def worker_environment() -> dict[str, str]:
    """The environment of every benchmark process: this one's, with bytecode caching on.

    A user's program runs with its modules' bytecode cached (the git-ignored __pycache__
    directories); a PYTHONDONTWRITEBYTECODE inherited from a CI shell would charge each run the
    compilation of every project module instead.
    """
    return {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run_worker(phase: str, *args: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="baseline-bench-") as scratch:
        metrics_path = Path(scratch, "metrics.json")
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.worker", phase, *args, str(metrics_path)],
            cwd=Path(__file__).resolve().parents[1],
            env=worker_environment(),
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0 or not metrics_path.exists():
            said = (completed.stderr or completed.stdout).strip() or "no output"
            raise BenchmarkError(f"the {phase} phase failed:\n{said}")
        metrics: dict[str, Any] = json.loads(metrics_path.read_text())
        return metrics
