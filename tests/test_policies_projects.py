"""The pack's gaps of issue 15, shown on an app project previewed with the pack and prod.json;
and this repository's own prod stack, which the pack passes with only its Shield reminder."""

import json
from pathlib import Path

import pytest

from tests.cli_harness import run_cli

ROOT = Path(__file__).parent.parent
PROJECT = ROOT / "tests" / "fixtures" / "projects" / "pack-gaps"
PACK = ROOT / "policies"
PROD_CONFIG = PACK / "config" / "prod.json"


def preview_document(config: Path, *where: str) -> tuple[int, dict]:
    result = run_cli(
        "preview",
        *(where or ("--project", str(PROJECT))),
        "--policy-pack",
        PACK,
        "--policy-pack-config",
        config,
        "--json",
        cwd=ROOT,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def preview(config: Path, *where: str) -> tuple[int, list[dict]]:
    returncode, document = preview_document(config, *where)
    return returncode, document["violations"]


def found(violations: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((v["policy"], v["urn"].rsplit("::", 1)[1], v["enforcement"]) for v in violations)


@pytest.fixture(scope="module")
def prod() -> tuple[int, list[dict]]:
    return preview(PROD_CONFIG)


def test_email_default_tags_admin_policy_plain_queue_and_keyless_log_group_are_four_violations(
    prod,
):
    returncode, violations = prod
    assert returncode == 1
    assert found(violations) == [
        ("cloudwatch-log-group-kms-encrypted", "orders", "mandatory"),
        ("iam-no-admin-star-star", "break-glass", "mandatory"),
        ("provider-default-tags-no-sensitive-data", "app", "mandatory"),
        ("sqs-queue-kms-encrypted", "orders", "mandatory"),
    ]


def test_the_messages_name_the_python_arguments(prod):
    _, violations = prod
    messages = {v["policy"]: v["message"].rsplit("\n", 1)[-1] for v in violations}
    assert messages["sqs-queue-kms-encrypted"].startswith("kms_master_key_id is not set")
    assert messages["cloudwatch-log-group-kms-encrypted"].startswith("kms_key_id is not set")
    assert messages["provider-default-tags-no-sensitive-data"].startswith(
        "default_tags tag 'Owner' looks like it holds an email address"
    )
    assert "jane.doe@example.com" not in json.dumps(violations)


def test_an_exemption_in_the_pack_config_turns_one_violation_into_a_listed_waiver(tmp_path):
    config = json.loads(PROD_CONFIG.read_text())
    reason = "carries public order ids only (risk RISK-42)"
    config["policy-exemptions"]["exemptions"] = [
        {"policy": "sqs-queue-kms-encrypted", "resource": "orders", "reason": reason}
    ]
    path = tmp_path / "prod-exempt.json"
    path.write_text(json.dumps(config))
    returncode, document = preview_document(path)
    assert returncode == 1  # the three others stay mandatory
    assert found(document["violations"]) == [
        ("cloudwatch-log-group-kms-encrypted", "orders", "mandatory"),
        ("iam-no-admin-star-star", "break-glass", "mandatory"),
        ("provider-default-tags-no-sensitive-data", "app", "mandatory"),
    ]
    # The waiver is listed apart, never counted as a violation (SARIF: a suppressed result).
    [listed] = document["exemptions"]
    assert (listed["policy"], listed["reason"]) == ("sqs-queue-kms-encrypted", reason)
    assert listed["urn"].endswith("::aws:sqs/queue:Queue::orders")


def test_the_baselines_own_prod_stack_passes_with_only_the_shield_reminder():
    # Its tags are a team handle, its log groups and queues have keys, nothing is exempted.
    returncode, violations = preview(PROD_CONFIG, "--stack", "prod")
    assert returncode == 0
    assert {(v["policy"], v["enforcement"]) for v in violations} == {
        ("fms-shield-advanced-subscription-outside-stack", "advisory")
    }
