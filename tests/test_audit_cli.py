"""`baseline audit` against a moto server: the real command line, once in a subprocess as users
run it, and in process through `baseline.cli.main` (tests/cli_harness.py) for the rest."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baseline import cli
from baseline.audit import command
from tests.audit_harness import (
    ACCOUNT,
    FAKE_AWS_ENV,
    SINGLE,
    break_detector_s3_protection,
    break_macie,
    break_topic_encryption,
    break_trail_validation,
    fake_aws_env,
    seed_compliant,
)
from tests.cli_harness import Completed, run_cli

REPO = Path(__file__).resolve().parent.parent
DRIFTED = {
    "cloudtrail.log-file-validation",
    "guardduty.s3-protection",
    "macie.enabled",
    "sns.topic-encryption",
}
# What moto lacks: these checks cannot run against it.
UNSUPPORTED_BY_MOTO = {"securityhub.standards", "config.conformance-packs"}
AUDIT = cli.Subcommand(
    name="audit",
    help="check a live account against the spec",
    add_arguments=command.add_arguments,
    run=command.run,
)


@pytest.fixture
def compliant(url: str) -> str:
    seed_compliant(url)
    return url


@pytest.fixture
def drifted(compliant: str) -> str:
    break_trail_validation(compliant)
    break_detector_s3_protection(compliant)
    break_macie(compliant)
    break_topic_encryption(compliant)
    return compliant


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def without_aws_settings() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, **FAKE_AWS_ENV}


def baseline_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m baseline audit ...` in a subprocess, as users run it."""
    result = subprocess.run(
        [sys.executable, "-m", "baseline", "audit", "--project", str(SINGLE), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=without_aws_settings(),
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def baseline(*args: str) -> Completed:
    """`baseline audit ...` in process, with the same arguments and environment."""
    result = run_cli("audit", "--project", SINGLE, *args, env=without_aws_settings())
    assert "Traceback" not in result.stdout + result.stderr
    return result


def audit_in_process(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`baseline audit ...` through the real `main`, with audit registered if it is not yet."""
    if "audit" not in {subcommand.name for subcommand in cli.SUBCOMMANDS}:
        build = cli.build_parser
        monkeypatch.setattr(cli, "build_parser", lambda: build((*cli.SUBCOMMANDS, AUDIT)))
    return cli.main(["audit", "--project", str(SINGLE), *args])


def failing_lines(stdout: str) -> set[str]:
    return {line.split()[1] for line in stdout.splitlines() if line.startswith("FAIL ")}


# --- the real command line -------------------------------------------------------------------


def test_a_drifted_account_exits_1_naming_the_drifted_checks(drifted: str) -> None:
    result = baseline_process("--endpoint-url", drifted)
    assert result.returncode == 1, result.stderr
    assert failing_lines(result.stdout) == DRIFTED
    assert "4 FAIL" in result.stdout.splitlines()[-1]


def test_a_compliant_account_exits_0(compliant: str) -> None:
    result = baseline("--endpoint-url", compliant, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["FAIL"] == 0
    errors = {r["id"] for r in report["results"] if r["status"] == "ERROR"}
    assert errors == UNSUPPORTED_BY_MOTO


def test_an_unreachable_endpoint_exits_2_with_one_line() -> None:
    dead = closed_port_url()
    result = baseline("--endpoint-url", dead)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {dead}: cannot reach the endpoint: ")


# --- in process ------------------------------------------------------------------------------


def test_json_reports_the_stack_the_account_and_every_result(
    drifted: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit_in_process(monkeypatch, "--endpoint-url", drifted, "--json") == 1
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert (report["stack"], report["project"], report["account"]) == (
        "dev",
        "audit-single",
        ACCOUNT,
    )
    assert {r["id"] for r in report["results"] if r["status"] == "FAIL"} == DRIFTED
    assert set(report["results"][0]) == {"id", "status", "account", "region", "resource", "reason"}
    assert {r["account"] for r in report["results"]} == {ACCOUNT}
    counted = {
        status: sum(r["status"] == status for r in report["results"])
        for status in report["summary"]
    }
    assert counted == report["summary"]
    assert set(report["summary"]) == {"PASS", "FAIL", "ERROR", "SKIP"}


def test_the_table_shows_errors_and_the_summary_says_what_they_mean(
    compliant: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit_in_process(monkeypatch, "--endpoint-url", compliant) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["STATUS", "CHECK", "ACCOUNT", "REGION", "RESOURCE", "REASON"]
    assert {line.split()[2] for line in lines[1:] if line.startswith("PASS ")} == {ACCOUNT}
    assert {line.split()[1] for line in lines if line.startswith("ERROR ")} == UNSUPPORTED_BY_MOTO
    assert lines[-1].endswith(
        "0 FAIL, 4 ERROR, 14 SKIP (ERROR: the check could not run, see its reason)"
    )


def test_region_narrows_the_regional_checks(
    compliant: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = audit_in_process(
        monkeypatch, "--endpoint-url", compliant, "--region", "eu-west-1", "--json"
    )
    assert code == 0
    results = json.loads(capsys.readouterr().out)["results"]
    regional = {
        r["region"] for r in results if r["id"].split(".")[0] in {"guardduty", "macie", "sns"}
    }
    assert regional == {"eu-west-1"}
    # Account-wide settings are read once, from the home region.
    assert {r["region"] for r in results if r["id"].startswith("cloudtrail.")} == {"us-east-1"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--region", "ap-south-1"),
            "error: --region: ap-south-1: not an enabled region of the spec (us-east-1, eu-west-1)",
        ),
        (("--stack", "nope"), "error: Pulumi.nope.yaml: no such stack file in"),
        (("--endpoint-url", "not a url"), "error: --endpoint-url: Invalid endpoint: not a url"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    fake_aws_env(monkeypatch)
    assert audit_in_process(monkeypatch, *args) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(message)


def test_an_unknown_profile_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_aws_env(monkeypatch)
    assert audit_in_process(monkeypatch, "--profile", "nope") == 2
    assert (
        capsys.readouterr().err
        == "error: --profile: The config profile (nope) could not be found\n"
    )


def test_missing_credentials_exit_2_saying_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_aws_env(monkeypatch)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    assert audit_in_process(monkeypatch) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: aws: no credentials found")


def test_an_endpoint_that_goes_away_exits_2_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_aws_env(monkeypatch)
    dead = closed_port_url()
    assert audit_in_process(monkeypatch, "--endpoint-url", dead) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {dead}: cannot reach the endpoint: Could not connect")
