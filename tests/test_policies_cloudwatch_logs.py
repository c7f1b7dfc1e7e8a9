"""cloudwatch-log-group-kms-encrypted: log groups name a KMS key."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze, validate_resource

# isort: split

import cloudwatch_logs

POLICY = cloudwatch_logs.POLICIES[0]
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_a_log_group_with_a_kms_key_passes():
    assert validate_resource(POLICY, LOG_GROUP, {"kmsKeyId": KEY_ARN}) == []
    props = {"kmsKeyId": UNKNOWN_STRING_VALUE}
    assert analyze([POLICY], LOG_GROUP, props).diagnostics == []


@pytest.mark.parametrize("props", [{"retentionInDays": 365}, {"kmsKeyId": ""}])
def test_a_log_group_without_a_key_fails_naming_the_python_argument(props):
    assert validate_resource(POLICY, LOG_GROUP, props) == [
        "kms_key_id is not set: log events are encrypted only with a key CloudWatch Logs owns, "
        "which no key policy governs."
    ]


def test_other_types_are_not_read():
    assert validate_resource(POLICY, "aws:cloudtrail/trail:Trail", {}) == []
