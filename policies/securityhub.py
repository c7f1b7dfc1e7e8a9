"""Security Hub: an enabled hub subscribes to at least one security standard."""

from __future__ import annotations

from helpers import label, of_types, text
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

ACCOUNT = "aws:securityhub/account:Account"
STANDARDS_SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"


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


def _validate_standards(args: StackValidationArgs, report: ReportViolation) -> None:
    subscriptions = of_types(args.resources, frozenset({STANDARDS_SUBSCRIPTION}))
    for account in of_types(args.resources, frozenset({ACCOUNT})):
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
            "depends_on=[the aws.securityhub.Account]."
        ),
    ),
]
