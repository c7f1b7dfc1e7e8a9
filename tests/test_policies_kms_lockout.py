"""kms-key-policy-no-lockout: the account root or a deploy role keeps kms:PutKeyPolicy."""

import json

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze_stack, by_name, resource, urn_of, validate_stack

# isort: split

import kms_lockout

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
POLICY = by_name(kms_lockout.POLICIES, "kms-key-policy-no-lockout")
DEPLOYERS = {"deployerArns": ["arn:aws:iam::*:role/SecurityBaselineDeployRole"]}
ADMINS = "arn:aws:iam::222222222222:role/KeyAdministrators"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: object, actions: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": "*"}


def check(props: dict, config: dict | None = None, resource_type: str = KEY) -> list:
    return validate_stack(POLICY, [resource(resource_type, "key", props)], config)


@pytest.mark.parametrize(
    ("statement", "config"),
    [
        (allow({"AWS": "arn:aws:iam::222222222222:root"}, "kms:*"), None),
        (allow({"AWS": ["222222222222"]}, ["kms:Put*", "kms:Get*"]), None),  # an id is its root
        (allow({"AWS": "arn:aws-us-gov:iam::222222222222:root"}, "*"), None),
        (allow({"AWS": "arn:aws:iam::222222222222:root"}, "KMS:PUTKEYPOLICY"), None),
        (
            allow({"AWS": "arn:aws:iam::222222222222:role/SecurityBaselineDeployRole"}, "kms:*"),
            DEPLOYERS,
        ),
    ],
)
def test_a_key_policy_that_keeps_an_administrator_passes(statement, config):
    assert check({"policy": document(statement)}, config) == []
    assert check({"keyId": "k", "policy": document(statement)}, config, KEY_POLICY) == []


def test_a_key_without_a_policy_keeps_the_default_policy_and_passes():
    assert check({"enableKeyRotation": True}) == []


@pytest.mark.parametrize(
    ("statements", "config"),
    [
        # Administrators listed instead of the root: the deploying role is locked out.
        ([allow({"AWS": ADMINS}, "kms:*")], None),
        ([allow({"AWS": ADMINS}, "kms:*")], DEPLOYERS),
        # The root may use the key but not change its policy.
        ([allow({"AWS": "arn:aws:iam::222222222222:root"}, ["kms:Decrypt", "kms:Get*"])], None),
        # A Deny is no grant.
        ([{**allow({"AWS": "arn:aws:iam::222222222222:root"}, "kms:*"), "Effect": "Deny"}], None),
        # A service is not the account.
        ([allow({"Service": "events.amazonaws.com"}, "kms:*")], None),
        # The deploy role of the config, but in a pattern that does not match.
        ([allow({"AWS": "arn:aws:iam::2:role/OtherDeployRole"}, "kms:*")], DEPLOYERS),
    ],
)
def test_a_key_policy_that_locks_the_account_out_fails_naming_the_kms_document(statements, config):
    for resource_type in (KEY, KEY_POLICY):
        [violation] = check({"policy": document(*statements)}, config, resource_type)
        assert violation.urn == urn_of(resource_type, "key")
        assert "no Allow statement of its key policy gives kms:PutKeyPolicy" in violation.message
        assert "BypassPolicyLockoutSafetyCheck" in violation.message


def test_the_message_names_the_configured_deploy_roles():
    [violation] = check({"policy": document(allow({"AWS": ADMINS}, "kms:*"))}, DEPLOYERS)
    assert "the account root or a deploy role (arn:aws:iam::*:role/SecurityBaselineDeployRole)" in (
        violation.message
    )


def test_an_unknown_policy_is_neither_a_pass_nor_a_failure_and_the_others_are_still_checked():
    locked = document(allow({"AWS": ADMINS}, "kms:*"))
    response = analyze_stack(
        kms_lockout.POLICIES,
        [
            (KEY, "pending", {"policy": UNKNOWN_STRING_VALUE}, {}),
            (KEY, "locked", {"policy": locked}, {}),
        ],
    )
    mandatory, advisory = sorted(
        response.diagnostics, key=lambda d: d.enforcementLevel, reverse=True
    )
    assert mandatory.enforcementLevel == analyzer_pb2.MANDATORY
    assert mandatory.urn == urn_of(KEY, "locked")
    assert advisory.enforcementLevel == analyzer_pb2.ADVISORY
    assert "during preview" in advisory.message and "not checked: 'pending'" in advisory.message
