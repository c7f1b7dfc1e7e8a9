"""The README's GitHub Actions workflow: read as a test reads it, run as the job would.

`python -m tests.readme_workflow` runs the workflow's `run:` steps as GitHub Actions would:
in a fresh copy of the repository (its files as a clone has them), in a fresh virtualenv
standing in for setup-python, one step after the other in a shell that stops on the first
failing command; then it tells each step's exit code, whether the SARIF file was written and
whether the upload step's condition holds. It does so on the repository as it is, with a
plaintext SNS topic added to the program, which the pack must refuse, and, in another fresh
virtualenv, with the install step the README had before (`pip install -e .`, without the
pack's requirements).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from baseline.project import load_yaml

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SARIF = "out.sarif"
# A resource the pack refuses (sns-topic-kms-encrypted, mandatory in prod).
# The install step without the pack's requirements.
PROJECT_ONLY = "pip install -e ."
PLANTED_VIOLATION = '\nimport pulumi_aws\n\npulumi_aws.sns.Topic("plaintext-by-hand")\n'


def yaml_blocks(markdown: str) -> list[Any]:
    """Every ```yaml block of a markdown text, read as YAML 1.2 reads it (`on` is a string)."""
    return [
        load_yaml(block, "markdown")
        for block in re.findall(r"```yaml\n(.*?)```", markdown, flags=re.DOTALL)
    ]


def workflows(markdown: str) -> list[dict[str, Any]]:
    """The blocks that are whole workflows (they have jobs)."""
    return [block for block in yaml_blocks(markdown) if isinstance(block, dict) and "jobs" in block]


def readme_workflow() -> dict[str, Any]:
    """The README's offline workflow: the one that uploads SARIF."""
    found = [w for w in workflows(README.read_text()) if SARIF in json.dumps(w)]
    if len(found) != 1:
        raise ValueError(f"README.md: {len(found)} workflows upload {SARIF}, expected one")
    return found[0]


def steps(workflow: Mapping[str, Any]) -> list[dict[str, Any]]:
    [job] = workflow["jobs"].values()
    return list(job["steps"])


def run_commands(workflow: Mapping[str, Any]) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def pip_install(command: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What a `pip install` command installs: the editable project (extras dropped), the
    requirements files, the constraints files."""
    words = shlex.split(command)
    start = words.index("install")
    editable, requirements, constraints = "", [], []
    for flag, value in zip(words[start + 1 :], words[start + 2 :], strict=False):
        if flag == "-e":
            editable = value.split("[", 1)[0]
        elif flag == "-r":
            requirements.append(value)
        elif flag == "-c":
            constraints.append(value)
    return editable, tuple(requirements), tuple(constraints)


def extras(command: str) -> set[str]:
    """The extras of the editable project a `pip install` command installs."""
    words = shlex.split(command)
    editable = words[words.index("-e") + 1]
    return set(editable.partition("[")[2].rstrip("]").split(",")) - {""}


def makefile_install() -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What `make setup` installs, from the Makefile's own pip line."""
    lines = (REPO / "Makefile").read_text().splitlines()
    [line] = [line for line in lines if "pip install" in line and " -e " in line]
    return pip_install(line.replace("$(BIN)/python -m ", ""))


def fresh_copy(destination: Path) -> Path:
    """The repository's files as a clone of this tree would have them, in a new git repository
    (code scanning paths are relative to its root)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "--quiet"], cwd=destination, check=True)
    return destination


def run_step(command: str, cwd: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """One `run:` step as the runner's default shell runs it (`bash -e`), with `bin_dir` first
    on PATH, as setup-python puts its interpreter."""
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def run_job(commands: Sequence[str], cwd: Path, bin_dir: Path) -> list[tuple[str, int, str]]:
    """Each step's command, exit code and last output line, stopping at the first failure."""
    done = []
    for command in commands:
        result = run_step(command, cwd, bin_dir)
        tail = (result.stdout + result.stderr).strip().splitlines()[-1:] or [""]
        done.append((command, result.returncode, tail[0]))
        if result.returncode:
            break
    return done


def report(title: str, done: list[tuple[str, int, str]], checkout: Path) -> None:
    print(f"== {title}")
    for command, code, tail in done:
        print(f"exit {code}: {' '.join(command.split())}\n    {tail}")
    sarif = checkout / SARIF
    if not sarif.exists():
        print(f"{SARIF}: not written; the upload step is skipped")
        return
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    places = sorted(
        {
            f"{r['ruleId']} at {location['artifactLocation']['uri']}:"
            f"{location['region']['startLine']}"
            for r in results
            for location in [r["locations"][0]["physicalLocation"]]
        }
    )
    print(f"{SARIF}: {len(results)} results; the upload step runs (always() and hashFiles)")
    for place in places:
        print(f"    {place}")


def main() -> int:
    workflow = readme_workflow()
    commands = run_commands(workflow)
    with tempfile.TemporaryDirectory(prefix="readme-workflow-") as scratch:
        venv = Path(scratch, "setup-python")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        checkout = fresh_copy(Path(scratch, "checkout"))
        report("the repository as it is", run_job(commands, checkout, venv / "bin"), checkout)
        (checkout / SARIF).unlink(missing_ok=True)
        with (checkout / "__main__.py").open("a") as program:
            program.write(PLANTED_VIOLATION)
        report("with a plaintext SNS topic", run_job(commands, checkout, venv / "bin"), checkout)
        (checkout / SARIF).unlink(missing_ok=True)
        bare = Path(scratch, "project-only")
        subprocess.run([sys.executable, "-m", "venv", str(bare)], check=True)
        without_pack = [PROJECT_ONLY, *(c for c in commands if not c.startswith("pip install"))]
        title = "installing the project only"
        report(title, run_job(without_pack, checkout, bare / "bin"), checkout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
