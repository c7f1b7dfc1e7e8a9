"""organization-policies checks (organization mode), against moto's AWS Organizations: the
spec's policies present, unchanged and attached; a missing or detached guardrail FAILs."""

from __future__ import annotations

import json
from typing import Any

from baseline.audit.model import ORGANIZATION_ONLY, AuditContext, CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.organization_policies import audit as organization_policies
from baseline.capabilities.organization_policies.component import ROOT
from tests.audit_harness import HOME, ORGANIZATION, by_check, client, context_of, fake_session

PRESENT = "organization-policies.policy-present"
ATTACHED = "organization-policies.policy-attached"
TYPE_ENABLED = "organization-policies.policy-type-enabled"


def organization_context(url: str) -> AuditContext:
    # tests/fixtures/audit/org declares no organization_policies: every default guardrail,
    # attached to the root.
    return context_of(fake_session(url), ORGANIZATION, "prod")


def seed(url: str, context: AuditContext) -> dict[str, Any]:
    """The organization as `pulumi up` leaves it: every policy created and attached."""
    organizations = client(url, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    root = organizations.list_roots()["Roots"][0]["Id"]
    organizations.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ids = {}
    for policy in organization_policies.expected_policies(context):
        created = organizations.create_policy(
            Content=policy.content,
            Description=policy.description,
            Name=policy.name,
            Type=policy.type,
        )["Policy"]["PolicySummary"]["Id"]
        ids[policy.name] = created
        for target in policy.targets:
            organizations.attach_policy(
                PolicyId=created, TargetId=root if target == ROOT else target
            )
    return {"client": organizations, "root": root, "ids": ids}


def audited(context: AuditContext) -> list[CheckResult]:
    return run_service(organization_policies.SERVICE, context, HOME)


def test_the_deployed_guardrails_pass(url: str) -> None:
    context = organization_context(url)
    seed(url, context)

    results = audited(context)

    assert {r.status for r in results} == {Status.PASS}
    names = [p.name for p in organization_policies.expected_policies(context)]
    assert names == ["security-baseline-protect-baseline", "security-baseline-protect-accounts"]
    assert len(by_check(results, PRESENT)) == len(by_check(results, ATTACHED)) == 2
    (enabled,) = by_check(results, TYPE_ENABLED)
    assert enabled.resource.endswith("SERVICE_CONTROL_POLICY")


def test_a_missing_guardrail_policy_fails_both_checks(url: str) -> None:
    context = organization_context(url)
    seeded = seed(url, context)
    organizations, policy_id = seeded["client"], seeded["ids"]["security-baseline-protect-accounts"]
    organizations.detach_policy(PolicyId=policy_id, TargetId=seeded["root"])
    organizations.delete_policy(PolicyId=policy_id)

    results = audited(context)

    failed = [(r.check_id, r.resource, r.reason) for r in results if r.status is Status.FAIL]
    missing = "no SERVICE_CONTROL_POLICY named security-baseline-protect-accounts"
    assert failed == [
        (PRESENT, "security-baseline-protect-accounts", missing),
        (ATTACHED, "security-baseline-protect-accounts on root", missing),
    ]


def test_a_detached_guardrail_fails_where_it_was_detached(url: str) -> None:
    context = organization_context(url)
    seeded = seed(url, context)
    protect = seeded["ids"]["security-baseline-protect-baseline"]
    seeded["client"].detach_policy(PolicyId=protect, TargetId=seeded["root"])

    results = audited(context)

    (failed,) = [r for r in results if r.status is Status.FAIL]
    assert failed.check_id == ATTACHED
    assert failed.resource == f"security-baseline-protect-baseline on {seeded['root']}"
    assert failed.reason.startswith(f"not attached to {seeded['root']}")


def test_an_edited_guardrail_fails_naming_the_statements(url: str) -> None:
    context = organization_context(url)
    seeded = seed(url, context)
    protect = seeded["ids"]["security-baseline-protect-baseline"]
    document = json.loads(seeded["client"].describe_policy(PolicyId=protect)["Policy"]["Content"])
    kept = [s for s in document["Statement"] if s["Sid"] != "ProtectCloudtrail"]
    kept[0]["Action"] = ["config:DeleteConfigRule"]
    kept.append({"Sid": "Mine", "Effect": "Deny", "Action": "ec2:*", "Resource": "*"})
    seeded["client"].update_policy(
        PolicyId=protect, Content=json.dumps({**document, "Statement": kept})
    )

    results = audited(context)

    (failed,) = [r for r in results if r.status is Status.FAIL]
    assert failed.check_id == PRESENT
    assert failed.reason == (
        "missing: ProtectCloudtrail; changed: ProtectConfig; not in the spec: Mine"
    )


def test_a_policy_type_left_disabled_fails(url: str) -> None:
    context = organization_context(url)
    seeded = seed(url, context)
    seeded["client"].disable_policy_type(RootId=seeded["root"], PolicyType="SERVICE_CONTROL_POLICY")

    results = audited(context)

    (enabled,) = by_check(results, TYPE_ENABLED)
    assert enabled.status is Status.FAIL
    assert enabled.reason.startswith("not enabled on the root")


def test_without_an_organization_every_check_is_an_error_not_a_crash(url: str) -> None:
    results = audited(organization_context(url))

    assert {r.status for r in results} == {Status.ERROR}
    assert {r.check_id for r in results} == {TYPE_ENABLED, PRESENT, ATTACHED}


def test_single_account_mode_skips_the_checks() -> None:
    results = run_service(organization_policies.SERVICE, context_of(fake_session()), HOME)

    assert {r.status for r in results} == {Status.SKIP}
    assert {r.reason for r in results} == {ORGANIZATION_ONLY}
