"""The `baseline` command line.

Each subcommand is a `Subcommand`: its name, a function registering its arguments and a
function running it. Adding one is adding it to `SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from baseline.audit import command as audit_command
from baseline.preflight import command as preflight_command
from baseline.preview import command as preview_command
from baseline.problems import SpecError
from baseline.project import load_stack_file
from baseline.report import command as report_command
from baseline.spec import spec_from_stack_file

# Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_FAILED_CHECK = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """--stack and --project, as every subcommand that reads a stack names them."""
    parser.add_argument("--stack", default="dev", help="stack name (default: dev)")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="directory holding Pulumi.yaml (default: .)",
    )


def run_validate(args: argparse.Namespace) -> int:
    stack_file = load_stack_file(args.project, args.stack)
    spec_from_stack_file(stack_file)
    print(f"ok: {stack_file.project}/{stack_file.stack}: spec is valid")
    return EXIT_OK


VALIDATE = Subcommand(
    name="validate",
    help="check the declarative spec of a stack",
    add_arguments=add_stack_arguments,
    run=run_validate,
)

PREVIEW = Subcommand(
    name="preview",
    help="plan a project offline under mocks and run policy packs over the plan",
    add_arguments=preview_command.add_arguments,
    run=preview_command.run,
)

AUDIT = Subcommand(
    name="audit",
    help="check a live account against the spec, read-only",
    add_arguments=audit_command.add_arguments,
    run=audit_command.run,
)

PREFLIGHT = Subcommand(
    name="preflight",
    help="find, read-only, what would break the first `pulumi up`, and write an import file "
    "for what exists already",
    add_arguments=preflight_command.add_arguments,
    run=preflight_command.run,
)

REPORT = Subcommand(
    name="report",
    help="write the controls of compliance frameworks with their status and evidence",
    add_arguments=report_command.add_arguments,
    run=report_command.run,
)

SUBCOMMANDS: tuple[Subcommand, ...] = (VALIDATE, PREVIEW, AUDIT, PREFLIGHT, REPORT)


def build_parser(subcommands: Sequence[Subcommand] = SUBCOMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baseline", description="Organization-wide AWS security baseline on Pulumi."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for subcommand in subcommands:
        subparser = commands.add_parser(
            subcommand.name, help=subcommand.help, description=subcommand.help
        )
        subcommand.add_arguments(subparser)
        subparser.set_defaults(run=subcommand.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SpecError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
