"""Run a Pulumi Python program under mocks and return what it planned.

`run_inline` runs a callable in this process (tests of components use it); `main` is the
entry point of the subprocess that `baseline preview` starts for a whole project, so that a
program's imports, globals and crashes never leak into the command line tool.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.settings import SETTINGS, set_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from baseline.preview.mocks import DEFAULT_ACCOUNT, DEFAULT_REGION, AwsMocks, RecordingMonitor
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.positions import ProgramPositions
from baseline.secret import SECRET_PLACEHOLDER


class DuplicateResourceUrnError(Exception):
    """The program registered a URN twice, which the engine refuses."""

    def __init__(self, urns: Sequence[str]) -> None:
        super().__init__(duplicate_urn_message(urns[0]))
        self.urns = tuple(urns)


def duplicate_urn_message(urn: str) -> str:
    """The engine's own words (diag.GetDuplicateResourceURNError)."""
    return f"Duplicate resource URN '{urn}'; try giving it a unique name"


class ProgramError(Exception):
    """The Pulumi program itself failed; `lines` say where and why, one problem a line."""

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


def run_inline(
    program: Callable[[], object],
    *,
    project: str = "project",
    stack: str = "stack",
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    preview: bool = False,
    account: str = DEFAULT_ACCOUNT,
    region: str = DEFAULT_REGION,
    project_dir: Path | None = None,
) -> Plan:
    """Run `program` under AWS-shaped mocks; raise what it raises.

    With `project_dir`, each resource records where the project's code declared it.
    """
    mocks = AwsMocks(account=account, region=region)
    positions = ProgramPositions(project_dir) if project_dir is not None else None
    monitor = RecordingMonitor(mocks, positions)
    set_root_resource(None)  # type: ignore[arg-type]  # a fresh root Stack for every run
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    all_config = {"aws:region": region, **(config or {})}
    pulumi.runtime.set_all_config(all_config, list(secret_keys))
    started = time.perf_counter()

    raised: list[BaseException] = []

    def run() -> None:
        try:
            program()
        except BaseException as error:
            raised.append(error)
            raise

    try:
        _sync_await(run_pulumi_func(run))
    except BaseException:
        _end_leftover_tasks()
        if raised:
            # The program's own error, not a registration that failed because of it (the
            # runtime reports the first failed registration when there is one).
            raise raised[0] from None
        raise
    if monitor.duplicate_urns:
        raise DuplicateResourceUrnError(monitor.duplicate_urns)
    stack_outputs = _resolved_stack_outputs()
    elapsed = time.perf_counter() - started
    return Plan(
        project=project,
        stack=stack,
        resources=tuple(monitor.planned),
        stack_outputs=stack_outputs,
        program_seconds=elapsed,
    )


def _end_leftover_tasks() -> None:
    """Forget what a failed program left behind: the runtime stops waiting at its first failed
    registration, and keeps the others' RPCs and Outputs in its settings, which the mocks do
    not replace; the next run in this process would wait for them and fail with their error."""
    loop = asyncio.get_event_loop()
    leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in leftover:
        task.cancel()
    if leftover:
        loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
    SETTINGS.outputs.clear()
    SETTINGS.rpc_manager.clear()


def _resolved_stack_outputs() -> dict[str, Any]:
    """The stack's exports, with secret ones masked as Pulumi shows them."""
    root = pulumi.runtime.get_root_resource()
    resolved: dict[str, Any] = {}
    for name, value in (getattr(root, "outputs", {}) or {}).items():
        output = pulumi.Output.from_input(value)
        secret = _sync_await(output.is_secret())
        resolved[name] = SECRET_PLACEHOLDER if secret else _sync_await(output.future())
    return resolved


def _program_error_lines(error: BaseException, project_dir: Path, main_path: Path) -> list[str]:
    problems = getattr(error, "problems", None)
    if problems:
        return [str(problem) for problem in problems]
    if isinstance(error, DuplicateResourceUrnError):
        # The engine names no line: the registrations come from the program as a whole.
        program = (
            main_path.relative_to(project_dir)
            if main_path.is_relative_to(project_dir)
            else main_path
        )
        return [f"error: {program}: {duplicate_urn_message(urn)}" for urn in error.urns]
    where = project_dir.name or str(project_dir)
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(project_dir) and ".venv" not in path.parts:
            where = f"{path.relative_to(project_dir)}:{frame.lineno}"
            break
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return [f"error: {where}: {type(error).__name__}: {message}".rstrip(": ")]


def run_project(request: Mapping[str, Any]) -> Plan:
    """Run the program a project's Pulumi.yaml names, as `pulumi preview` would run it."""
    project_dir = Path(request["project_dir"]).resolve()
    main_path = Path(request["main"]).resolve()
    os.chdir(project_dir)
    sys.path.insert(0, str(main_path.parent if main_path.is_file() else main_path))

    def program() -> None:
        runpy.run_path(str(main_path), run_name="__main__")

    try:
        return run_inline(
            program,
            project=request["project"],
            stack=request["stack"],
            config=request["config"],
            secret_keys=request["secret_keys"],
            preview=request.get("preview", True),
            account=request.get("account", DEFAULT_ACCOUNT),
            region=request.get("region", DEFAULT_REGION),
            project_dir=project_dir,
        )
    except Exception as error:
        raise ProgramError(_program_error_lines(error, project_dir, main_path)) from error


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return asdict(plan)


def plan_from_json(document: Mapping[str, Any]) -> Plan:
    resources = tuple(
        PlannedResource(
            **{
                **resource,
                "dependencies": tuple(resource["dependencies"]),
                "aliases": tuple(resource.get("aliases", ())),
                "property_dependencies": {
                    key: tuple(urns) for key, urns in resource["property_dependencies"].items()
                },
            }
        )
        for resource in document["resources"]
    )
    return Plan(
        project=document["project"],
        stack=document["stack"],
        resources=resources,
        stack_outputs=document["stack_outputs"],
        program_seconds=document["program_seconds"],
    )


def main(argv: Sequence[str]) -> int:
    """`python -m baseline.preview.runner REQUEST.json RESULT.json`."""
    request_path, result_path = argv
    request = json.loads(Path(request_path).read_text())
    try:
        result: dict[str, Any] = {"plan": plan_to_json(run_project(request))}
    except ProgramError as error:
        result = {"error": list(error.lines)}
    Path(result_path).write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
