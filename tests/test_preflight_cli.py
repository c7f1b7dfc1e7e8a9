"""`baseline preflight` against a moto server: the real command line through `baseline.cli.main`
in process (tests/cli_harness.py), and once in a subprocess, as users run it."""

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
from baseline.preflight import command
from baseline.project import load_stack_file
from tests.audit_harness import (
    ACCOUNT,
    FAKE_AWS_ENV,
    client,
    fake_aws_env,
)
from tests.cli_harness import Completed, run_cli
from tests.preflight_harness import REPO, TRUSTED_SERVICES, organization, plan_of


def without_aws_settings() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, **FAKE_AWS_ENV}


def baseline(*args: str) -> Completed:
    """`baseline preflight ...` in process, with only fake AWS credentials."""
    result = run_cli("preflight", *args, env=without_aws_settings())
    assert "Traceback" not in result.stdout + result.stderr
    return result


def baseline_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m baseline preflight ...` in a subprocess, as users run it."""
    result = subprocess.run(
        [sys.executable, "-m", "baseline", "preflight", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=without_aws_settings(),
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def results_of(stdout: str) -> list[dict[str, str]]:
    return list(json.loads(stdout)["results"])


def with_status(results: list[dict[str, str]], status: str) -> list[dict[str, str]]:
    return [each for each in results if each["status"] == status]


@pytest.fixture
def clean(url: str) -> str:
    # moto starts every account with Macie on; AWS starts without.
    client(url, "macie2").disable_macie()
    return url


@pytest.fixture
def occupied(clean: str) -> dict[str, str]:
    """The dev account with a Config recorder `default`, a detector and Security Hub on."""
    client(clean, "config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/controltower-config",
            "recordingGroup": {"allSupported": True},
        }
    )
    detector = client(clean, "guardduty").create_detector(Enable=True)["DetectorId"]
    client(clean, "securityhub").enable_security_hub(EnableDefaultStandards=False)
    return {"url": clean, "detector": str(detector)}


# --- the dev stack, single account -----------------------------------------------------------


def test_a_clean_account_exits_0(clean: str) -> None:
    result = baseline("--endpoint-url", clean, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert with_status(report["results"], "FAIL") == []
    assert with_status(report["results"], "ERROR") == []
    assert report["imports"]["resources"] == []
    checked = {each["id"] for each in with_status(report["results"], "PASS")}
    assert {"config.recorder", "guardduty.detector", "securityhub.hub", "macie.session"} <= checked


def test_a_recorder_a_detector_and_security_hub_block_and_are_written_to_the_import_file(
    occupied: dict[str, str], tmp_path: Path
) -> None:
    import_file = tmp_path / "import.json"
    result = baseline("--endpoint-url", occupied["url"], "--import-file", str(import_file))
    assert result.returncode == 1, result.stdout + result.stderr
    failing = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("FAIL")}
    assert failing == {"config.recorder", "guardduty.detector", "securityhub.hub"}
    assert f"pulumi import --stack dev --file {import_file} --generate-code=false" in result.stdout

    document = json.loads(import_file.read_text())
    adopted = [entry for entry in document["resources"] if not entry.get("component")]
    plan = plan_of(REPO, "dev")
    planned = {
        resource.type: resource
        for resource in plan.resources
        if resource.type
        in {
            "aws:cfg/recorder:Recorder",
            "aws:guardduty/detector:Detector",
            "aws:securityhub/account:Account",
        }
    }
    assert {entry["type"]: entry["id"] for entry in adopted} == {
        "aws:cfg/recorder:Recorder": "default",
        "aws:guardduty/detector:Detector": occupied["detector"],
        "aws:securityhub/account:Account": ACCOUNT,
    }
    for entry in adopted:
        resource = planned[entry["type"]]
        assert entry["name"] == resource.name
        assert document["nameTable"][entry["provider"]] == resource.provider.rsplit("::", 1)[0]
        parent = next(e for e in document["resources"] if e["name"] == entry["parent"])
        assert parent["component"] is True
        assert parent["type"] == plan_by_urn(plan)[resource.parent].type


def plan_by_urn(plan: Any) -> dict[str, Any]:
    return {resource.urn: resource for resource in plan.resources}


# --- organization mode -----------------------------------------------------------------------


def test_missing_trusted_access_fails_naming_the_service_and_the_call_that_fixes_it(
    url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    trusted = tuple(p for p in TRUSTED_SERVICES if p != "securityhub.amazonaws.com")
    project = organization(url, tmp_path_factory, trusted)
    result = baseline("--project", str(project), "--stack", "prod", "--endpoint-url", url)
    assert result.returncode == 1, result.stdout + result.stderr
    failing = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    (line,) = failing
    assert line.split()[1:2] == ["organizations.trusted-access"]
    assert "securityhub.amazonaws.com is not enabled" in line
    expected = "`aws organizations enable-aws-service-access --service-principal "
    assert line.endswith(expected + "securityhub.amazonaws.com`")


def preflight_in_process(*args: str) -> int:
    return cli.main(["preflight", *args])


def test_calls_moto_lacks_are_errors_with_the_reason_and_block_only_when_strict(
    url: str,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = organization(url, tmp_path_factory, TRUSTED_SERVICES)
    plan = plan_of(project, "prod")
    monkeypatch.setattr(command, "plan_project", lambda stack_file, account: plan)
    args = ("--project", str(project), "--stack", "prod", "--endpoint-url", url, "--json")
    assert preflight_in_process(*args) == 0
    out = capsys.readouterr().out
    # The moto server, in this process, prints a line for the FMS API it lacks.
    report = json.loads(out[out.index("{") :])
    assert with_status(report["results"], "FAIL") == []
    errors = with_status(report["results"], "ERROR")
    reasons = {each["reason"].split(":")[0].split(" ")[0] for each in errors}
    assert reasons == {"ListOrganizationAdminAccounts", "GetAdminAccount", "GetSubscriptionState"}
    assert all("not supported" in each["reason"] for each in errors)
    assert preflight_in_process(*args, "--strict") == 1


# --- bad input -------------------------------------------------------------------------------


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_an_unreachable_endpoint_exits_2_with_one_line() -> None:
    dead = closed_port_url()
    result = baseline_process("--endpoint-url", dead)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {dead}: cannot reach the endpoint: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--stack", "nope"), "error: Pulumi.nope.yaml: no such stack file in"),
        (("--import-file", "/nonexistent/dir/import.json"), "error: --import-file: "),
        (("--state", "/nonexistent/state.json"), "error: --state: /nonexistent/state.json: "),
        (("--state", "Pulumi.yaml"), "error: --state: Pulumi.yaml: not the JSON of"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    fake_aws_env(monkeypatch)
    monkeypatch.chdir(REPO)
    assert preflight_in_process(*args) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(message)


def test_a_stack_of_a_project_without_a_program_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_aws_env(monkeypatch)
    project = REPO / "tests" / "fixtures" / "audit" / "single"
    assert load_stack_file(project, "dev").stack == "dev"
    assert preflight_in_process("--project", str(project)) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: Pulumi.yaml: no program at")
