"""securityhub checks: the hub in moto; standards through Stubber (moto has none)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from botocore.stub import Stubber

from baseline.audit.model import AuditContext, CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.securityhub import audit as securityhub
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    by_check,
    client,
    context_of,
    fake_session,
    service_error,
)

FOUNDATIONAL = "aws-foundational-security-best-practices/v/1.0.0"
CIS_3 = "cis-aws-foundations-benchmark/v/3.0.0"
CIS_1_2 = "cis-aws-foundations-benchmark/v/1.2.0"


def hub(region: str) -> dict[str, str]:
    return {"HubArn": f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default"}


def subscription(arn: str, status: str = "READY") -> dict[str, object]:
    return {
        "StandardsSubscriptionArn": f"{arn}/subscription",
        "StandardsArn": arn,
        "StandardsInput": {},
        "StandardsStatus": status,
    }


def run_stubbed(
    region: str, subscriptions: Sequence[dict[str, object]], standards: Sequence[str] = ()
) -> list[CheckResult]:
    session = fake_session()
    context = context_of(session)
    if standards:
        section = dataclasses.replace(context.spec.securityhub, standards=tuple(standards))
        context = AuditContext(dataclasses.replace(context.spec, securityhub=section), session)
    with Stubber(session.client("securityhub", region)) as stub:
        stub.add_response("describe_hub", hub(region))
        stub.add_response("get_enabled_standards", {"StandardsSubscriptions": list(subscriptions)})
        return run_service(securityhub.SERVICE, context, region)


def test_no_hub_fails_both_checks(url: str) -> None:
    results = run_service(securityhub.SERVICE, context_of(fake_session(url)), HOME)
    assert [(r.status, r.reason) for r in results] == [
        (Status.FAIL, "Security Hub is not enabled")
    ] * 2


def test_an_enabled_hub_passes_and_standards_moto_lacks_are_an_error(url: str) -> None:
    client(url, "securityhub").enable_security_hub(EnableDefaultStandards=False)
    results = run_service(securityhub.SERVICE, context_of(fake_session(url)), HOME)
    assert by_check(results, "securityhub.hub-enabled")[0].status is Status.PASS
    standards = by_check(results, "securityhub.standards")[0]
    assert standards.status is Status.ERROR
    assert standards.reason.startswith("GetEnabledStandards: the endpoint answered HTTP 404")


def test_every_spec_standard_subscribed_in_the_region_passes() -> None:
    region = "eu-west-1"
    arns = [f"arn:aws:securityhub:{region}::standards/{s}" for s in (FOUNDATIONAL, CIS_3)]
    results = by_check(
        run_stubbed(region, [subscription(arn) for arn in arns]), "securityhub.standards"
    )
    assert [(r.status, r.resource) for r in results] == [(Status.PASS, arn) for arn in arns]


def test_a_standard_subscribed_in_another_region_only_does_not_count() -> None:
    elsewhere = f"arn:aws:securityhub:{HOME}::standards/{CIS_3}"
    here = f"arn:aws:securityhub:eu-west-1::standards/{FOUNDATIONAL}"
    results = by_check(
        run_stubbed("eu-west-1", [subscription(here), subscription(elsewhere)]),
        "securityhub.standards",
    )
    assert [(r.status, r.reason) for r in results] == [
        (Status.PASS, "subscribed (READY)"),
        (Status.FAIL, "not subscribed"),
    ]


def test_a_failed_subscription_fails() -> None:
    arn = f"arn:aws:securityhub:{HOME}::standards/{FOUNDATIONAL}"
    results = by_check(
        run_stubbed(HOME, [subscription(arn, "FAILED")], standards=[FOUNDATIONAL]),
        "securityhub.standards",
    )
    assert [(r.status, r.reason) for r in results] == [(Status.FAIL, "subscription FAILED")]


def test_the_global_cis_1_2_ruleset_is_matched_by_its_arn() -> None:
    arn = f"arn:aws:securityhub:::ruleset/{CIS_1_2}"
    results = by_check(
        run_stubbed(HOME, [subscription(arn)], standards=[CIS_1_2]), "securityhub.standards"
    )
    assert [(r.status, r.resource) for r in results] == [(Status.PASS, arn)]


def test_denied_describe_hub_is_an_error_for_both_checks() -> None:
    session = fake_session()
    with Stubber(session.client("securityhub", HOME)) as stub:
        stub.add_client_error(
            **service_error("describe_hub", "AccessDeniedException", "not authorized", 403)
        )
        results = run_service(securityhub.SERVICE, context_of(session), HOME)
    assert [r.status for r in results] == [Status.ERROR, Status.ERROR]
    assert all("DescribeHub: access denied" in r.reason for r in results)
