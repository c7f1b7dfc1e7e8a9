"""`baseline preflight`: before the first `pulumi up`, what in the accounts would break it.

Read-only. It plans the stack offline (the resources `pulumi up` would create, with their
names, parents and providers), assumes each account's deploy role as the providers will, and
checks the organization, the subscriptions and the singletons the plan creates. What exists
already and collides with a planned resource goes into the import file (`--import-file`),
under that resource's type and name, with the commands that adopt it.

Exit 0 when nothing blocks, 1 when a check FAILs (or, with --strict, could not run: ERROR),
2 for bad input or when AWS cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseline.audit.model import Status, summarize
from baseline.audit.render import render_table, summary_line
from baseline.audit.session import connect
from baseline.preflight.access import open_sessions
from baseline.preflight.imports import commands, import_document, write_import_file
from baseline.preflight.model import Adoption, Finding, PreflightContext
from baseline.preflight.planned import PlanIndex
from baseline.preflight.runner import run_checks
from baseline.preflight.state import load_state
from baseline.preview.engine import plan_project
from baseline.preview.runner import ProgramError
from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file, python_program
from baseline.spec_loader import spec_from_stack_file

EXIT_OK, EXIT_BLOCKED, EXIT_BAD_INPUT = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", default="dev", help="stack name (default: dev)")
    parser.add_argument(
        "--project", type=Path, default=Path(), metavar="DIR", help="Pulumi project (default: .)"
    )
    parser.add_argument(
        "--endpoint-url", metavar="URL", help="send every AWS call there (e.g. a moto server)"
    )
    parser.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
    parser.add_argument("--json", action="store_true", help="print results and imports as JSON")
    parser.add_argument(
        "--import-file",
        type=Path,
        metavar="FILE",
        help="write what exists, as the planned resources it collides with, for "
        "`pulumi import --file FILE`",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="the stack's state (`pulumi stack export --file FILE`): what it manages already "
        "does not collide (default: a first deployment)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="a check that could not run (ERROR) blocks too"
    )


def _check_import_file(path: Path | None) -> None:
    if path is not None and not path.parent.resolve().is_dir():
        raise SpecError([Problem("--import-file", f"{path}: no directory {path.parent}")])


def run(args: argparse.Namespace) -> int:
    stack_file = load_stack_file(args.project, args.stack)
    spec = spec_from_stack_file(stack_file)
    python_program(stack_file)
    state = load_state(args.state)
    _check_import_file(args.import_file)
    caller = connect(args.profile, args.endpoint_url, spec.regions.home)
    try:
        plan = plan_project(stack_file, account=caller.account_id)
    except ProgramError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    sessions, findings = open_sessions(spec, caller)
    index = PlanIndex(plan, caller.account_id, spec.regions.home)
    context = PreflightContext(spec, index, sessions, state)
    findings += run_checks(context)
    adoptions = [finding.adoption for finding in findings if finding.adoption is not None]
    document = import_document(adoptions, index)
    steps: list[str] = []
    if args.import_file is not None and adoptions:
        write_import_file(args.import_file, document)
        steps = commands(
            stack_file.stack, args.import_file, adoptions, state, _pack_config(stack_file)
        )
    if args.json:
        print(json.dumps(_json(stack_file, caller.account_id, findings, document, steps), indent=2))
    else:
        _print_console(findings, adoptions, args.import_file, steps)
    return _exit_code(findings, args.strict)


def _pack_config(stack_file: StackFile) -> Path | None:
    """The policy pack's configuration for the stack, as `make preview` uses it, if any."""
    relative = Path("policies", "config", f"{stack_file.stack}.json")
    return relative if (stack_file.project_dir / relative).is_file() else None


def _json(
    stack_file: StackFile,
    account: str,
    findings: Sequence[Finding],
    document: dict[str, Any],
    steps: Sequence[str],
) -> dict[str, Any]:
    results = [finding.result for finding in findings]
    return {
        "stack": stack_file.stack,
        "project": stack_file.project,
        "account": account,
        "results": [each.to_json() for each in results],
        "summary": dict(summarize(results)),
        "imports": document,
        "commands": list(steps),
    }


def _print_console(
    findings: Sequence[Finding],
    adoptions: Sequence[Adoption],
    import_file: Path | None,
    steps: Sequence[str],
) -> None:
    results = [finding.result for finding in findings]
    print(render_table(results))
    print()
    print(summary_line(results))
    if not adoptions:
        if import_file is not None:
            print(f"Nothing exists that the plan creates: {import_file} not written.")
        return
    print()
    count = f"{len(adoptions)} existing resource(s) collide with the plan"
    if import_file is None:
        print(f"{count}: run again with --import-file FILE to adopt them")
        return
    print(f"{count}: written to {import_file}. Adopt them, then deploy:")
    for step in steps:
        print(f"  {step}")


def _exit_code(findings: Sequence[Finding], strict: bool) -> int:
    blocking = {Status.FAIL, Status.ERROR} if strict else {Status.FAIL}
    blocked = any(finding.result.status in blocking for finding in findings)
    return EXIT_BLOCKED if blocked else EXIT_OK
