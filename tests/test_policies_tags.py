"""tags-no-sensitive-data (advisory): emails, card numbers, AWS keys in tag values."""

import pytest
from pulumi_policy import EnforcementLevel

from tests.policy_harness import validate_resource

# isort: split

import tags

POLICY = tags.POLICIES[0]
BUCKET = "aws:s3/bucket:Bucket"


def test_policy_is_advisory_whatever_the_pack_default():
    assert POLICY.enforcement_level is EnforcementLevel.ADVISORY


@pytest.mark.parametrize(
    "value",
    [
        "platform-team",
        "123456789012",  # an account id
        "1700000000000",  # epoch milliseconds
        "4111111111111112",  # 16 digits, not Luhn-valid
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # a git commit id
        "arn:aws:iam::123456789012:role/app",
        "AROAEXAMPLEID1234567",  # a role id is not a credential
    ],
)
def test_ordinary_tag_values_pass(value):
    assert validate_resource(POLICY, BUCKET, {"tags": {"Owner": value}}) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jane.doe@example.com", "an email address"),
        ("card 4111 1111 1111 1111 on file", "a payment card number"),
        ("378282246310005", "a payment card number"),
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("ASIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "an AWS secret access key"),
    ],
)
def test_sensitive_tag_values_are_reported_without_the_value(value, kind):
    [message] = validate_resource(POLICY, BUCKET, {"tags": {"Contact": value, "Team": "data"}})
    assert message == f"tag 'Contact' looks like it holds {kind}."
    assert value not in message


def test_list_shaped_tags_are_checked():
    asg_tags = [{"key": "Owner", "value": "ops@example.com", "propagateAtLaunch": True}]
    assert validate_resource(POLICY, "aws:autoscaling/group:Group", {"tags": asg_tags}) == [
        "tag 'Owner' looks like it holds an email address."
    ]


def test_luhn_check():
    assert tags.luhn_valid("4111111111111111")
    assert not tags.luhn_valid("4111111111111112")
