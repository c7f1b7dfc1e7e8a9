"""The `baseline` command line.

Each subcommand is a `Subcommand`: its name, a function registering its arguments and a
function running it. Adding one is adding it to `SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from baseline.audit import command as audit_command
from baseline.preflight import command as preflight_command
from baseline.preview import command as preview_command
from baseline.problems import SpecError
from baseline.project import load_stack_file
from baseline.report import command as report_command
from baseline.spec_loader import spec_from_stack_file

# Exit codes shared by every subcommand.
EXIT_OK = 0
EXIT_FAILED_CHECK = 1
EXIT_BAD_INPUT = 2


# What --help says of the exit codes when a subcommand does not say more.
EXIT_CODES = f"""\
exit codes:
  {EXIT_OK}  the check ran and found nothing wrong
  {EXIT_FAILED_CHECK}  the check ran and found a mandatory violation, a failed control or a gap
  {EXIT_BAD_INPUT}  bad input: usage, the stack file or spec, the project, an endpoint it cannot
     reach"""


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    # The `exit codes:` block of its --help.
    exit_codes: str = EXIT_CODES


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
    exit_codes=f"""\
exit codes:
  {EXIT_OK}  the spec is valid
  {EXIT_BAD_INPUT}  it is not, or the project or stack file cannot be read: one line per problem""",
)

PREVIEW = Subcommand(
    name="preview",
    help="plan a project offline under mocks and run policy packs over the plan",
    add_arguments=preview_command.add_arguments,
    run=preview_command.run,
    exit_codes=preview_command.EXIT_CODES,
)

AUDIT = Subcommand(
    name="audit",
    help="check a live account against the spec, read-only",
    add_arguments=audit_command.add_arguments,
    run=audit_command.run,
    exit_codes=f"""\
exit codes:
  {EXIT_OK}  every check passed (and, with --organization, every account is covered)
  {EXIT_FAILED_CHECK}  a check failed, or an account or region is not covered
  {EXIT_BAD_INPUT}  bad input: usage, the stack file or spec, an endpoint that cannot be reached""",
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
    exit_codes=f"""\
exit codes:
  {EXIT_OK}  the report is written and no control fails
  {EXIT_FAILED_CHECK}  the report is written and some control fails
  {EXIT_BAD_INPUT}  bad input: usage, an audit file, a format, the pack or the stack""",
)

SUBCOMMANDS: tuple[Subcommand, ...] = (VALIDATE, PREVIEW, AUDIT, PREFLIGHT, REPORT)


def build_parser(subcommands: Sequence[Subcommand] = SUBCOMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="baseline",
        description="Organization-wide AWS security baseline on Pulumi.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for subcommand in subcommands:
        subparser = commands.add_parser(
            subcommand.name,
            help=subcommand.help,
            description=subcommand.help,
            epilog=subcommand.exit_codes,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subcommand.add_arguments(subparser)
        subparser.set_defaults(run=subcommand.run)
    return parser


def _version() -> str:
    try:
        return metadata.version("security-baseline")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SpecError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
