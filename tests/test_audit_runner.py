"""The runner and its table of API calls: every call a full audit makes is in the table (so
in the auditor's policy), every table entry is called, and AWS errors never escape."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from baseline.audit.accounts import account_sessions
from baseline.audit.coverage.model import CoverageContext
from baseline.audit.coverage.runner import run_coverage
from baseline.audit.errors import describe_error, guarded
from baseline.audit.model import Check, Status
from baseline.audit.permissions import API_CALLS
from baseline.audit.runner import SERVICES, all_checks, run_accounts, run_audit, run_service
from baseline.audit.session import AuditSession
from baseline.capabilities.firewall_manager import audit as fms
from baseline.capabilities.guardrails import audit as ec2
from baseline.capabilities.organization_policies import audit as organization_policies
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    ORGANIZATION,
    REGIONS,
    client,
    context_of,
    fake_aws_env,
    fake_session,
    seed_compliant,
    spec_of,
)
from tests.capabilities.guardrails.test_audit_ec2 import closing_context

CALLS_BY_OPERATION = {(call.service, call.operation): call for call in API_CALLS}


def recording(session: AuditSession) -> set[tuple[str, str]]:
    """The (client, operation) pairs the session's clients will call, filled as they call."""
    calls: set[tuple[str, str]] = set()

    def record(model: Any, **_: Any) -> None:
        calls.add((model.service_model.service_name, model.name))

    session.boto_session.events.register("before-parameter-build", record)
    return calls


def test_check_ids_are_unique_and_named_after_their_service() -> None:
    ids = [check.id for check in all_checks()]
    assert len(ids) == len(set(ids))
    for service in SERVICES:
        for check in service.checks:
            assert re.fullmatch(rf"{service.name}\.[a-z0-9]+(-[a-z0-9]+)*", check.id), check.id


def organization_coverage(caller: AuditSession) -> None:
    """Every coverage read of the organization fixture, from the security account (moto's
    default): the management account's role is assumed, its account list stubbed."""
    spec = spec_of(ORGANIZATION, "prod")
    sessions = account_sessions(spec, caller)
    run_accounts(spec, sessions, [HOME])
    context = CoverageContext(spec, sessions["management"], sessions["security"])
    with Stubber(context.management.client("organizations", HOME)) as organizations:
        organizations.add_response(
            "describe_organization",
            {"Organization": {"Id": "o-exampleorg1", "MasterAccountId": "111111111111"}},
        )
        organizations.add_response("list_accounts", {"Accounts": []})
        run_coverage(context, [HOME])


def test_every_call_of_a_full_audit_is_in_the_table_and_every_entry_is_called(url: str) -> None:
    seed_compliant(url)
    client(url, "config").put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/a",
            "AllAwsRegions": True,
        },
    )
    single = fake_session(url)
    organization = fake_session(url)
    stubbed = fake_session()
    single_calls = recording(single)
    organization_calls = recording(organization)
    stubbed_calls = recording(stubbed)
    run_audit(context_of(single), list(REGIONS))
    organization_coverage(organization)
    # The organization's policies, read where moto has an organization (its default account).
    client(url, "organizations").create_organization(FeatureSet="ALL")
    context = context_of(organization, ORGANIZATION, "prod")
    seed_policy = organization_policies.expected_policies(context)[0]
    client(url, "organizations").create_policy(
        Content=seed_policy.content, Description="", Name=seed_policy.name, Type=seed_policy.type
    )
    run_service(organization_policies.SERVICE, context, HOME)
    run_service(ec2.SERVICE, closing_context(organization), HOME)
    policy = {
        "PolicyArn": "arn:aws:fms:us-east-1:1:policy/p",
        "PolicyId": "0" * 36,
        "PolicyName": "sg-usage",
    }
    with Stubber(stubbed.client("fms", HOME)) as stub:
        stub.add_response("list_policies", {"PolicyList": [policy]})
        stub.add_response("list_compliance_status", {"PolicyComplianceStatusList": []})
        run_service(fms.SERVICE, context_of(stubbed, ORGANIZATION, "prod"), HOME)
    calls = single_calls | organization_calls | stubbed_calls
    assert calls - set(CALLS_BY_OPERATION) == set()
    # The probe of `connect` is the one call outside the runner.
    assert set(CALLS_BY_OPERATION) - calls == {("sts", "GetCallerIdentity")}


def test_the_table_lists_each_operation_once() -> None:
    assert len(CALLS_BY_OPERATION) == len(API_CALLS)


def test_a_dead_endpoint_mid_audit_is_an_error_for_every_check_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_aws_env(monkeypatch)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = fake_session(f"http://127.0.0.1:{port}", account_id=ACCOUNT)
    results = run_audit(context_of(session), [HOME])
    assert {r.status for r in results} == {Status.ERROR, Status.SKIP}
    errors = [r for r in results if r.status is Status.ERROR]
    assert all("Could not connect to the endpoint URL" in r.reason for r in errors)


def client_error(code: str, message: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "GetFindings")


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            client_error("AccessDenied", "not authorized", 403),
            "GetFindings: access denied (AccessDenied): not authorized",
        ),
        (client_error("", "", 501), "GetFindings is not supported by the endpoint (501)"),
        (
            client_error("NotImplemented", "nope", 400),
            "GetFindings is not supported by the endpoint (NotImplemented)",
        ),
        (
            client_error("500", "<!doctype html><title>500</title>", 500),
            "GetFindings: the endpoint answered HTTP 500 (API not supported there?)",
        ),
        (
            client_error("Throttling", "Rate  exceeded\n", 400),
            "GetFindings failed (Throttling): Rate exceeded",
        ),
    ],
)
def test_errors_read_as_one_line(error: ClientError, reason: str) -> None:
    assert describe_error(error) == reason


def test_bugs_are_not_disguised_as_errors() -> None:
    check = Check("x.y", "a check")

    def broken() -> list[Any]:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        guarded([check], HOME, "-", broken)
