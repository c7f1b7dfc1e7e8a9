"""fms checks (organization mode): policies and their compliance through Stubber; moto has
no Firewall Manager at all."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from botocore.stub import Stubber

from baseline.audit.model import CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.firewall_manager import audit as fms
from baseline.capabilities.firewall_manager.audit_scope import expected_policy_names
from baseline.capabilities.firewall_manager.policies import FirewallPolicy, ShieldAdvancedOptions
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    ORGANIZATION,
    context_of,
    fake_session,
    service_error,
)

POLICY = "sg-usage"  # the policy of tests/fixtures/audit/org
POLICY_ID = "0" * 35 + "1"
POLICY_ARN = f"arn:aws:fms:{HOME}:{ACCOUNT}:policy/{POLICY_ID}"


def policy(name: str = POLICY) -> dict[str, Any]:
    return {"PolicyArn": POLICY_ARN, "PolicyId": POLICY_ID, "PolicyName": name}


def member(account: str, status: str) -> dict[str, Any]:
    return {
        "PolicyOwner": ACCOUNT,
        "PolicyId": POLICY_ID,
        "PolicyName": POLICY,
        "MemberAccount": account,
        "EvaluationResults": [{"ComplianceStatus": status, "ViolatorCount": 1}],
    }


def stubbed(
    policies: Sequence[dict[str, Any]], members: Sequence[dict[str, Any]] = ()
) -> list[CheckResult]:
    session = fake_session()
    with Stubber(session.client("fms", HOME)) as stub:
        stub.add_response("list_policies", {"PolicyList": list(policies)})
        for each in policies:
            stub.add_response(
                "list_compliance_status",
                {"PolicyComplianceStatusList": list(members)},
                {"PolicyId": each["PolicyId"]},
            )
        return run_service(fms.SERVICE, context_of(session, ORGANIZATION, "prod"), HOME)


def test_the_spec_policy_every_member_complies_with_passes() -> None:
    results = stubbed([policy()], [member("111111111111", "COMPLIANT")])
    assert [(r.check_id, r.status, r.resource, r.reason) for r in results] == [
        ("fms.policies-present", Status.PASS, POLICY_ARN, "deployed"),
        (
            "fms.policies-compliant",
            Status.PASS,
            POLICY_ARN,
            f"{POLICY}: 1 member accounts compliant",
        ),
    ]


def test_a_non_compliant_member_fails_naming_the_account() -> None:
    members = [member("111111111111", "COMPLIANT"), member("444444444444", "NON_COMPLIANT")]
    (compliance,) = [r for r in stubbed([policy()], members) if r.check_id.endswith("compliant")]
    assert (compliance.status, compliance.resource) == (Status.FAIL, POLICY_ARN)
    assert compliance.reason == f"{POLICY}: non-compliant accounts 444444444444"


def test_a_spec_policy_missing_fails_while_the_deployed_one_is_still_checked() -> None:
    results = stubbed([policy("unrelated")], [member("111111111111", "COMPLIANT")])
    assert [(r.check_id, r.status, r.resource) for r in results] == [
        ("fms.policies-present", Status.FAIL, POLICY),
        ("fms.policies-compliant", Status.PASS, POLICY_ARN),
    ]


def test_no_policy_fails_both_checks() -> None:
    assert [(r.status, r.reason) for r in stubbed([])] == [
        (Status.FAIL, "no Firewall Manager policy")
    ] * 2


def test_policies_covering_cloudfront_are_expected_once_more_in_us_east_1() -> None:
    context = context_of(fake_session(), ORGANIZATION, "prod")
    shield = FirewallPolicy("shield", ShieldAdvancedOptions())
    section = dataclasses.replace(context.spec.firewall_manager, policies=(shield,))
    regions = dataclasses.replace(context.spec.regions, enabled=("us-east-1", "eu-west-1"))
    spec = dataclasses.replace(context.spec, firewall_manager=section, regions=regions)
    assert expected_policy_names(spec, "us-east-1") == ("shield", "shield-cloudfront")
    assert expected_policy_names(spec, "eu-west-1") == ("shield",)


def test_denied_listing_is_an_error_for_both_checks() -> None:
    session = fake_session()
    with Stubber(session.client("fms", HOME)) as stub:
        stub.add_client_error(**service_error("list_policies", "AccessDeniedException", "no"))
        results = run_service(fms.SERVICE, context_of(session, ORGANIZATION, "prod"), HOME)
    assert [r.status for r in results] == [Status.ERROR, Status.ERROR]
    assert all(
        r.reason == "ListPolicies: access denied (AccessDeniedException): no" for r in results
    )


def test_an_endpoint_without_firewall_manager_is_an_error(url: str) -> None:
    results = run_service(fms.SERVICE, context_of(fake_session(url), ORGANIZATION, "prod"), HOME)
    assert {r.status for r in results} == {Status.ERROR}
    assert all(r.reason.startswith("ListPolicies: the endpoint answered HTTP") for r in results)


def test_a_single_account_skips_firewall_manager() -> None:
    results = run_service(fms.SERVICE, context_of(fake_session()), HOME)
    assert {r.status for r in results} == {Status.SKIP}
