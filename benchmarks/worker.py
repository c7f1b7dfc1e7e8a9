"""One benchmark phase, in a process of its own so that its child's peak memory is its own.

`python -m benchmarks.worker plan PROJECT_DIR STACK PLAN.json METRICS.json` runs the program
(`plan_project` starts it as a subprocess); `python -m benchmarks.worker policy PLAN.json
[PACK_DIR [CONFIG.json]] METRICS.json` runs a policy pack (by default the project's, with the
prod config) over that plan (`analyze` starts the pack's analyzer
plugin as a subprocess). Each phase has exactly one child, so the kernel's peak resident set
of this process's reaped children (RUSAGE_CHILDREN ru_maxrss, KiB on Linux) is that child's.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseline.preview.analyzer import analyze
from baseline.preview.engine import plan_project
from baseline.preview.runner import ProgramError, plan_from_json, plan_to_json
from baseline.project import load_stack_file

ROOT = Path(__file__).resolve().parents[1]
POLICY_PACK = ROOT / "policies"
POLICY_CONFIG = ROOT / "policies" / "config" / "prod.json"


def children_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def plan_phase(project_dir: Path, stack: str, plan_path: Path) -> dict[str, Any]:
    """Plan the stack, keep the plan for the policy phase, and say what it cost."""
    started = time.perf_counter()
    plan = plan_project(load_stack_file(project_dir, stack))
    elapsed = time.perf_counter() - started
    plan_path.write_text(json.dumps(plan_to_json(plan), default=str))
    return {
        "resources": len(plan.resources),
        "program_seconds": plan.program_seconds,
        "plan_seconds": elapsed,
        "program_peak_kib": children_peak_kib(),
    }


def policy_phase(
    plan_path: Path, pack: Path = POLICY_PACK, config: Path | None = POLICY_CONFIG
) -> dict[str, Any]:
    """Run a pack (the real one, with the prod config) over the plan; say what it cost and
    found."""
    plan = plan_from_json(json.loads(plan_path.read_text()))
    analysis = analyze(plan, [pack], [config] if config is not None else [])
    return {
        "policy_seconds": analysis.policy_seconds,
        "pack_peak_kib": children_peak_kib(),
        "violations": [
            {"policy": v.policy, "enforcement": v.enforcement, "urn": v.urn, "message": v.message}
            for v in analysis.violations
        ],
    }


def main(argv: Sequence[str]) -> int:
    phase, *args = argv
    try:
        if phase == "plan":
            project_dir, stack, plan_path, metrics_path = args
            metrics = plan_phase(Path(project_dir), stack, Path(plan_path))
        elif phase == "policy":
            plan_path, *pack_and_config, metrics_path = args
            if pack_and_config:
                pack, *config = map(Path, pack_and_config)
                metrics = policy_phase(Path(plan_path), pack, config[0] if config else None)
            else:
                metrics = policy_phase(Path(plan_path))
        else:
            print(f"error: unknown phase {phase!r} (plan or policy)", file=sys.stderr)
            return 2
    except ProgramError as error:
        print("\n".join(error.lines), file=sys.stderr)
        return 1
    Path(metrics_path).write_text(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
