"""The Macie enrollment function: Organizations from moto, Macie through botocore's Stubber.

moto implements Organizations (ListAccounts in pages, closed accounts) but not Macie's
CreateMember, so every Macie call is stubbed with AWS's response shapes: the Stubber checks
each request against the service model, and `assert_no_pending_responses` proves which calls
were made, and the absence of a queued response which were not.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from baseline.capabilities.macie.functions.macie_enrollment import handler

REGION = "us-east-1"


@dataclass
class Organization:
    client: Any
    management: str
    accounts: list[str]  # member accounts, in creation order
    emails: dict[str, str]  # every account of the organization -> its email


@pytest.fixture
def organization() -> Iterator[Organization]:
    with mock_aws():
        client = boto3.client("organizations", region_name=REGION)
        created = client.create_organization(FeatureSet="ALL")["Organization"]
        accounts = [
            client.create_account(AccountName=f"acct{n}", Email=f"acct{n}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
            for n in range(24)  # more than one ListAccounts page (20)
        ]
        emails = {
            account["Id"]: account["Email"]
            for page in client.get_paginator("list_accounts").paginate()
            for account in page["Accounts"]
        }
        yield Organization(client, created["MasterAccountId"], accounts, emails)


@pytest.fixture
def macie() -> tuple[Any, Stubber]:
    client = boto3.client(
        "macie2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def _members(stubber: Stubber, statuses: dict[str, str]) -> None:
    members = [{"accountId": a, "relationshipStatus": s} for a, s in statuses.items()]
    stubber.add_response("list_members", {"members": members}, {"onlyAssociated": "false"})


def _expect_create(stubber: Stubber, organization: Organization, account: str) -> None:
    stubber.add_response(
        "create_member",
        {"arn": f"arn:aws:macie2:{REGION}:222222222222:member/{account}"},
        {"account": {"accountId": account, "email": organization.emails[account]}},
    )


def _enroll(organization: Organization, client: Any, administrator: str, **kwargs: Any) -> Any:
    return handler.enroll(
        organization.client, client, region=REGION, administrator=administrator, **kwargs
    )


def test_existing_accounts_become_members_and_associated_ones_are_left_alone(
    organization: Organization, macie: tuple[Any, Stubber]
) -> None:
    client, stubber = macie
    administrator, enabled, paused, removed, region_disabled, *rest = organization.accounts
    closed = rest.pop()
    organization.client.close_account(AccountId=closed)
    _members(
        stubber,
        {
            enabled: "Enabled",
            paused: "Paused",
            removed: "Removed",
            region_disabled: "RegionDisabled",
        },
    )
    to_enroll = sorted([removed, organization.management, *rest])
    for account in to_enroll:
        _expect_create(stubber, organization, account)
    with stubber:
        outcome = _enroll(organization, client, administrator)
        stubber.assert_no_pending_responses()
    assert outcome.organization_accounts == 24  # 25 accounts, one closed
    assert outcome.enrolled == to_enroll
    assert outcome.already_members == 2
    assert outcome.unreachable == {region_disabled: "RegionDisabled"}
    assert administrator not in outcome.enrolled and closed not in outcome.enrolled
    assert outcome.succeeded


def test_a_second_run_finds_nothing_to_do(
    organization: Organization, macie: tuple[Any, Stubber]
) -> None:
    client, stubber = macie
    administrator = organization.accounts[0]
    _members(stubber, {a: "Enabled" for a in organization.emails if a != administrator})
    with stubber:  # no create_member queued: a call would raise
        outcome = _enroll(organization, client, administrator)
        stubber.assert_no_pending_responses()
    assert outcome.enrolled == [] and outcome.already_members == 24 and outcome.succeeded


def test_required_accounts_go_first_and_must_end_enabled(
    organization: Organization, macie: tuple[Any, Stubber]
) -> None:
    client, stubber = macie
    administrator, job_account, paused, *others = organization.accounts
    outsider = "999999999999"
    _members(
        stubber,
        {paused: "Paused", **{a: "Enabled" for a in [*others, organization.management]}},
    )
    _expect_create(stubber, organization, job_account)
    clock = iter([60_000, 1_000])  # time for one CreateMember, then too little
    with stubber:
        outcome = _enroll(
            organization,
            client,
            administrator,
            required=(outsider, paused, job_account, administrator),
            time_left_millis=lambda: next(clock),
        )
        stubber.assert_no_pending_responses()
    assert outcome.enrolled == [job_account]
    assert outcome.missing_required == {
        outsider: "not an active account of the organization",
        paused: "Macie relationship status Paused",
    }
    assert not outcome.succeeded


def test_accounts_left_when_time_runs_short_wait_for_the_next_run(
    organization: Organization, macie: tuple[Any, Stubber]
) -> None:
    client, stubber = macie
    administrator = organization.accounts[0]
    _members(stubber, {})
    with stubber:
        outcome = _enroll(organization, client, administrator, time_left_millis=lambda: 5_000)
    assert len(outcome.deferred) == 24 and outcome.enrolled == []
    assert outcome.succeeded  # nothing failed; the next scheduled run continues


class Context:
    invoked_function_arn = f"arn:aws:lambda:{REGION}:222222222222:function:macie-enrollment"

    def get_remaining_time_in_millis(self) -> int:
        return 600_000


def test_the_handler_logs_an_error_and_fails_when_create_member_fails(
    organization: Organization,
    macie: tuple[Any, Stubber],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, stubber = macie
    job_account = organization.accounts[3]
    enabled = [a for a in organization.emails if a != job_account]
    _members(stubber, dict.fromkeys(enabled, "Enabled"))
    stubber.add_client_error(
        "create_member",
        service_error_code="AccessDeniedException",
        service_message="not the delegated administrator",
        http_status_code=403,
        expected_params={
            "account": {"accountId": job_account, "email": organization.emails[job_account]}
        },
    )
    clients = {"organizations": organization.client, "macie2": client}
    monkeypatch.setattr(handler.boto3, "client", lambda service, **_: clients[service])
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("REQUIRED_ACCOUNTS", f" {job_account} ,")
    with stubber, caplog.at_level(logging.INFO), pytest.raises(handler.EnrollmentError) as raised:
        handler.handler({"source": "aws.events"}, Context())
    summary = json.loads(str(raised.value))
    assert summary["failed"] == {
        job_account: "AccessDeniedException: not the delegated administrator"
    }
    assert summary["missing_required"] == {job_account: "CreateMember failed"}
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("Macie enrollment incomplete" in message for message in errors)


def test_the_handler_reports_what_it_did(
    organization: Organization, macie: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stubber = macie
    new = organization.accounts[5]
    _members(stubber, {a: "Enabled" for a in organization.emails if a != new})
    _expect_create(stubber, organization, new)
    clients = {"organizations": organization.client, "macie2": client}
    monkeypatch.setattr(handler.boto3, "client", lambda service, **_: clients[service])
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("REQUIRED_ACCOUNTS", raising=False)
    with stubber:
        result = handler.handler({}, Context())
    assert result["enrolled"] == [new] and result["region"] == REGION
