"""Hostile input to the command line: one `error:` line and exit 2, never a traceback or a hang.

Each case is a file an attacker (or an accident) can put where a command reads: a stack file,
an `--audit` file, a `--sarif` destination. Commands run in process (tests/cli_harness.py)
with a memory cap and a timeout, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from baseline.preview import engine
from baseline.preview.runner import ProgramError
from baseline.project import load_stack_file
from tests.cli_harness import Completed, run_cli

REPO = Path(__file__).resolve().parent.parent
MEMORY_CAP_BYTES = 2 * 1024**3
PROJECT_YAML = "name: hostile\nruntime: python\n"


def baseline(*args: str | Path, timeout: float = 60) -> Completed:
    return run_cli(*args, timeout=timeout, memory_cap=MEMORY_CAP_BYTES)


def one_error(result: Completed) -> str:
    """The single `error:` line of a run that exited 2 without a traceback."""
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert (result.returncode, result.stdout) == (2, "")
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ")
    return line


def project(tmp_path: Path, stack_yaml: str | None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT_YAML)
    if stack_yaml is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


def alias_bomb(key: str) -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded."""
    lines = [
        "config:",
        "  aws:region: us-east-1",
        f"  {key}:",
        "    l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ]
    for level in range(1, 9):
        aliases = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"    l{level}: &l{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_validate_refuses_a_700_byte_alias_bomb_in_seconds(tmp_path: Path) -> None:
    bomb = alias_bomb("security-baseline:baseline")
    assert len(bomb.encode()) <= 700
    started = time.monotonic()

    result = baseline("validate", "--project", project(tmp_path, bomb), timeout=30)

    assert time.monotonic() - started < 10
    assert one_error(result) == (
        "error: Pulumi.dev.yaml: more than 100,000 values once its aliases are expanded: "
        "too many, too deeply nested or self-referencing aliases"
    )


def test_preview_refuses_an_alias_bomb_in_another_projects_config_key(tmp_path: Path) -> None:
    bomb = alias_bomb("other-project:settings")
    started = time.monotonic()

    result = baseline("preview", "--project", project(tmp_path, bomb), timeout=30)

    assert time.monotonic() - started < 10
    assert "more than 100,000 values once its aliases are expanded" in one_error(result)


STACK = "config:\n  aws:region: us-east-1\n  security-baseline:baseline:\n"


@pytest.mark.parametrize(
    ("stack_yaml", "expected"),
    [
        pytest.param(
            STACK + "    kms: {deletion_window_days: " + "9" * 5000 + "}\n",
            "error: Pulumi.dev.yaml:4:33: invalid YAML: integer of 5000 digits: at most 64 bits",
            id="5000-digit-integer",
        ),
        pytest.param(
            STACK + "    kms: {deletion_window_days: 0x" + "f" * 4000 + "}\n",
            "error: Pulumi.dev.yaml:4:33: invalid YAML: integer of 4000 digits: at most 64 bits",
            id="4000-digit-hexadecimal",
        ),
        pytest.param(
            STACK + "    ? [a, b]\n    : 1\n",
            "error: Pulumi.dev.yaml:4:7: invalid YAML: found a list or mapping as a key: "
            "keys must be strings",
            id="complex-key",
        ),
        pytest.param(
            "config:\n  other:deep: " + "[" * 20000 + "]" * 20000 + "\n",
            "error: Pulumi.dev.yaml:2:113: invalid YAML: nested deeper than 100 levels",
            id="20000-deep",
        ),
        pytest.param(
            "config:\n  other:deep: " + "{a: " * 20000 + "1" + "}" * 20000 + "\n",
            "error: Pulumi.dev.yaml:2:404: invalid YAML: nested deeper than 100 levels",
            id="20000-deep-mappings",
        ),
        pytest.param(
            "config:\n  other:self: &a [*a]\n",
            "error: Pulumi.dev.yaml: more than 100,000 values once its aliases are expanded: "
            "too many, too deeply nested or self-referencing aliases",
            id="self-referencing-alias",
        ),
        pytest.param(
            STACK + "    tags: {1: x}\n",
            "error: baseline.tags: the key integer (1) must be a string: quote it",
            id="integer-tag-key",
        ),
        pytest.param(
            STACK + "    tags: {null: x}\n",
            "error: baseline.tags: the key null (None) must be a string: quote it",
            id="null-tag-key",
        ),
        pytest.param(
            "config:\n  other:big: '" + "x" * (1024 * 1024) + "'\n",
            "error: Pulumi.dev.yaml: larger than the limit of 1,048,576 bytes",
            id="over-1-MiB",
        ),
    ],
)
def test_a_hostile_stack_file_is_one_error_line(
    tmp_path: Path, stack_yaml: str, expected: str
) -> None:
    result = baseline("validate", "--project", project(tmp_path, stack_yaml))

    assert one_error(result) == expected


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_stack_file_that_is_not_a_regular_file_is_refused_at_once(
    tmp_path: Path, kind: str
) -> None:
    directory = project(tmp_path, None)
    stack_file = directory / "Pulumi.dev.yaml"
    if kind == "fifo":
        os.mkfifo(stack_file)
    elif kind == "dev-zero":
        stack_file.symlink_to("/dev/zero")
    else:
        stack_file.mkdir()

    result = baseline("validate", "--project", directory, timeout=20)

    assert one_error(result) == "error: Pulumi.dev.yaml: cannot read it: not a regular file"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 100 levels"),
        ('{"results": [' * 60 + "]}" * 60, "nested deeper than 100 levels"),
        (
            '{"results": [], "n": ' + "9" * 5000 + "}",
            "holds an integer too long to read (more than 4,300 digits)",
        ),
    ],
    ids=["deep-lists", "deep-objects", "5000-digit-integer"],
)
def test_report_refuses_a_hostile_audit_file(tmp_path: Path, content: str, what: str) -> None:
    audit = tmp_path / "audit.json"
    audit.write_text(content)

    result = baseline("report", "--audit", audit)

    assert one_error(result) == f"error: {audit}: {what}"


