"""Firewall Manager: a Shield Advanced policy needs a Shield Advanced subscription.

Firewall Manager creates a SHIELD_ADVANCED policy only for an administrator account that is
subscribed to Shield Advanced (Firewall Manager API Reference, PutPolicy: "You must be
subscribed to Shield Advanced to create a Shield Advanced policy"). Subscribing costs money
and commits for a year, so a stack may rely on a subscription made outside it; the pack's
config says which (`subscription`: `create`, the default, or `existing`).

pulumi-policy gives each policy one enforcement level, so the two cases are two policies:
- `fms-shield-advanced-subscription` (mandatory in prod): with `create`, every SHIELD_ADVANCED
  policy must depend on an aws.shield.Subscription of the stack; with `existing`, it passes.
- `fms-shield-advanced-subscription-outside-stack` (advisory by definition, and in the config
  files): every SHIELD_ADVANCED policy that depends on no subscription of the stack relies on
  one that nothing in the plan shows to be active; it says so, whatever the config (it cannot
  read the other policy's), as a reminder to verify it (Shield GetSubscriptionState) before
  `pulumi up`. With `create` and no subscription, both report: the mandatory one fails.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from graph import Undecided, by_type, first_dependency
from helpers import as_mapping, label, text
from metadata import stack_policy
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
)

FMS_POLICY = "aws:fms/policy:Policy"
SUBSCRIPTION = "aws:shield/subscription:Subscription"
DOCUMENT = "AWS Firewall Manager API Reference: PutPolicy"
SUBSCRIPTION_CHOICES = ("create", "existing")


def _is_subscription(resource: PolicyResource) -> bool:
    return resource.resource_type == SUBSCRIPTION


def _shield_policies_without_subscription(
    args: StackValidationArgs, report_each: Callable[[PolicyResource], None]
) -> None:
    """Calls `report_each` for each SHIELD_ADVANCED policy that depends on no subscription."""
    undecided = Undecided()

    def check(policy: PolicyResource) -> None:
        data = as_mapping(policy.props.get("securityServicePolicyData"))
        if text(data, "type") == "SHIELD_ADVANCED" and not first_dependency(
            policy, _is_subscription
        ):
            report_each(policy)

    for policy in by_type(args.resources, (FMS_POLICY,))[FMS_POLICY]:
        undecided.judge(policy, partial(check, policy))
    undecided.settle()


def _validate_subscription(args: StackValidationArgs, report: ReportViolation) -> None:
    if args.get_config().get("subscription", "create") == "existing":
        return

    def report_each(policy: PolicyResource) -> None:
        report(
            f"Shield Advanced policy {label(policy)} depends on no aws.shield.Subscription: "
            "Firewall Manager refuses it unless the administrator account is subscribed "
            f"({DOCUMENT}). Create the subscription in the stack, or declare "
            '{"subscription": "existing"} in the policy config if it exists already.',
            policy.urn,
        )

    _shield_policies_without_subscription(args, report_each)


def _remind_outside_stack(args: StackValidationArgs, report: ReportViolation) -> None:
    def report_each(policy: PolicyResource) -> None:
        report(
            f"Shield Advanced policy {label(policy)} depends on no Shield Advanced subscription "
            "of the stack: Firewall Manager needs its administrator account subscribed; verify "
            f"that it is (Shield GetSubscriptionState) before deploying ({DOCUMENT}).",
            policy.urn,
        )

    _shield_policies_without_subscription(args, report_each)


POLICIES = [
    stack_policy(
        name="fms-shield-advanced-subscription",
        summary=(
            "A Firewall Manager Shield Advanced policy must depend on the stack's Shield "
            "Advanced subscription, unless the config declares one that exists "
            f"({DOCUMENT}: the administrator account must be subscribed)."
        ),
        validate=_validate_subscription,
        severity=Severity.HIGH,
        remediation_steps=(
            "Create an aws.shield.Subscription (a one-year commitment) with the administrator "
            "account's provider and give each SHIELD_ADVANCED aws.fms.Policy depends_on it; or, "
            "when the account is subscribed already, set this policy's config to "
            '{"subscription": "existing"}.'
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "subscription": {
                    "type": "string",
                    "enum": list(SUBSCRIPTION_CHOICES),
                    "default": "create",
                    "description": (
                        "create: the stack subscribes to Shield Advanced; existing: the "
                        "Firewall Manager administrator account is subscribed outside it."
                    ),
                }
            }
        ),
    ),
    stack_policy(
        name="fms-shield-advanced-subscription-outside-stack",
        summary=(
            "A reminder for each Firewall Manager Shield Advanced policy that relies on a "
            f"Shield Advanced subscription made outside the stack ({DOCUMENT})."
        ),
        validate=_remind_outside_stack,
        severity=Severity.LOW,
        remediation_steps=(
            "Check that the Firewall Manager administrator account's Shield Advanced "
            "subscription is active (aws shield get-subscription-state) before `pulumi up`."
        ),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
