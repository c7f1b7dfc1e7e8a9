"""The README's workflows, as a team copies them: what they install, run and upload.

The offline workflow's steps run here on a copy of the repository (its files as a clone has
them), with this environment standing in for the install step, which `python -m
tests.readme_workflow` runs for real in a fresh virtualenv.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.readme_workflow import (
    PLANTED_VIOLATION,
    README,
    REPO,
    SARIF,
    extras,
    fresh_copy,
    makefile_install,
    pip_install,
    readme_workflow,
    run_commands,
    run_job,
    steps,
    workflows,
)

BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"


def uses(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).split("@", 1)[0]


def test_the_workflow_installs_what_make_setup_installs() -> None:
    installs = [c for c in run_commands(readme_workflow()) if c.startswith("pip install")]

    assert len(installs) == 1
    assert pip_install(installs[0]) == makefile_install()
    assert makefile_install() == (".", ("policies/requirements.txt",), ("constraints.txt",))
    # The command and its spec parsing come with the `cli` extra (pyproject.toml).
    assert "cli" in extras(installs[0])


def test_the_workflow_has_a_trigger_python_and_an_upload_guarded_by_the_file() -> None:
    workflow = readme_workflow()
    job_steps = steps(workflow)

    assert set(workflow["on"]) == {"pull_request", "push"}
    assert workflow["permissions"]["security-events"] == "write"
    assert [uses(s) for s in job_steps[:2]] == ["actions/checkout", "actions/setup-python"]
    assert job_steps[1]["with"]["python-version"] == "3.11"
    preview = next(c for c in run_commands(workflow) if c.startswith("baseline preview"))
    assert f"--sarif {SARIF}" in preview
    upload = job_steps[-1]
    assert uses(upload) == "github/codeql-action/upload-sarif"
    assert upload["if"] == f"always() && hashFiles('{SARIF}') != ''"
    assert upload["with"]["sarif_file"] == SARIF


@pytest.mark.parametrize(
    ("markdown", "pack"),
    [
        (README, "policies"),
        (REPO / "examples" / "app-team" / "README.md", ".security-baseline/policies"),
    ],
)
def test_the_pulumi_cloud_examples_use_the_actions_inputs_for_the_pack(
    markdown: Path, pack: str
) -> None:
    [workflow] = [w for w in workflows(markdown.read_text()) if "pulumi/actions" in str(w)]
    [action] = [s for s in steps(workflow) if uses(s) == "pulumi/actions"]

    assert action["with"]["command"] == "preview"
    assert action["with"]["policyPacks"] == pack
    assert action["with"]["policyPackConfigs"] == f"{pack}/config/prod.json"
    assert action["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    # The CLI runs the pack in the virtualenv its PulumiPolicy.yaml names: the job creates it.
    assert f"python -m venv {pack}/venv" in " ".join(run_commands(workflow))
    assert (REPO / "policies" / "config" / "prod.json").is_file()


def job_without_install() -> list[str]:
    """The job's commands after the install step, which this environment stands in for."""
    return [c for c in run_commands(readme_workflow()) if not c.startswith("pip install")]


def test_the_preview_step_writes_sarif_and_passes_a_clean_checkout(tmp_path: Path) -> None:
    checkout = fresh_copy(tmp_path)

    [(_, code, tail)] = run_job(job_without_install(), checkout, BIN)

    assert code == 0, tail
    document = json.loads((checkout / SARIF).read_text())
    results = document["runs"][0]["results"]
    assert {r["level"] for r in results} <= {"warning", "note"}
    assert all(r["ruleId"].startswith("security-baseline/") for r in results)
    for result in results:
        where = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (checkout / where).is_file()


def test_the_preview_step_fails_on_a_mandatory_violation_and_still_writes_sarif(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken"
    fresh_copy(broken)
    program = broken / "__main__.py"
    lines_before = len(program.read_text().splitlines())
    with program.open("a") as appended:
        appended.write(PLANTED_VIOLATION)

    [(_, code, _)] = run_job(job_without_install(), broken, BIN)

    assert code == 1
    results = json.loads((broken / SARIF).read_text())["runs"][0]["results"]
    [planted] = [r for r in results if r["level"] == "error"]
    assert planted["ruleId"] == "security-baseline/sns-topic-kms-encrypted"
    assert planted["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "__main__.py"},
        "region": {"startLine": lines_before + 4},
    }