def test_report_refuses_an_audit_file_that_is_a_device() -> None:
    result = baseline("report", "--audit", "/dev/zero", timeout=20)

    assert one_error(result) == "error: /dev/zero: cannot read it: not a regular file"


def test_preview_sarif_into_a_missing_directory_fails_before_planning(tmp_path: Path) -> None:
    sarif = tmp_path / "missing" / "out.sarif"

    result = baseline("preview", "--policy-pack", REPO / "policies", "--sarif", sarif)

    assert one_error(result) == f"error: {sarif}: its directory does not exist"


def test_preview_sarif_without_a_policy_pack_says_nothing_was_checked(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"

    result = baseline("preview", "--no-policy-pack", "--sarif", sarif)

    assert one_error(result) == (
        "error: --sarif: nothing was checked: no --policy-pack ran, "
        "so there are no results to write"
    )
    assert not sarif.exists()


def test_a_plain_text_webhook_url_of_the_wrong_shape_is_not_printed(tmp_path: Path) -> None:
    url = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
    stack = STACK + f"    notifications: {{topics: {{alerts: {{https_endpoints: '{url}'}}}}}}\n"

    result = baseline("validate", "--project", project(tmp_path, stack))

    assert one_error(result) == (
        "error: baseline.notifications.topics.alerts.https_endpoints: must be a list, "
        "got string (not shown: the path takes a secret)"
    )


def test_a_program_that_never_ends_is_stopped_with_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = project(tmp_path, "config:\n  aws:region: us-east-1\n")
    (directory / "__main__.py").write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(engine, "PROGRAM_TIMEOUT_SECONDS", 0.25)

    with pytest.raises(ProgramError) as raised:
        engine.plan_project(load_stack_file(directory, "dev"))

    assert raised.value.lines == (
        "error: __main__.py: the program ran longer than 0.25 s and was stopped",
    )


@pytest.mark.parametrize(
    ("content", "what"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 100 levels"),
        ('{"n": ' + "9" * 5000 + "}", "holds an integer too long to read (more than 4,300 digits)"),
    ],
    ids=["deep", "5000-digit-integer"],
)
def test_preview_refuses_a_hostile_policy_pack_config(
    tmp_path: Path, content: str, what: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)

    result = baseline("preview", "--policy-pack", REPO / "policies", "--policy-pack-config", config)

    assert one_error(result) == f"error: {config}: {what}"
