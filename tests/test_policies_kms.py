"""KMS policies: rotation, deletion window (with its configured minimum), public key policies."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from tests.policy_harness import by_name, validate_resource

# isort: split

import kms

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ROOT = {"AWS": "arn:aws:iam::123456789012:root"}


def check(name: str, resource_type: str, props: dict, config: dict | None = None) -> list[str]:
    return validate_resource(by_name(kms.POLICIES, name), resource_type, props, config)


def key_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_rotating_key_passes():
    assert check("kms-key-rotation", KEY, {"enableKeyRotation": True}) == []


@pytest.mark.parametrize("props", [{}, {"enableKeyRotation": False}])
def test_key_without_rotation_fails(props):
    assert check("kms-key-rotation", KEY, props) == [
        "enable_key_rotation is not true: the key material never rotates."
    ]


@pytest.mark.parametrize(
    "props",
    [
        {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
        {"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
        {"customKeyStoreId": "cks-1234567890abcdef0"},
        {"customKeyStoreId": UNKNOWN_STRING_VALUE},
        {"xksKeyId": "xks-key-1"},
    ],
)
def test_keys_kms_cannot_rotate_are_not_reported(props):
    assert check("kms-key-rotation", KEY, props) == []


@pytest.mark.parametrize("props", [{}, {"deletionWindowInDays": 30}])
def test_default_or_full_deletion_window_passes(props):
    assert check("kms-key-deletion-window", KEY, props) == []


def test_short_deletion_window_fails_against_the_default_minimum():
    assert check("kms-key-deletion-window", KEY, {"deletionWindowInDays": 7}) == [
        "deletion_window_in_days is 7, below the minimum of 30 days."
    ]


def test_deletion_window_minimum_comes_from_config():
    config = {"minimumDays": 14.0}  # Configure hands numbers over as doubles
    assert check("kms-key-deletion-window", KEY, {"deletionWindowInDays": 14}, config) == []
    assert check("kms-key-deletion-window", KEY, {"deletionWindowInDays": 10}, config) == [
        "deletion_window_in_days is 10, below the minimum of 14 days."
    ]


def test_deletion_window_schema_bounds_match_kms():
    schema = by_name(kms.POLICIES, "kms-key-deletion-window").config_schema
    assert schema is not None
    assert schema.properties["minimumDays"] == {
        "type": "integer",
        "minimum": 7,
        "maximum": 30,
        "default": 30,
        "description": "Shortest acceptable deletion window, in days (KMS: 7 to 30).",
    }


ACCOUNT_ONLY = key_policy(
    {"Sid": "Root", "Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"},
    {
        "Sid": "OrgUse",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
    },
)
PUBLIC = key_policy(
    {"Sid": "Root", "Effect": "Allow", "Principal": ROOT, "Action": "kms:*", "Resource": "*"},
    {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "kms:Decrypt",
        "Resource": "*",
    },
)


@pytest.mark.parametrize("resource_type", [KEY, KEY_POLICY])
def test_key_policy_limited_to_accounts_passes(resource_type):
    assert (
        check("kms-key-policy-no-public-principal", resource_type, {"policy": ACCOUNT_ONLY}) == []
    )


@pytest.mark.parametrize("resource_type", [KEY, KEY_POLICY])
def test_key_policy_open_to_anyone_fails(resource_type):
    assert check("kms-key-policy-no-public-principal", resource_type, {"policy": PUBLIC}) == [
        "policy: statement 2 (Sid 'Anyone') allows any principal with no account condition."
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123def4"}},
        {"StringLike": {"aws:SourceAccount": "*"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}},
        {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    ],
)
def test_conditions_that_do_not_narrow_the_caller_still_fail(condition):
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": ["*"]},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": condition,
    }
    assert (
        len(check("kms-key-policy-no-public-principal", KEY, {"policy": key_policy(statement)}))
        == 1
    )


def test_key_caller_account_condition_narrows_a_wildcard_principal():
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}},
    }
    assert check("kms-key-policy-no-public-principal", KEY, {"policy": key_policy(statement)}) == []


def test_allow_with_not_principal_is_public():
    statement = {"Effect": "Allow", "NotPrincipal": ROOT, "Action": "kms:*", "Resource": "*"}
    assert (
        len(check("kms-key-policy-no-public-principal", KEY, {"policy": key_policy(statement)}))
        == 1
    )


def test_key_without_policy_uses_the_account_default_and_passes():
    assert check("kms-key-policy-no-public-principal", KEY, {"enableKeyRotation": True}) == []


def test_unknown_key_policy_raises_for_the_sdk_to_report():
    with pytest.raises(UnknownValueError):
        check("kms-key-policy-no-public-principal", KEY, {"policy": UNKNOWN_STRING_VALUE})
