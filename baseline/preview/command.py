"""`baseline preview`: plan a project offline and run policy packs over it as Pulumi would."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from baseline.preview.analyzer import AnalysisResult, PolicyPackError, analyze_alongside
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan
from baseline.preview.render import plan_json, render_tree
from baseline.preview.runner import ProgramError
from baseline.preview.sarif import write_sarif
from baseline.preview.violations import render_violations, summarize
from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", default="dev", help="stack name (default: dev)")
    parser.add_argument(
        "--project", type=Path, default=Path(), metavar="DIR", help="Pulumi project (default: .)"
    )
    parser.add_argument(
        "--policy-pack",
        dest="policy_packs",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="run this policy pack (repeatable), as `pulumi preview --policy-pack`",
    )
    parser.add_argument(
        "--policy-pack-config",
        dest="policy_pack_configs",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="config for the pack at the same position (none, or one per pack)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write violations as SARIF")


def _check_pairing(args: argparse.Namespace) -> None:
    packs, configs = args.policy_packs, args.policy_pack_configs
    if configs and len(configs) != len(packs):
        what = f"{len(configs)} given for {len(packs)} --policy-pack: give none or one per pack"
        raise SpecError([Problem("--policy-pack-config", what)])


def _check_sarif(args: argparse.Namespace) -> None:
    """Before the plan runs: a SARIF file reports policy violations, so it needs a pack."""
    if args.sarif is None:
        return
    if not args.policy_packs:
        what = "nothing was checked: no --policy-pack ran, so there are no results to write"
        raise SpecError([Problem("--sarif", what)])
    if not args.sarif.parent.is_dir():
        raise SpecError([Problem(str(args.sarif), "its directory does not exist")])


def _write_sarif(args: argparse.Namespace, analysis: AnalysisResult, stack_file: StackFile) -> None:
    try:
        write_sarif(
            args.sarif, analysis.violations, analysis.packs, artifact_uri=stack_file.path.name
        )
    except OSError as error:
        what = f"cannot write the SARIF file: {error.strerror}"
        raise SpecError([Problem(str(args.sarif), what)]) from None


def _plan_and_analysis(
    stack_file: StackFile, args: argparse.Namespace
) -> tuple[Plan, AnalysisResult | None]:
    if not args.policy_packs:
        return plan_project(stack_file), None
    try:
        return analyze_alongside(
            lambda: plan_project(stack_file),
            args.policy_packs,
            args.policy_pack_configs,
            stack_file.project,
            stack_file.stack,
        )
    except PolicyPackError as error:
        first, *rest = error.what.splitlines() or [""]
        for line in rest:
            print(line, file=sys.stderr)
        raise SpecError([Problem(str(error.where), first)]) from None


def run(args: argparse.Namespace) -> int:
    _check_pairing(args)
    _check_sarif(args)
    stack_file = load_stack_file(args.project, args.stack)
    try:
        plan, analysis = _plan_and_analysis(stack_file, args)
    except ProgramError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    violations = analysis.violations if analysis else ()
    if args.sarif and analysis:
        _write_sarif(args, analysis, stack_file)
    if args.json:
        seconds = analysis.policy_seconds if analysis else None
        print(json.dumps(plan_json(plan, violations, seconds), indent=2))
    else:
        print(render_tree(plan))
        if analysis:
            print()
            print(_policy_report(analysis))
    return EXIT_VIOLATIONS if summarize(violations)["mandatory"] else EXIT_OK


def _policy_report(analysis: AnalysisResult) -> str:
    packs = ", ".join(f"{pack.name}@{pack.version}" for pack in analysis.packs)
    return f"Policies: {packs} ({analysis.policy_seconds:.2f} s)\n" + render_violations(
        analysis.violations
    )
