"""`baseline audit`: check live accounts against the spec of a stack, read-only.

In organization mode one run reads the management, security and log-archive accounts (see
`baseline.audit.accounts`); `--organization` adds the coverage of every account of the
organization per service and region (see `baseline.audit.coverage`).

Exit 0 when no check FAILs and no account is MISSING a declared service (ERROR results,
checks that could not run, are reported but do not fail the audit), 1 when one does, 2 for
bad input or when AWS cannot be reached.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseline.audit.accounts import account_sessions
from baseline.audit.coverage.model import Coverage, CoverageContext, CoverageStatus
from baseline.audit.coverage.render import (
    coverage_summary_line,
    render_coverage,
    summarize_coverage,
)
from baseline.audit.coverage.runner import run_coverage
from baseline.audit.model import CheckResult, Status
from baseline.audit.render import audit_json, render_table, summary_line
from baseline.audit.runner import run_accounts
from baseline.audit.session import connect
from baseline.problems import Problem, SpecError
from baseline.project import load_stack_file
from baseline.schema import PATTERNS
from baseline.spec import Spec
from baseline.spec_loader import spec_from_stack_file

EXIT_OK, EXIT_FAILED_CHECK = 0, 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", default="dev", help="stack name (default: dev)")
    parser.add_argument(
        "--project", type=Path, default=Path(), metavar="DIR", help="Pulumi project (default: .)"
    )
    parser.add_argument(
        "--region",
        dest="regions",
        action="append",
        default=[],
        metavar="REGION",
        help="audit only this enabled region of the spec (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--organization",
        action="store_true",
        help="add the coverage of every account of the organization, per service and region",
    )
    parser.add_argument(
        "--role-name",
        metavar="NAME",
        help="assume this role in the management, security and log-archive accounts "
        "(default: each account's role_name in the spec)",
    )
    parser.add_argument(
        "--endpoint-url", metavar="URL", help="send every AWS call there (e.g. a moto server)"
    )
    parser.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")


def selected_regions(spec: Spec, requested: Sequence[str]) -> list[str]:
    """The spec's enabled regions, or those of them `requested` names (in that order, once)."""
    enabled = spec.regions.enabled
    unknown = [region for region in requested if region not in enabled]
    if unknown:
        what = f"not an enabled region of the spec ({', '.join(enabled)})"
        raise SpecError([Problem("--region", f"{region}: {what}") for region in unknown])
    return list(dict.fromkeys(requested)) if requested else list(enabled)


def check_arguments(spec: Spec, args: argparse.Namespace) -> None:
    problems = []
    if args.organization and spec.accounts is None:
        what = "needs an organization: the spec has no accounts section"
        problems.append(Problem("--organization", what))
    pattern, description = PATTERNS["iam_role_name"]
    if args.role_name is not None and spec.accounts is None:
        problems.append(Problem("--role-name", "needs an organization: no role to assume"))
    elif args.role_name is not None and not pattern.fullmatch(args.role_name):
        problems.append(Problem("--role-name", f"{args.role_name!r} is not {description}"))
    if problems:
        raise SpecError(problems)


def run(args: argparse.Namespace) -> int:
    stack_file = load_stack_file(args.project, args.stack)
    spec = spec_from_stack_file(stack_file)
    regions = selected_regions(spec, args.regions)
    check_arguments(spec, args)
    caller = connect(args.profile, args.endpoint_url, spec.regions.home)
    sessions = account_sessions(spec, caller, args.role_name)
    coverage: list[Coverage] | None = None
    if args.organization:
        context = CoverageContext(spec, sessions["management"], sessions["security"])
        coverage = run_coverage(context, regions)
    results = run_accounts(spec, sessions, regions)
    if args.json:
        document = audit_json(stack_file.stack, stack_file.project, caller.account_id, results)
        print(json.dumps(with_coverage(document, coverage), indent=2))
    else:
        print_console(results, coverage)
    return exit_code(results, coverage)


def with_coverage(document: dict[str, Any], coverage: Sequence[Coverage] | None) -> dict[str, Any]:
    if coverage is None:
        return document
    return {
        **document,
        "coverage": [entry.to_json() for entry in coverage],
        "coverage_summary": dict(summarize_coverage(coverage)),
    }


def print_console(results: Sequence[CheckResult], coverage: Sequence[Coverage] | None) -> None:
    print(render_table(results))
    print()
    print(summary_line(results))
    if coverage is not None:
        print()
        print(render_coverage(coverage))
        print()
        print(coverage_summary_line(coverage))


def exit_code(results: Sequence[CheckResult], coverage: Sequence[Coverage] | None) -> int:
    failed = any(result.status is Status.FAIL for result in results)
    gap = any(entry.status is CoverageStatus.MISSING for entry in coverage or ())
    return EXIT_FAILED_CHECK if failed or gap else EXIT_OK
