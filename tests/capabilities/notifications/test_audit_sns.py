"""sns checks: the spec's topics found by name in moto, encrypted or not."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from baseline.audit.model import Status
from baseline.audit.runner import run_service
from baseline.capabilities.notifications import audit as sns
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    ORGANIZATION,
    TOPIC,
    client,
    context_of,
    fake_session,
    seed_key,
    seed_topic,
    service_error,
)


def audit(url: str, region: str = HOME) -> list[tuple[Status, str, str]]:
    results = run_service(sns.SERVICE, context_of(fake_session(url)), region)
    return [(r.status, r.resource, r.reason) for r in results]


def test_an_encrypted_topic_passes(url: str) -> None:
    key = seed_key(url)
    arn = seed_topic(url, key)
    assert audit(url) == [(Status.PASS, arn, f"encrypted with {key}")]


def test_an_unencrypted_topic_fails(url: str) -> None:
    arn = seed_topic(url, None)
    assert audit(url) == [(Status.FAIL, arn, "not encrypted (no KmsMasterKeyId)")]


def test_a_missing_topic_fails_at_home_and_is_skipped_elsewhere(url: str) -> None:
    client(url, "sns").create_topic(Name="unrelated")
    assert audit(url) == [(Status.FAIL, "security-alerts", "no such topic in the home region")]
    assert audit(url, "eu-west-1") == [
        (Status.SKIP, "security-alerts", "no such topic in this region")
    ]


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        (TOPIC, True),
        ("security-alerts", True),
        ("baseline-security-alerts", True),
        ("security-alerts-1a2b3c4", True),
        ("security-alerts-extra", False),
        ("notsecurity-alerts", False),
        ("security-alerts-1A2B3C4", False),
    ],
)
def test_deployed_topic_names_are_matched_to_the_spec(name: str, matches: bool) -> None:
    assert sns.is_topic_of(name, "security-alerts") is matches


def test_a_topic_fitting_two_spec_names_belongs_to_the_longest() -> None:
    arn = f"arn:aws:sns:{HOME}:{ACCOUNT}:notifications-security-alerts-1a2b3c4"
    other = f"arn:aws:sns:{HOME}:{ACCOUNT}:notifications-alerts-5d6e7f8"
    owners = sns.topic_owners([arn, other], ["alerts", "security-alerts"])
    assert owners == {arn: "security-alerts", other: "alerts"}


def test_topics_of_the_security_account_are_skipped_elsewhere(url: str) -> None:
    context = context_of(fake_session(url, account_id="333333333333"), ORGANIZATION, "prod")
    (result,) = run_service(sns.SERVICE, context, HOME)
    assert (result.status, result.reason) == (
        Status.SKIP,
        "the topics live in the security account 123456789012",
    )


def test_denied_attributes_are_an_error() -> None:
    session = fake_session()
    arn = f"arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}"
    with Stubber(session.client("sns", HOME)) as stub:
        stub.add_response("list_topics", {"Topics": [{"TopicArn": arn}]})
        stub.add_client_error(
            **service_error("get_topic_attributes", "AuthorizationError", "not authorized", 403)
        )
        (result,) = run_service(sns.SERVICE, context_of(session), HOME)
    assert (result.status, result.resource) == (Status.ERROR, arn)
    assert result.reason == "GetTopicAttributes: access denied (AuthorizationError): not authorized"
