"""shield checks (organization mode): GetSubscriptionState through Stubber (moto lacks it),
protections in moto."""

from __future__ import annotations

import dataclasses

from botocore.stub import Stubber

from baseline.audit.model import ORGANIZATION_ONLY, AuditContext, CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.firewall_manager import shield_audit as shield
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    ORGANIZATION,
    by_check,
    client,
    context_of,
    fake_session,
    service_error,
)

DISTRIBUTION = f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1234567890"


def stubbed(state: str, protected: list[str]) -> list[CheckResult]:
    session = fake_session()
    protections = [
        {"Id": f"{index:036d}", "Name": f"protection-{index}", "ResourceArn": arn}
        for index, arn in enumerate(protected)
    ]
    with Stubber(session.client("shield", HOME)) as stub:
        stub.add_response("get_subscription_state", {"SubscriptionState": state})
        stub.add_response("list_protections", {"Protections": protections})
        return run_service(shield.SERVICE, context_of(session, ORGANIZATION, "prod"), HOME)


def test_an_active_subscription_protecting_resources_passes() -> None:
    results = stubbed("ACTIVE", [DISTRIBUTION])
    assert [(r.check_id, r.status, r.reason) for r in results] == [
        ("shield.subscription-active", Status.PASS, "subscription ACTIVE"),
        ("shield.protected-resources", Status.PASS, f"1 protected: {DISTRIBUTION}"),
    ]


def test_an_inactive_subscription_without_protections_fails() -> None:
    results = stubbed("INACTIVE", [])
    assert [(r.status, r.reason) for r in results] == [
        (Status.FAIL, "subscription INACTIVE"),
        (Status.FAIL, "no protected resources"),
    ]


def test_moto_reads_protections_and_lacks_the_subscription_state(url: str) -> None:
    shield_client = client(url, "shield")
    shield_client.create_subscription()
    shield_client.create_protection(Name="cdn", ResourceArn=DISTRIBUTION)
    context = context_of(fake_session(url), ORGANIZATION, "prod")
    results = run_service(shield.SERVICE, context, HOME)
    (state,) = by_check(results, "shield.subscription-active")
    assert state.status is Status.ERROR
    assert state.reason.startswith("GetSubscriptionState: the endpoint answered HTTP 500")
    assert by_check(results, "shield.protected-resources")[0].status is Status.PASS


def test_a_denied_state_is_an_error_for_that_check_only() -> None:
    session = fake_session()
    with Stubber(session.client("shield", HOME)) as stub:
        stub.add_client_error(
            **service_error("get_subscription_state", "AccessDeniedException", "no", 403)
        )
        stub.add_response("list_protections", {"Protections": []})
        results = run_service(shield.SERVICE, context_of(session, ORGANIZATION, "prod"), HOME)
    assert [r.status for r in results] == [Status.ERROR, Status.FAIL]


def test_a_single_account_skips_shield() -> None:
    results = run_service(shield.SERVICE, context_of(fake_session()), HOME)
    assert {(r.status, r.reason) for r in results} == {(Status.SKIP, ORGANIZATION_ONLY)}


def test_an_organization_without_firewall_manager_skips_shield() -> None:
    context = context_of(fake_session(), ORGANIZATION, "prod")
    section = dataclasses.replace(context.spec.firewall_manager, enabled=False)
    spec = dataclasses.replace(context.spec, firewall_manager=section)
    results = run_service(shield.SERVICE, AuditContext(spec, context.clients), HOME)
    assert {(r.status, r.reason) for r in results} == {
        (Status.SKIP, "firewall_manager.enabled is false in the spec")
    }
