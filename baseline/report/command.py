"""`baseline report`: every framework control the pack and the audit support, with evidence.

The evidence is the offline preview of a stack (default: its planned resources, checked by
the policy pack), or, with `--audit FILE` (repeatable; merged as `baseline.report.audits`
says), the results and the organization coverage of `baseline audit --json` runs.
Exit 0 when the report is written and no control FAILs; 1 when it is written and some
control FAILs (a failed control, as the exit-code rule of every subcommand says); 2 for bad
input (an unreadable or invalid audit file, an unknown format, a bad pack or stack).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from baseline.audit.coverage.runner import SERVICES as COVERAGE_SERVICES
from baseline.audit.runner import all_checks
from baseline.preview.runner import ProgramError
from baseline.problems import Problem, SpecError
from baseline.project import load_stack_file
from baseline.report.audits import load_audits
from baseline.report.coverage import coverage_sources
from baseline.report.evidence import (
    check_sources,
    guardrail_descriptions,
    guardrail_sources,
    policy_sources,
    run_preview,
    unevaluated,
)
from baseline.report.mapping import ComplianceMapping, load_mapping
from baseline.report.model import AUDIT_CHECK, GUARDRAIL, POLICY, Report, frameworks_of
from baseline.report.render import RENDERERS

EXIT_OK, EXIT_FAILED_CONTROL, EXIT_BAD_INPUT = 0, 1, 2
PACK_DIR_NAME = "policies"
AUDIT_ONLY = "checked only by baseline audit against a live account (report --audit FILE)"
PREVIEW_ONLY = "checked only by the offline preview (report without --audit)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack",
        default="dev",
        help="stack to preview (default: dev); an --audit file names its own",
    )
    parser.add_argument(
        "--project", type=Path, default=Path(), metavar="DIR", help="Pulumi project (default: .)"
    )
    parser.add_argument(
        "--audit",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="evidence from this `baseline audit --json` output instead of a preview "
        "(repeatable: merged, a definite answer beating an ERROR or SKIP, else the later file)",
    )
    parser.add_argument("--format", default="md", metavar="FORMAT", help="md or html (default: md)")
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report there (default: stdout)"
    )
    parser.add_argument(
        "--policy-pack",
        type=Path,
        metavar="DIR",
        help="the policy pack, holding frameworks.py (default: policies in the project)",
    )
    parser.add_argument(
        "--policy-pack-config",
        type=Path,
        metavar="FILE",
        help="its config for the preview (default: config/<stack>.json in the pack, if any)",
    )


def run(args: argparse.Namespace) -> int:
    render = RENDERERS.get(args.format)
    if render is None:
        what = f"unknown format {args.format!r}: use {' or '.join(RENDERERS)}"
        raise SpecError([Problem("--format", what)])
    if args.output is not None and not args.output.parent.is_dir():
        raise SpecError([Problem(str(args.output), "its directory does not exist")])
    pack_dir = args.policy_pack or args.project / PACK_DIR_NAME
    mapping = load_mapping(pack_dir)
    if args.audit:
        report = audit_report(mapping, args.audit)
    else:
        try:
            report = preview_report(mapping, args, pack_dir)
        except ProgramError as error:
            for line in error.lines:
                print(line, file=sys.stderr)
            return EXIT_BAD_INPUT
    write(render(report), args.output)
    return EXIT_FAILED_CONTROL if report.failed else EXIT_OK


def preview_report(mapping: ComplianceMapping, args: argparse.Namespace, pack_dir: Path) -> Report:
    stack = load_stack_file(args.project, args.stack)
    preview = run_preview(
        stack, pack_dir, args.policy_pack_config or default_config(pack_dir, stack.stack)
    )
    frameworks = frameworks_of(
        mapping,
        policy_sources(mapping, preview),
        unevaluated(AUDIT_CHECK, check_descriptions(mapping), AUDIT_ONLY),
        guardrails=guardrail_sources(mapping, preview),
    )
    basis = (
        f"offline preview of stack {stack.stack} of project {stack.project} (the planned "
        f"resources, not a deployed account), checked by policy pack {preview.pack.name} "
        f"{preview.pack.version}"
    )
    return Report(f"Compliance report: {stack.project}/{stack.stack}", basis, now(), frameworks)


def audit_report(mapping: ComplianceMapping, paths: Sequence[Path]) -> Report:
    known_checks = [check.id for check in all_checks()]
    audits = load_audits(paths, known_checks, [service.name for service in COVERAGE_SERVICES])
    frameworks = frameworks_of(
        mapping,
        unevaluated(POLICY, dict.fromkeys(mapping.policies, ""), PREVIEW_ONLY),
        check_sources(check_descriptions(mapping), audits.results),
        coverage_sources(audits.coverage),
        guardrails=unevaluated(GUARDRAIL, guardrail_descriptions(mapping), PREVIEW_ONLY),
    )
    accounts = sorted({result.account for result in audits.results} or set(audits.accounts))
    noun = "account" if len(accounts) == 1 else "accounts"
    basis = (
        f"baseline audit of {noun} {', '.join(accounts)} against stack {audits.stack} of "
        f"project {audits.project} ({', '.join(audits.files)})"
    )
    if audits.coverage:
        organization = len({entry.account for entry in audits.coverage})
        basis += f", with the coverage of the organization's {organization} accounts"
    title = f"Compliance report: {audits.project}/{audits.stack}"
    return Report(title, basis, now(), frameworks)


def check_descriptions(mapping: ComplianceMapping) -> dict[str, str]:
    """Each audit check the mapping names, with what it verifies."""
    described = {check.id: check.description for check in all_checks()}
    return {check: described.get(check, "") for check in mapping.checks}


def default_config(pack_dir: Path, stack: str) -> Path | None:
    """The pack's own config for the stack, as `policies/config/<stack>.json`, if it has one."""
    path = pack_dir / "config" / f"{stack}.json"
    return path if path.is_file() else None


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise SpecError(
            [Problem(str(output), f"cannot write the report: {error.strerror}")]
        ) from None
