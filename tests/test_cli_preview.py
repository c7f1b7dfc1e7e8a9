"""`baseline preview` end to end: the real command (in process, tests/cli_harness.py), the real
pack, through the analyzer protocol."""

import json
from pathlib import Path

import pytest

from tests.cli_harness import Completed, run_cli

ROOT = Path(__file__).parent.parent
PROJECTS = ROOT / "tests" / "fixtures" / "projects"
PACK = ROOT / "policies"


def preview(*args: str | Path, cwd: Path = ROOT) -> Completed:
    return run_cli("preview", *args, cwd=cwd)


def test_a_noncompliant_project_fails_with_each_named_policy_mandatory():
    result = preview("--project", PROJECTS / "noncompliant", "--policy-pack", PACK, "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    found = {
        (v["policy"], v["urn"].rsplit("::", 1)[1], v["enforcement"]) for v in document["violations"]
    }
    assert {
        ("cloudtrail-log-file-validation", "no-validation", "mandatory"),
        ("kms-key-rotation", "no-rotation", "mandatory"),
        ("sns-topic-kms-encrypted", "plaintext-topic", "mandatory"),
        ("ec2-security-group-no-public-admin-ports", "ssh-from-anywhere", "mandatory"),
    } <= found
    # Every policy is mandatory by default but S3 data events, which cost: the stack decides.
    advisory = [v for v in document["violations"] if v["enforcement"] == "advisory"]
    assert {v["policy"] for v in advisory} == {"cloudtrail-s3-data-events"}
    mandatory = len(document["violations"]) - len(advisory)
    assert document["summary"]["violations"]["mandatory"] == mandatory
    assert document["summary"]["timings"]["policy_seconds"] > 0


def test_a_compliant_bucket_made_of_separate_settings_resources_passes():
    result = preview("--project", PROJECTS / "compliant", "--policy-pack", PACK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No policy violations." in result.stdout


def test_the_dev_config_makes_every_violation_advisory(tmp_path):
    sarif = tmp_path / "out.sarif"
    result = preview(
        "--project",
        PROJECTS / "noncompliant",
        "--policy-pack",
        PACK,
        "--policy-pack-config",
        PACK / "config" / "dev.json",
        "--sarif",
        sarif,
    )
    assert result.returncode == 0, result.stderr
    assert "advisory" in result.stdout and "mandatory " not in result.stdout
    log = json.loads(sarif.read_text())
    assert log["version"] == "2.1.0"
    levels = {r["level"] for r in log["runs"][0]["results"]}
    assert levels == {"warning"}


def test_a_failing_program_exits_2_with_its_error_and_no_traceback():
    result = preview("--project", PROJECTS / "raises")
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: __main__.py:6: ValueError: the bucket name list is empty"
    )
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--stack", "nope"), "error: Pulumi.nope.yaml: no such stack file in"),
        (("--policy-pack", "missing-pack"), "error: missing-pack"),
        (
            (
                "--policy-pack",
                PACK,
                "--policy-pack-config",
                "a.json",
                "--policy-pack-config",
                "b.json",
            ),
            "error: --policy-pack-config: 2 given for 1 --policy-pack",
        ),
    ],
)
def test_bad_input_exits_2_with_one_error_line(args, expected):
    result = preview("--project", PROJECTS / "compliant", *args)
    assert result.returncode == 2
    assert result.stderr.startswith(expected), result.stderr
    assert "Traceback" not in result.stderr


def test_two_resources_with_one_urn_exit_2_naming_the_duplicate_as_the_engine_does():
    result = preview("--project", PROJECTS / "duplicate-urn", "--policy-pack", PACK)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: __main__.py: Duplicate resource URN "
        "'urn:pulumi:dev::fixture-duplicate-urn::aws:sns/topic:Topic::alerts'; "
        "try giving it a unique name"
    )
    assert "Traceback" not in result.stdout + result.stderr


PROD_CONFIG = PACK / "config" / "prod.json"
# One project per AWS precondition policy, each breaking it once, and the AWS document the
# violation must name.
PRECONDITIONS = [
    (
        "kms-lockout",
        "kms-key-policy-no-lockout",
        "locked-out",
        "AWS KMS API Reference, CreateKey/PutKeyPolicy",
    ),
    (
        "sns-publisher",
        "sns-encrypted-topic-admits-publishers",
        "alerts",
        "Amazon SNS Developer Guide: Enable compatibility between event sources",
    ),
    (
        "org-pack-recorder",
        "config-organization-pack-after-recorders",
        "baseline",
        "AWS Config Developer Guide: Managing Conformance Packs Across all Accounts",
    ),
    ("singleton", "one-per-account-and-region", "second", "PutConfigurationRecorder"),
    (
        "shield-subscription",
        "fms-shield-advanced-subscription",
        "shield-edge",
        "AWS Firewall Manager API Reference: PutPolicy",
    ),
]


def previewed_violations(project: str, config: Path) -> tuple[int, list[dict]]:
    result = preview(
        "--project",
        PROJECTS / project,
        "--policy-pack",
        PACK,
        "--policy-pack-config",
        config,
        "--json",
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)["violations"]


def shield_created_config(tmp_path: Path) -> Path:
    """prod.json, but with the Shield Advanced subscription to be created by the stack."""
    config = json.loads(PROD_CONFIG.read_text())
    config["fms-shield-advanced-subscription"] = {"subscription": "create"}
    path = tmp_path / "prod-create.json"
    path.write_text(json.dumps(config))
    return path


@pytest.mark.parametrize(("project", "policy", "resource", "document"), PRECONDITIONS)
def test_each_precondition_project_is_reported_mandatory_naming_the_aws_document(
    project, policy, resource, document, tmp_path
):
    # prod.json declares the Shield subscription existing: `create` makes that policy bite.
    config = shield_created_config(tmp_path) if project == "shield-subscription" else PROD_CONFIG
    returncode, violations = previewed_violations(project, config)
    mandatory = [v for v in violations if v["enforcement"] == "mandatory"]
    assert returncode == 1
    assert [(v["policy"], v["urn"].rsplit("::", 1)[1]) for v in mandatory] == [(policy, resource)]
    assert document in mandatory[0]["message"]


def test_with_the_subscription_declared_existing_shield_is_only_an_advisory_reminder():
    returncode, violations = previewed_violations("shield-subscription", PROD_CONFIG)
    assert returncode == 0
    assert [(v["policy"], v["enforcement"]) for v in violations] == [
        ("fms-shield-advanced-subscription-outside-stack", "advisory")
    ]
    assert "Shield GetSubscriptionState" in violations[0]["message"]
