"""The spec's service and resource control policies, created and attached from the management
account (grouping.py decides which guardrails go in which policy, attached where)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.capabilities.organization_policies.component import (
    ROOT,
    OrganizationPolicies,
    OrganizationPoliciesArgs,
)
from baseline.capabilities.organization_policies.grouping import organization_policies
from baseline.program import Baseline


def build(baseline: Baseline) -> None:
    """The spec's SCPs and RCPs, attached to its root or OUs; the root's id read from AWS."""
    spec = baseline.spec
    if not spec.organization_policies.enabled:
        return
    assert spec.accounts is not None  # the spec refuses organization policies without accounts
    policies = organization_policies(spec.organization_policies, spec.accounts, spec.regions)
    root_id = None
    if any(ROOT in policy.targets for policy in policies):
        organization = aws.organizations.get_organization_output(
            opts=pulumi.InvokeOutputOptions(provider=baseline.providers.management)
        )
        root_id = organization.roots[0].id
    organization_policy_set = OrganizationPolicies(
        "organization-policies",
        OrganizationPoliciesArgs(policies=policies, root_id=root_id),
        opts=baseline.providers.options("management"),
    )
    baseline.record(organization_policy_set)
