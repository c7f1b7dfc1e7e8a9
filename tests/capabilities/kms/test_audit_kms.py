"""kms checks: the baseline's keys in moto (found by alias), Stubber for a denied policy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from baseline.audit.model import Status
from baseline.audit.policies import is_public_grant
from baseline.audit.runner import run_service
from baseline.capabilities.kms import audit as kms
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    client,
    context_of,
    fake_session,
    seed_key,
    service_error,
    statuses,
)

ROOT_STATEMENT = {
    "Sid": "KeyAdministration",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def audit(url: str, region: str = HOME) -> dict[str, set[Status]]:
    return statuses(run_service(kms.SERVICE, context_of(fake_session(url)), region))


def key_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def put_policy(url: str, arn: str, *statements: dict[str, Any]) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [ROOT_STATEMENT, *statements]})
    client(url, "kms").put_key_policy(KeyId=key_id(arn), PolicyName="default", Policy=policy)


def test_a_rotating_key_with_a_private_policy_passes(url: str) -> None:
    seed_key(url)
    assert audit(url) == {
        "kms.key-rotation": {Status.PASS},
        "kms.key-policy-not-public": {Status.PASS},
    }


def test_a_key_without_rotation_fails(url: str) -> None:
    arn = seed_key(url, alias="security-baseline/notifications/alerts")
    client(url, "kms").disable_key_rotation(KeyId=key_id(arn))
    results = run_service(kms.SERVICE, context_of(fake_session(url)), HOME)
    rotation = next(r for r in results if r.check_id == "kms.key-rotation")
    assert (rotation.status, rotation.resource) == (Status.FAIL, arn)
    assert rotation.reason == "alias/security-baseline/notifications/alerts: rotation off"


def test_a_policy_open_to_everyone_fails_naming_the_statement(url: str) -> None:
    arn = seed_key(url)
    put_policy(
        url,
        arn,
        {
            "Sid": "Everyone",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
        },
    )
    results = run_service(kms.SERVICE, context_of(fake_session(url)), HOME)
    policy = next(r for r in results if r.check_id == "kms.key-policy-not-public")
    assert policy.status is Status.FAIL
    assert policy.reason.endswith("without an identity condition in Everyone")


def test_a_wildcard_principal_narrowed_to_the_account_passes(url: str) -> None:
    arn = seed_key(url)
    narrowed = {
        "Sid": "ThroughServicesOfThisAccount",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
    }
    put_policy(url, arn, narrowed)
    assert audit(url)["kms.key-policy-not-public"] == {Status.PASS}


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ({"Effect": "Allow", "Principal": {"AWS": ["*"]}}, True),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            },
            True,
        ),
        (
            {
                "Effect": "Allow",
                "Principal": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
            },
            False,
        ),
        ({"Effect": "Deny", "Principal": "*"}, False),
        ({"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}}, False),
    ],
)
def test_public_grants_are_wildcard_allows_without_identity_conditions(
    statement: dict[str, Any], public: bool
) -> None:
    assert is_public_grant(statement) is public


def test_keys_without_a_baseline_alias_are_not_the_baselines(url: str) -> None:
    seed_key(url, alias="team/app")
    results = run_service(kms.SERVICE, context_of(fake_session(url)), HOME)
    assert {(r.status, r.reason) for r in results} == {
        (Status.FAIL, "no key with an alias under alias/security-baseline in the home region")
    }


def test_another_region_without_baseline_keys_is_skipped(url: str) -> None:
    seed_key(url)
    assert audit(url, "eu-west-1") == {
        "kms.key-rotation": {Status.SKIP},
        "kms.key-policy-not-public": {Status.SKIP},
    }


def test_a_denied_key_policy_is_an_error_for_that_check_only() -> None:
    session = fake_session()
    alias = {
        "AliasName": "alias/security-baseline/trail",
        "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/security-baseline/trail",
        "TargetKeyId": "k1",
    }
    with Stubber(session.client("kms", HOME)) as stub:
        stub.add_response("list_aliases", {"Aliases": [alias]})
        stub.add_response("get_key_rotation_status", {"KeyRotationEnabled": True}, {"KeyId": "k1"})
        stub.add_client_error(**service_error("get_key_policy", "AccessDeniedException", "no"))
        found = statuses(run_service(kms.SERVICE, context_of(session), HOME))
    assert found == {"kms.key-rotation": {Status.PASS}, "kms.key-policy-not-public": {Status.ERROR}}
