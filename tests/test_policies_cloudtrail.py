"""CloudTrail policies: a compliant and a non-compliant trail for each, and preview unknowns."""

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError

from tests.policy_harness import analyze, by_name, validate_resource

# isort: split

import cloudtrail

TRAIL = "aws:cloudtrail/trail:Trail"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
COMPLIANT = {
    "s3BucketName": "org-trail-logs",
    "enableLogFileValidation": True,
    "isMultiRegionTrail": True,
    "kmsKeyId": KEY_ARN,
}


def check(name: str, props: dict) -> list[str]:
    return validate_resource(by_name(cloudtrail.POLICIES, name), TRAIL, props)


@pytest.mark.parametrize(
    "name",
    [
        "cloudtrail-log-file-validation",
        "cloudtrail-multi-region",
        "cloudtrail-kms-encrypted",
        "cloudtrail-logging-enabled",
    ],
)
def test_compliant_trail_passes_every_policy(name):
    assert check(name, COMPLIANT) == []


@pytest.mark.parametrize(
    ("name", "props", "expected"),
    [
        (
            "cloudtrail-log-file-validation",
            {"enableLogFileValidation": False},
            "enable_log_file_validation is not true: log files carry no signed digest.",
        ),
        (
            "cloudtrail-multi-region",
            {"isMultiRegionTrail": False},
            "is_multi_region_trail is not true: calls in other regions go unrecorded.",
        ),
        (
            "cloudtrail-kms-encrypted",
            {"kmsKeyId": ""},
            "kms_key_id is not set: log files are encrypted only with SSE-S3.",
        ),
        (
            "cloudtrail-logging-enabled",
            {"enableLogging": False},
            "enable_logging is false: the trail records nothing.",
        ),
    ],
)
def test_non_compliant_trail_is_reported_naming_the_python_argument(name, props, expected):
    assert check(name, {**COMPLIANT, **props}) == [expected]


@pytest.mark.parametrize(
    ("name", "absent"),
    [
        ("cloudtrail-log-file-validation", "enableLogFileValidation"),
        ("cloudtrail-multi-region", "isMultiRegionTrail"),
        ("cloudtrail-kms-encrypted", "kmsKeyId"),
    ],
)
def test_provider_defaults_for_absent_settings_are_insecure(name, absent):
    props = {k: v for k, v in COMPLIANT.items() if k != absent}
    assert len(check(name, props)) == 1


def test_logging_defaults_to_on():
    assert check("cloudtrail-logging-enabled", {"s3BucketName": "logs"}) == []


def test_other_resource_types_are_ignored():
    policy = by_name(cloudtrail.POLICIES, "cloudtrail-multi-region")
    assert validate_resource(policy, "aws:s3/bucket:Bucket", {"bucket": "b"}) == []


def test_key_arn_unknown_during_preview_still_names_a_key():
    assert check("cloudtrail-kms-encrypted", {**COMPLIANT, "kmsKeyId": UNKNOWN_STRING_VALUE}) == []


def test_unknown_setting_raises_the_sdk_unknown_error():
    with pytest.raises(UnknownValueError):
        check(
            "cloudtrail-log-file-validation",
            {**COMPLIANT, "enableLogFileValidation": UNKNOWN_BOOLEAN_VALUE},
        )


def test_unknown_setting_becomes_the_sdk_advisory_not_a_pass_or_a_violation():
    props = {**COMPLIANT, "enableLogFileValidation": UNKNOWN_BOOLEAN_VALUE}
    response = analyze(cloudtrail.POLICIES, TRAIL, props)
    [diagnostic] = response.diagnostics
    assert diagnostic.policyName == "cloudtrail-log-file-validation"
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert "can't run policy 'cloudtrail-log-file-validation'" in diagnostic.message
    assert "during preview" in diagnostic.message
    assert ".enableLogFileValidation" in diagnostic.message


def test_violation_through_the_sdk_is_mandatory_with_description_and_message():
    response = analyze(cloudtrail.POLICIES, TRAIL, {**COMPLIANT, "isMultiRegionTrail": False})
    [diagnostic] = response.diagnostics
    assert diagnostic.policyName == "cloudtrail-multi-region"
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert diagnostic.message.startswith("CloudTrail trails must record events in every region.")
    assert "is_multi_region_trail is not true" in diagnostic.message
