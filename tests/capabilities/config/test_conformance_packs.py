"""The shipped conformance packs: real AWS managed rules, real parameters, lint-clean templates.

The reference is the list of AWS managed Config rules that moto ships (833 rules, with their
parameters, trigger types and resource types), an independent copy of what AWS publishes.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import moto
import pytest
import yaml

from baseline.capabilities.config.component import MAX_TEMPLATE_BYTES, PACKS_DIR, SHIPPED_PACKS
from tests.cfn_lint import lint

EXECUTION_FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
BASELINE_RULES = {
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK",
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "GUARDDUTY_ENABLED_CENTRALIZED",
    "GUARDDUTY_S3_PROTECTION_ENABLED",
    "SECURITYHUB_ENABLED",
    "MACIE_STATUS_CHECK",
    "SNS_ENCRYPTED_KMS",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
}


@cache
def managed_rules() -> dict[str, Any]:
    path = Path(moto.__file__).parent / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rules: dict[str, Any] = json.load(handle)["ManagedRules"]
    return rules


def rule_problems(properties: dict[str, Any]) -> list[str]:
    """What is wrong with a ConfigRule's properties against AWS's published managed rule."""
    identifier = properties["Source"]["SourceIdentifier"]
    published = managed_rules().get(identifier)
    if properties["Source"]["Owner"] != "AWS" or published is None:
        return [f"{identifier} is not an AWS managed rule"]
    problems = []
    parameters = {p["Name"]: p for p in published["Parameters"]}
    given = set(properties.get("InputParameters", {}))
    problems += [f"{identifier}: no parameter {name}" for name in sorted(given - set(parameters))]
    required = {name for name, p in parameters.items() if not p["Optional"]}
    problems += [f"{identifier}: missing {name}" for name in sorted(required - given)]
    trigger = published["Trigger type"]
    if "Periodic" in trigger and properties.get("MaximumExecutionFrequency") not in (
        EXECUTION_FREQUENCIES
    ):
        problems.append(f"{identifier}: a periodic rule needs a MaximumExecutionFrequency")
    if trigger == "Periodic" and "Scope" in properties:
        problems.append(f"{identifier}: a periodic rule has no change-triggered scope")
    if trigger.startswith("Configuration changes"):
        scoped = set(properties.get("Scope", {}).get("ComplianceResourceTypes", []))
        published_types = {t.strip() for t in published.get("Resource Types", "").split(",")}
        if not scoped or not scoped <= published_types:
            problems.append(
                f"{identifier}: scope {sorted(scoped)} not in {sorted(published_types)}"
            )
    return problems


def template(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((PACKS_DIR / f"{name}.yaml").read_text())
    return document


def rules(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: resource["Properties"]
        for logical, resource in document["Resources"].items()
        if resource["Type"] == "AWS::Config::ConfigRule"
    }


@pytest.mark.parametrize("name", SHIPPED_PACKS)
def test_every_rule_is_an_aws_managed_rule_used_as_published(name: str) -> None:
    document = template(name)
    assert set(rules(document)) == set(document["Resources"])
    problems = [p for properties in rules(document).values() for p in rule_problems(properties)]
    assert problems == []


def test_the_check_itself_catches_invented_rules_and_parameters() -> None:
    assert rule_problems({"Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_MAGIC"}})
    assert rule_problems(
        {
            "Source": {"Owner": "AWS", "SourceIdentifier": "SNS_ENCRYPTED_KMS"},
            "Scope": {"ComplianceResourceTypes": ["AWS::SNS::Topic"]},
            "InputParameters": {"kmsKeyArns": "x"},
        }
    ) == ["SNS_ENCRYPTED_KMS: no parameter kmsKeyArns"]
    assert rule_problems(
        {"Source": {"Owner": "AWS", "SourceIdentifier": "SECURITYHUB_ENABLED"}}
    ) == ["SECURITYHUB_ENABLED: a periodic rule needs a MaximumExecutionFrequency"]


def test_the_baseline_pack_has_the_rules_the_baseline_promises() -> None:
    identifiers = {p["Source"]["SourceIdentifier"] for p in rules(template("baseline")).values()}
    assert identifiers == BASELINE_RULES


def test_the_s3_pack_checks_s3_only_and_covers_its_essentials() -> None:
    identifiers = {
        p["Source"]["SourceIdentifier"]
        for p in rules(template("s3-operational-best-practices")).values()
    }
    assert all(identifier.startswith("S3_") for identifier in identifiers)
    assert {
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "S3_DEFAULT_ENCRYPTION_KMS",
        "S3_BUCKET_VERSIONING_ENABLED",
        "S3_BUCKET_LOGGING_ENABLED",
    } <= identifiers


def test_the_central_monitoring_account_parameter_is_optional() -> None:
    document = template("baseline")
    assert document["Parameters"]["CentralMonitoringAccount"]["Default"] == ""
    guardduty = rules(document)["GuardDutyEnabledCentralized"]["InputParameters"]
    assert guardduty["CentralMonitoringAccount"]["Fn::If"][0] == "HasCentralMonitoringAccount"


@pytest.mark.parametrize("name", SHIPPED_PACKS)
def test_templates_lint_clean_and_fit_aws_size_limit(name: str) -> None:
    body = (PACKS_DIR / f"{name}.yaml").read_text()
    assert len(body.encode()) <= MAX_TEMPLATE_BYTES
    findings = lint(body, regions=["us-east-1", "eu-west-1"])
    assert [f"{f.rule.id} {f.message}" for f in findings] == []


def test_the_linter_catches_a_broken_template() -> None:
    body = (PACKS_DIR / "baseline.yaml").read_text()
    broken = body.replace("MaximumExecutionFrequency:", "MaximumExecutionFreq:", 1)
    findings = lint(broken, regions=["us-east-1"])
    assert [f.rule.id for f in findings] == ["E3002"]
