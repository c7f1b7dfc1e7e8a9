"""`baseline preview`: plan a project offline and run policy packs over it as Pulumi would.

Which packs run: those given with `--policy-pack`; otherwise the project's own `policies/`
pack when it has one (with `policies/config/<stack>.json` when that file exists, the pack's
own defaults otherwise), unless `--no-policy-pack`. The output always says which pack ran, or
that nothing was checked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from baseline.preview.analyzer import AnalysisResult, PolicyPackError, analyze_alongside
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan
from baseline.preview.positions import source_locator
from baseline.preview.render import plan_json, render_tree, type_counts
from baseline.preview.runner import ProgramError
from baseline.preview.sarif import write_sarif
from baseline.preview.violations import render_exemptions, render_violations, summarize
from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file, python_program

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2
PROJECT_PACK = "policies"
EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the plan was made and no violation fails the run
  {EXIT_VIOLATIONS}  a mandatory policy violation (with --fail-on advisory: any violation)
  {EXIT_BAD_INPUT}  bad input: usage, the stack file, a program that raises, a pack that does not
     start or refuses its config"""


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
        help="run this policy pack (repeatable), as `pulumi preview --policy-pack`; without "
        f"it, the project's own {PROJECT_PACK}/ pack runs, with {PROJECT_PACK}/config/"
        "<stack>.json when that file exists",
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
    parser.add_argument(
        "--no-policy-pack",
        action="store_true",
        help=f"run no pack, not even the project's own {PROJECT_PACK}/",
    )
    parser.add_argument(
        "--fail-on",
        choices=("mandatory", "advisory"),
        default="mandatory",
        help="the violations that fail the run: mandatory ones (default) or any",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    parser.add_argument("--sarif", type=Path, metavar="FILE", help="write violations as SARIF")
    parser.add_argument(
        "--quiet", action="store_true", help="print the summary and the violations only"
    )


@dataclass(frozen=True)
class PackChoice:
    """The packs that run, their configs, and what the output says about them."""

    packs: tuple[Path, ...]
    configs: tuple[Path, ...]
    note: str


def choose_packs(args: argparse.Namespace, stack_file: StackFile) -> PackChoice:
    packs, configs = tuple(args.policy_packs), tuple(args.policy_pack_configs)
    if configs and len(configs) != len(packs):
        what = f"{len(configs)} given for {len(packs)} --policy-pack: give none or one per pack"
        raise SpecError([Problem("--policy-pack-config", what)])
    if packs and args.no_policy_pack:
        raise SpecError([Problem("--no-policy-pack", "given with --policy-pack: give one or none")])
    if packs:
        return PackChoice(packs, configs, "")
    if args.no_policy_pack:
        return PackChoice((), (), "No policy pack ran (--no-policy-pack): nothing was checked.")
    # As the user would type them, for the output and for any error naming them.
    pack = Path(_shown(stack_file.project_dir / PROJECT_PACK))
    if not (pack / "PulumiPolicy.yaml").is_file():
        project = _shown(stack_file.project_dir)
        project = "the project" if project == "." else project
        note = (
            f"No policy pack ran: nothing was checked ({project} has no {PROJECT_PACK}/ pack; "
            "give --policy-pack DIR)."
        )
        return PackChoice((), (), note)
    config = pack / "config" / f"{stack_file.stack}.json"
    skip = "--no-policy-pack skips it"
    if config.is_file():
        note = f"Policy pack: {pack}, the project's own, with {config} ({skip})."
        return PackChoice((pack,), (config,), note)
    note = (
        f"Policy pack: {pack}, the project's own, with its defaults: there is no {config} ({skip})."
    )
    return PackChoice((pack,), (), note)


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    relative = os.path.relpath(path.resolve(), Path.cwd())
    return str(path) if relative.startswith("..") else relative


def _check_sarif(args: argparse.Namespace, choice: PackChoice) -> None:
    """Before the plan runs: a SARIF file reports policy violations, so it needs a pack."""
    if args.sarif is None:
        return
    if not choice.packs:
        what = "nothing was checked: no --policy-pack ran, so there are no results to write"
        raise SpecError([Problem("--sarif", what)])
    if not args.sarif.parent.is_dir():
        raise SpecError([Problem(str(args.sarif), "its directory does not exist")])


def _write_sarif(
    args: argparse.Namespace, analysis: AnalysisResult, plan: Plan, stack_file: StackFile
) -> None:
    locate = source_locator(
        plan, stack_file.project_dir, python_program(stack_file), stack_file.path
    )
    try:
        write_sarif(args.sarif, analysis.violations, analysis.packs, locate, analysis.exemptions)
    except OSError as error:
        what = f"cannot write the SARIF file: {error.strerror}"
        raise SpecError([Problem(str(args.sarif), what)]) from None


def _plan_and_analysis(
    stack_file: StackFile, choice: PackChoice
) -> tuple[Plan, AnalysisResult | None]:
    if not choice.packs:
        return plan_project(stack_file), None
    try:
        return analyze_alongside(
            lambda: plan_project(stack_file),
            choice.packs,
            choice.configs,
            stack_file.project,
            stack_file.stack,
        )
    except PolicyPackError as error:
        first, *rest = error.what.splitlines() or [""]
        for line in rest:
            print(line, file=sys.stderr)
        raise SpecError([Problem(str(error.where), first)]) from None


def run(args: argparse.Namespace) -> int:
    stack_file = load_stack_file(args.project, args.stack)
    choice = choose_packs(args, stack_file)
    _check_sarif(args, choice)
    try:
        plan, analysis = _plan_and_analysis(stack_file, choice)
    except ProgramError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    violations = analysis.violations if analysis else ()
    if args.sarif and analysis:
        _write_sarif(args, analysis, plan, stack_file)
    if args.json:
        if choice.note:
            print(choice.note, file=sys.stderr)
        seconds = analysis.policy_seconds if analysis else None
        exemptions = analysis.exemptions if analysis else ()
        print(json.dumps(plan_json(plan, violations, seconds, exemptions), indent=2))
    else:
        print(_summary(plan) if args.quiet else render_tree(plan))
        print()
        print(_policy_report(choice, analysis))
    counts = summarize(violations)
    failing = counts["total"] if args.fail_on == "advisory" else counts["mandatory"]
    return EXIT_VIOLATIONS if failing else EXIT_OK


def _summary(plan: Plan) -> str:
    """The plan in one line, for --quiet."""
    planned = sum(type_counts(plan).values())
    return f"Previewed {plan.project}/{plan.stack} (offline, under mocks): {planned} resources"


def _policy_report(choice: PackChoice, analysis: AnalysisResult | None) -> str:
    lines = [choice.note] if choice.note else []
    if analysis is not None:
        packs = ", ".join(f"{pack.name}@{pack.version}" for pack in analysis.packs)
        lines.append(f"Policies: {packs} ({analysis.policy_seconds:.2f} s)")
        lines.append(render_violations(analysis.violations))
        if analysis.exemptions:
            lines += ["", render_exemptions(analysis.exemptions)]
    return "\n".join(lines)
