"""The pre-commit hooks run what `make lint` and `make typecheck` run."""

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / ".pre-commit-config.yaml"


def _recipe(target: str) -> list[str]:
    """The commands of one Makefile target, with $(BIN) as the hooks spell it."""
    lines = (REPO / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{target}:")))
    commands = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        commands.append(line.strip().replace("$(BIN)", ".venv/bin"))
    return commands


def test_the_hooks_run_the_makefile_lint_and_typecheck_commands():
    [repo] = yaml.safe_load(CONFIG.read_text())["repos"]
    entries = [hook["entry"] for hook in repo["hooks"]]
    # The Makefile runs over the tree (`.`); a hook is given the staged Python files instead.
    makefile = [command.removesuffix(" .") for command in _recipe("lint") + _recipe("typecheck")]
    assert entries == makefile


def test_pre_commit_accepts_the_configuration():
    validate = [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)]
    completed = subprocess.run(validate, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
