"""policies/documents.py: which statements open a resource to anyone.

The condition keys that tie a statement to known callers are AWS's global condition keys
(IAM User Guide, "AWS global condition context keys"), written here as AWS spells them, not
read from the module under test.
"""

from typing import Any

import pytest

import tests.policy_harness  # noqa: F401  (puts policies/ on sys.path)

# isort: split

from documents import public_grant_messages, public_grants

EVERYONE_READS = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}


def document(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{**EVERYONE_READS, **statement}]}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("aws:SourceAccount", "123456789012"),
        ("aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:alerts"),
        ("aws:SourceOwner", "123456789012"),
        ("aws:SourceOrgID", "o-abcdefghij"),
        ("aws:SourceOrgPaths", "o-abcdefghij/r-ab12/ou-ab12-11111111/"),
        ("aws:PrincipalAccount", "123456789012"),
        ("aws:PrincipalArn", "arn:aws:iam::123456789012:role/reader"),
        ("aws:PrincipalOrgID", "o-abcdefghij"),
        ("aws:PrincipalOrgPaths", "o-abcdefghij/r-ab12/ou-ab12-11111111/"),
        ("aws:SourceVpc", "vpc-1a2b3c4d"),
        ("aws:SourceVpce", "vpce-1a2b3c4d"),
        ("kms:CallerAccount", "123456789012"),
    ],
)
def test_a_condition_naming_the_caller_narrows_a_grant_to_everyone(key: str, value: str) -> None:
    narrowed = document(Condition={"StringEquals": {key: value}})

    assert public_grants(narrowed) == []
    assert public_grants(document()) == ["statement 1"]


def test_the_endpoint_condition_narrows_whatever_its_case() -> None:
    # Condition keys are case-insensitive (IAM User Guide, "IAM JSON policy elements: Condition").
    narrowed = document(Condition={"StringEquals": {"AWS:SOURCEVPCE": ["vpce-1a2b3c4d"]}})

    assert public_grants(narrowed) == []


@pytest.mark.parametrize(
    "condition",
    [
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"Null": {"aws:SourceVpce": "false"}},
        {"StringLike": {"aws:SourceVpce": "*"}},
        {"StringEquals": {"aws:SourceVpce": ""}},
        {"ForAllValues:StringEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d"]}},
        {"StringEquals": {"aws:UserAgent": "curl"}},
        {"StringEquals": "aws:SourceVpce"},
    ],
)
def test_conditions_that_do_not_narrow_the_caller_leave_the_grant_public(
    condition: dict[str, Any],
) -> None:
    assert public_grants(document(Condition=condition)) == ["statement 1"]


def test_not_principal_and_the_aws_wildcard_are_public_and_deny_is_not() -> None:
    not_principal = {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}}
    statements = [
        {**EVERYONE_READS, "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}},
        {**EVERYONE_READS, "Effect": "Deny"},
        {**not_principal, "Action": "sqs:*", "Resource": "*", "Sid": "Open"},
        {**EVERYONE_READS, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
    ]

    assert public_grants({"Statement": statements}) == ["statement 1", "statement 3 (Sid 'Open')"]


def test_messages_name_the_property_of_each_public_document() -> None:
    props = {"policy": '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*"}]}'}

    assert public_grant_messages("aws:s3/bucketPolicy:BucketPolicy", props) == [
        "policy: statement 1 allows any principal with no account condition."
    ]
