"""Every message the README and the CI guide quote (their ```text blocks) is what the tools
print: each is produced here, by the real commands, from the situation the text describes."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_harness import run_cli

REPO = Path(__file__).resolve().parent.parent
DOCS = (REPO / "README.md", REPO / "docs" / "ci-and-policy-packs.md")
# The closed port the CI guide's example uses; the test uses one it knows is closed.
DOC_PORT = "5999"


def quoted_lines() -> list[str]:
    lines = []
    for doc in DOCS:
        for block in re.findall(r"```text\n(.*?)```", doc.read_text(), flags=re.DOTALL):
            lines += [line for line in block.splitlines() if line.strip()]
    return lines


def baseline(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    """What the command prints (in process: tests/cli_harness.py)."""
    result = run_cli(*args, cwd=cwd, env=env)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


def stack_project(directory: Path, stack: str, config: str) -> Path:
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: security-baseline\nruntime: python\n")
    (directory / f"Pulumi.{stack}.yaml").write_text(f"config:\n  aws:region: us-east-1\n{config}")
    return directory


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """What the tools print in each situation the quoted messages come from."""
    scratch = tmp_path_factory.mktemp("messages")
    outputs = []
    spec = (
        "  security-baseline:baseline:\n"
        "    guardduty: {finding_publishing_frequency: HOURLY}\n"
        "    kms: {deletion_windw_days: 7}\n"
    )
    outputs.append(baseline("validate", "--project", stack_project(scratch / "bad", "dev", spec)))
    misspelt = "  security-baseline:baselines: {}\n"
    outputs.append(
        baseline(
            "validate",
            "--stack",
            "prod",
            "--project",
            stack_project(scratch / "key", "prod", misspelt),
        )
    )
    outputs.append(baseline("preview", "--stack", "prod", "--quiet"))
    outputs.append(baseline("preview", "--project", "examples/app-team", "--quiet"))
    bare = scratch / "bare-pack-venv"
    shutil.copytree(REPO / "tests" / "fixtures" / "projects" / "noncompliant", bare)
    (bare / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-east-1\n")
    shutil.copytree(REPO / "policies", bare / "policies", ignore=shutil.ignore_patterns("venv"))
    # The pack's own virtualenv, created but never given its requirements.
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(bare / "policies" / "venv")], check=True
    )
    outputs.append(baseline("preview", "--stack", "prod", "--quiet", cwd=bare))
    typo = scratch / "typo"
    shutil.copytree(REPO / "tests" / "fixtures" / "projects" / "noncompliant", typo)
    (typo / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-east-1\n")
    shutil.copytree(REPO / "policies", typo / "policies", ignore=shutil.ignore_patterns("venv"))
    config = {"all": "mandatory", "s3-bucket-versionning": "advisory"}
    (typo / "policies" / "config" / "prod.json").write_text(json.dumps(config))
    outputs.append(baseline("preview", "--stack", "prod", cwd=typo))
    quiet_aws = {"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    no_credentials = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        **quiet_aws,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    outputs.append(baseline("audit", "--endpoint-url", "http://127.0.0.1:1", env=no_credentials))
    port = closed_port()
    credentials = {**no_credentials, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "x"}
    unreachable = baseline("audit", "--endpoint-url", f"http://127.0.0.1:{port}", env=credentials)
    outputs.append(unreachable.replace(f"127.0.0.1:{port}", f"127.0.0.1:{DOC_PORT}"))
    yield "\n".join(outputs)


@pytest.mark.parametrize("line", quoted_lines())
def test_each_quoted_message_is_printed_as_quoted(printed: str, line: str) -> None:
    assert line in printed.splitlines()


def test_the_docs_quote_the_messages_this_test_produces() -> None:
    quoted = quoted_lines()

    assert len(quoted) == 9
    assert any(
        "cannot import pulumi: install its requirements in its virtualenv" in line
        for line in quoted
    )
