"""`baseline audit`: check a live account against the spec of a stack, read-only.

Exit 0 when no check FAILs (ERROR results, checks that could not run, are reported but do
not fail the audit), 1 when one does, 2 for bad input or when AWS cannot be reached.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from baseline.audit.model import AuditContext, Status
from baseline.audit.render import audit_json, render_table, summary_line
from baseline.audit.runner import run_audit
from baseline.audit.session import connect
from baseline.problems import Problem, SpecError
from baseline.project import load_stack_file
from baseline.spec import Spec, spec_from_stack_file

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


def run(args: argparse.Namespace) -> int:
    stack_file = load_stack_file(args.project, args.stack)
    spec = spec_from_stack_file(stack_file)
    regions = selected_regions(spec, args.regions)
    session = connect(args.profile, args.endpoint_url, spec.regions.home)
    results = run_audit(AuditContext(spec, session), regions)
    if args.json:
        document = audit_json(stack_file.stack, stack_file.project, session.account_id, results)
        print(json.dumps(document, indent=2))
    else:
        print(render_table(results))
        print()
        print(summary_line(results))
    failed = any(result.status is Status.FAIL for result in results)
    return EXIT_FAILED_CHECK if failed else EXIT_OK
