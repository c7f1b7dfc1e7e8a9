"""`baseline validate`, run through `baseline.cli.main` (tests/cli_harness.py); once as users run
it, `python -m baseline validate` in a subprocess."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from baseline.cli import SUBCOMMANDS, Subcommand, build_parser
from tests.cli_harness import Completed, run_cli

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "specs"


def baseline(*args: str) -> Completed:
    result = run_cli(*args)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.mark.parametrize(
    ("project", "stack", "expected"),
    [
        (REPO, "dev", "ok: security-baseline/dev: spec is valid"),
        (REPO, "prod", "ok: security-baseline/prod: spec is valid"),
        (FIXTURES / "valid", "org", "ok: fixture-project/org: spec is valid"),
    ],
)
def test_valid_spec_exits_0(project: Path, stack: str, expected: str) -> None:
    result = baseline("validate", "--stack", stack, "--project", str(project))

    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, expected, "")


def test_stack_and_project_default_to_dev_and_the_current_directory() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "baseline", "validate"],
        capture_output=True,
        text=True,
        cwd=FIXTURES / "valid",
        timeout=60,
        check=False,
    )

    assert result.returncode == 0
    assert result.stdout.strip() == "ok: fixture-project/dev: spec is valid"


def test_every_problem_of_an_invalid_spec_on_stderr() -> None:
    result = baseline("validate", "--project", str(FIXTURES / "invalid"))

    assert result.returncode == 2
    assert result.stdout == ""
    wheres = [line.split(": ")[1] for line in result.stderr.splitlines()]
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
    assert wheres == [
        "baseline.accounts.log_archive.id",
        "baseline.accounts.log_archive.role",
        "baseline.accounts.management.id",
        "baseline.accounts.security.id",
        "baseline.cloudtrail.cloudwatch_logs.retention_days",
        "baseline.guard_duty",
        "baseline.kms.deletion_window_days",
        "baseline.notifications.topics.alerts.emails[0]",
        "baseline.notifications.topics.alerts.https_endpoints[0]",
        "baseline.regions.enabled",
        "baseline.regions.enabled[1]",
        'baseline.tags["aws:owner"]',
    ]
    assert "error: baseline.guard_duty: unknown key (did you mean guardduty?)\n" in result.stderr
    assert "unknown AWS region 'us-east-7'" in result.stderr
    assert "must be a Pulumi secret" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--project", str(FIXTURES / "valid"), "--stack", "staging"],
            f"error: Pulumi.staging.yaml: no such stack file in {FIXTURES / 'valid'}",
        ),
        (
            ["--project", str(FIXTURES / "broken-yaml")],
            "error: Pulumi.dev.yaml:6:6: invalid YAML: expected <block end>, but found "
            "'<block mapping start>'",
        ),
        (
            ["--project", str(FIXTURES / "no-project")],
            f"error: Pulumi.yaml: no Pulumi project file in {FIXTURES / 'no-project'}",
        ),
        (
            ["--project", str(REPO / "Pulumi.yaml")],
            "error: Pulumi.yaml: cannot read it: Not a directory",
        ),
    ],
)
def test_unusable_project_exits_2_with_one_line(args: list[str], expected: str) -> None:
    result = baseline("validate", *args)

    assert (result.returncode, result.stdout, result.stderr.strip()) == (2, "", expected)


@pytest.mark.parametrize("args", [[], ["validate", "--bogus"], ["frobnicate"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = baseline(*args)

    assert result.returncode == 2
    assert "usage: baseline" in result.stderr


def test_a_subcommand_is_one_registration() -> None:
    seen: list[str] = []

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--word")

    def run(args: argparse.Namespace) -> int:
        seen.append(args.word)
        return 0

    echo = Subcommand(name="echo", help="test", add_arguments=add_arguments, run=run)

    args = build_parser((*SUBCOMMANDS, echo)).parse_args(["echo", "--word", "hi"])

    assert args.run(args) == 0 and seen == ["hi"]


def test_a_misspelt_spec_key_fails_validate_with_exit_2_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: security-baseline\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  security-baseline:baselines:\n    tags: {Team: a}\n"
    )

    result = baseline("validate", "--project", str(tmp_path))

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "error: Pulumi.dev.yaml: security-baseline:baselines: unknown key "
        "(did you mean security-baseline:baseline?)"
    ]


def test_version_names_the_installed_package() -> None:
    result = baseline("--version")

    assert result.returncode == 0
    assert re.fullmatch(r"baseline \d+\.\d+\.\d+\S*\n", result.stdout)


@pytest.mark.parametrize("subcommand", SUBCOMMANDS, ids=lambda s: s.name)
def test_each_subcommand_help_lists_its_exit_codes(subcommand: Subcommand) -> None:
    result = baseline(subcommand.name, "--help")

    assert result.returncode == 0
    assert result.stdout.rstrip().endswith(subcommand.exit_codes)
    codes = [line.split()[0] for line in subcommand.exit_codes.splitlines()[1:] if line[2:3] != " "]
    assert codes in (["0", "1", "2"], ["0", "2"])
