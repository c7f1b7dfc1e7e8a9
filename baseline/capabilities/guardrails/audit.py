"""EC2 (organization mode, with the guardrails StackSet closing default security groups): the
default security group of every VPC has no rules (CIS AWS Foundations 5.4).

Read in the security and log-archive accounts, which the StackSet reaches when they sit in its
OUs; never in the management account, which StackSets do not deploy to. Every member account
is the StackSet's to close; this reads the baseline's own accounts only.
"""

from __future__ import annotations

from baseline.audit.model import (
    ORGANIZATION_ONLY,
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)

DEFAULT_SECURITY_GROUPS_CLOSED = Check(
    "ec2.default-security-groups-closed",
    "The default security group of every VPC allows no traffic (it has no rules)",
)


def _skip(context: AuditContext) -> str | None:
    if not context.spec.organization_mode:
        return ORGANIZATION_ONLY
    guardrails = context.spec.guardrails
    if not guardrails.enabled:
        return "guardrails.enabled is false in the spec"
    if not guardrails.close_default_security_groups:
        return "guardrails.close_default_security_groups is false in the spec"
    return None


def _probe(context: AuditContext, region: str) -> list[CheckResult]:
    check = DEFAULT_SECURITY_GROUPS_CLOSED
    stack_set_regions = context.spec.guardrails.regions or context.spec.regions.enabled
    if region not in stack_set_regions:
        reason = "not a region of guardrails.regions: the StackSet closes nothing here"
        return [check.skipped(region, f"account {context.clients.account_id}", reason)]
    ec2 = context.clients.client("ec2", region)
    pages = ec2.get_paginator("describe_security_groups").paginate(
        Filters=[{"Name": "group-name", "Values": ["default"]}]
    )
    groups = [group for page in pages for group in page["SecurityGroups"]]
    if not groups:
        return [check.passed(region, f"account {context.clients.account_id}", "no VPC")]
    return [
        check.verdict(
            not (group.get("IpPermissions") or group.get("IpPermissionsEgress")),
            region,
            f"{group['GroupId']} of {group.get('VpcId', 'its VPC')}",
            "no rules",
            f"{len(group.get('IpPermissions', []))} inbound and "
            f"{len(group.get('IpPermissionsEgress', []))} outbound rules",
        )
        for group in groups
    ]


API_CALLS: tuple[ApiCall, ...] = (
    # DescribeSecurityGroups has no resource-level permission.
    ApiCall("ec2", "DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
)


SERVICE = ServiceAudit(
    name="ec2",
    scope=Scope.REGIONAL,
    probes=(Probe((DEFAULT_SECURITY_GROUPS_CLOSED,), _probe),),
    skip_reason=_skip,
    audited_in=("security", "log_archive"),
    api_calls=API_CALLS,
)
