"""ec2.default-security-groups-closed (organization mode, guardrails closing default security
groups), against moto's default VPC and its default security group."""

from __future__ import annotations

import dataclasses
from typing import Any

from baseline.audit.model import ORGANIZATION_ONLY, AuditContext, Status
from baseline.audit.runner import run_service
from baseline.audit.session import AuditSession
from baseline.capabilities.guardrails import audit as ec2
from tests.audit_harness import HOME, ORGANIZATION, client, context_of, fake_session, spec_of


def closing_context(session: AuditSession, **guardrails: Any) -> AuditContext:
    """The organization fixture with the guardrails StackSet on (closing default groups)."""
    spec = spec_of(ORGANIZATION, "prod")
    settings = dataclasses.replace(
        spec.guardrails, enabled=True, organizational_units=("ou-ab12-34cd56ef",), **guardrails
    )
    return AuditContext(dataclasses.replace(spec, guardrails=settings), session)


def close_default_groups(url: str) -> None:
    ec2_client = client(url, "ec2")
    groups = ec2_client.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    for group in groups:
        if group["IpPermissions"]:
            ec2_client.revoke_security_group_ingress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissions"]
            )
        if group["IpPermissionsEgress"]:
            ec2_client.revoke_security_group_egress(
                GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"]
            )


def test_a_default_group_with_rules_fails_and_one_without_passes(url: str) -> None:
    context = closing_context(fake_session(url))

    (opened,) = run_service(ec2.SERVICE, context, HOME)
    assert opened.status is Status.FAIL
    assert opened.reason.endswith("outbound rules")
    assert opened.resource.startswith("sg-")

    close_default_groups(url)
    (closed,) = run_service(ec2.SERVICE, context, HOME)
    assert (closed.status, closed.reason) == (Status.PASS, "no rules")


def test_regions_outside_the_stack_set_are_skipped(url: str) -> None:
    context = closing_context(fake_session(url), regions=("us-east-1",))

    (result,) = run_service(ec2.SERVICE, context, "eu-west-1")

    assert result.status is Status.SKIP
    assert result.reason.startswith("not a region of guardrails.regions")


def test_the_check_follows_the_spec() -> None:
    session = fake_session()
    off = closing_context(session, close_default_security_groups=False)
    assert {r.reason for r in run_service(ec2.SERVICE, off, HOME)} == {
        "guardrails.close_default_security_groups is false in the spec"
    }
    without = context_of(session, ORGANIZATION, "prod")
    assert {r.reason for r in run_service(ec2.SERVICE, without, HOME)} == {
        "guardrails.enabled is false in the spec"
    }
    single = context_of(session)
    assert {r.reason for r in run_service(ec2.SERVICE, single, HOME)} == {ORGANIZATION_ONLY}
