"""Security Hub: an enabled hub subscribes to at least one security standard.

In an organization with central configuration, a hub has no subscriptions of its own: a
configuration policy that enables Security Hub with standards covers it when the policy is
associated with the organization's root (every account, the delegated administrator's
included) or with the hub's own account. A policy associated with OUs only may leave the
security account out, which the stack cannot tell: associate the root or the account.
"""

from __future__ import annotations

import re

from helpers import as_list, as_mapping, flag, label, of_types, text
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

ACCOUNT = "aws:securityhub/account:Account"
STANDARDS_SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"
CONFIGURATION_POLICY = "aws:securityhub/configurationPolicy:ConfigurationPolicy"
POLICY_ASSOCIATION = "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"
ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")


def _placement(resource: PolicyResource) -> tuple[str, str]:
    """Which hub a resource belongs to: its provider (account) and region."""
    provider = resource.provider.urn if resource.provider is not None else ""
    return provider, text(resource.props, "region")


def _subscribed(account: PolicyResource, subscriptions: list[PolicyResource]) -> bool:
    # A subscription needs its hub first, so it depends on the Account; failing that, it
    # belongs to the hub of the same account and region.
    return any(
        account in s.dependencies or _placement(s) == _placement(account) for s in subscriptions
    )


def _enables_standards(policy: PolicyResource) -> bool:
    settings = as_mapping(policy.props.get("configurationPolicy"))
    return flag(settings, "serviceEnabled", False) and bool(
        as_list(settings.get("enabledStandardArns"))
    )


def _centrally_governed(args: StackValidationArgs) -> tuple[bool, set[str]]:
    """Whether an enabling policy is associated with the root, and which accounts it names."""
    enabling = {
        p.urn
        for p in of_types(args.resources, frozenset({CONFIGURATION_POLICY}))
        if _enables_standards(p)
    }
    root, accounts = False, set()
    for association in of_types(args.resources, frozenset({POLICY_ASSOCIATION})):
        policies = association.property_dependencies.get("policyId") or []
        if not any(p.urn in enabling for p in policies):
            continue
        target = text(association.props, "targetId")
        root = root or bool(ROOT_ID.fullmatch(target))
        accounts.add(target)
    return root, accounts


def _hub_account(account: PolicyResource) -> str:
    parts = text(account.props, "arn").split(":")
    return parts[4] if len(parts) > 4 else ""


def _validate_standards(args: StackValidationArgs, report: ReportViolation) -> None:
    subscriptions = of_types(args.resources, frozenset({STANDARDS_SUBSCRIPTION}))
    root, accounts = _centrally_governed(args)
    for account in of_types(args.resources, frozenset({ACCOUNT})):
        if root or _hub_account(account) in accounts:
            continue
        if not _subscribed(account, subscriptions):
            report(
                f"Security Hub account {label(account)} has no StandardsSubscription.",
                account.urn,
            )


POLICIES = [
    stack_policy(
        name="securityhub-standards-enabled",
        summary="Security Hub must be subscribed to at least one security standard.",
        validate=_validate_standards,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Add an aws.securityhub.StandardsSubscription (for example AWS Foundational Security "
            "Best Practices v1.0.0 or CIS AWS Foundations Benchmark v3.0.0) with "
            "depends_on=[the aws.securityhub.Account]; with central configuration, associate a "
            "ConfigurationPolicy that enables standards with the organization root or the "
            "hub's account."
        ),
    ),
]
