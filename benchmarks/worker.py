"""One benchmark phase, in a process of its own so that its child's peak memory is its own.

- `plan PROJECT_DIR STACK PLAN.json METRICS.json` runs the program (`plan_project` starts it
  as a subprocess).
- `policy PLAN.json [PACK_DIR [CONFIG.json]] METRICS.json` runs a policy pack (by default the
  project's, with the prod config) over that plan (`analyze` starts the pack's analyzer
  plugin as a subprocess).
- `program PROJECT_DIR STACK BUNDLE.json METRICS.json` runs the program in this process, as
  the preview's runner subprocess does, and keeps what its replay needs (benchmarks.floor).
- `replay BUNDLE.json METRICS.json` registers that plan again, bare (benchmarks.replay).

The plan and policy phases have exactly one child, so the kernel's peak resident set of this
process's reaped children (RUSAGE_CHILDREN ru_maxrss, KiB on Linux) is that child's.
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
from baseline.preview.engine import plan_project, program_request
from baseline.preview.runner import (
    ProgramError,
    plan_from_json,
    plan_to_json,
    run_inline,
    run_project,
)
from baseline.project import load_stack_file
from benchmarks.measure import BenchmarkError
from benchmarks.replay import (
    collector_settings,
    differences,
    provider_modules,
    replay_program,
)

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


def program_phase(project_dir: Path, stack: str, bundle: Path) -> dict[str, Any]:
    """Run the program; the bundle keeps its request, plan and provider packages loaded."""
    request = program_request(load_stack_file(project_dir, stack))
    plan = run_project(request)
    document = {
        "request": request,
        "plan": plan_to_json(plan),
        "modules": provider_modules(),
        "collector": collector_settings(),
    }
    bundle.write_text(json.dumps(document, default=str))
    return {"seconds": plan.program_seconds, "resources": len(plan.resources)}


def replay_phase(bundle: Path) -> dict[str, Any]:
    """Replay the bundle's plan under the same engine; BenchmarkError if it registered
    anything else than that plan."""
    document = json.loads(bundle.read_text())
    request, plan = document["request"], plan_from_json(document["plan"])
    replayed = run_inline(
        replay_program(plan, document["modules"], document["collector"]),
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
    return {"seconds": replayed.program_seconds, "resources": len(replayed.resources)}


def _run_phase(phase: str, args: Sequence[str]) -> dict[str, Any]:
    if phase == "plan":
        project_dir, stack, plan_path = args
        return plan_phase(Path(project_dir), stack, Path(plan_path))
    if phase == "policy":
        plan_path, *pack_and_config = args
        if not pack_and_config:
            return policy_phase(Path(plan_path))
        pack, *config = map(Path, pack_and_config)
        return policy_phase(Path(plan_path), pack, config[0] if config else None)
    if phase == "program":
        project_dir, stack, bundle = args
        return program_phase(Path(project_dir), stack, Path(bundle))
    if phase == "replay":
        (bundle,) = args
        return replay_phase(Path(bundle))
    raise BenchmarkError(f"unknown phase {phase!r} (plan, policy, program or replay)")


def main(argv: Sequence[str]) -> int:
    phase, *args, metrics_path = argv
    try:
        metrics = _run_phase(phase, args)
    except ProgramError as error:
        print("\n".join(error.lines), file=sys.stderr)
        return 1
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    Path(metrics_path).write_text(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
