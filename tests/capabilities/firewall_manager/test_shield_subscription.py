"""Shield Advanced for Firewall Manager: a subscription created only when the spec says so."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from baseline.capabilities.firewall_manager import policies as fp
from baseline.capabilities.firewall_manager import section
from baseline.capabilities.firewall_manager.component import (
    FirewallManager,
    FirewallManagerArgs,
    ShieldSubscription,
)
from baseline.preview.model import Plan
from baseline.preview.runner import run_inline
from tests.components_harness import of_type
from tests.organization_harness import (
    MANAGEMENT,
    SECURITY,
    account_provider,
    provider_ref,
    section_problems,
    validate_section,
)

REGIONS = ("eu-west-1", "us-east-1")
POLICIES = (
    fp.FirewallPolicy("shield", fp.ShieldAdvancedOptions()),
    fp.FirewallPolicy("sg-usage", fp.UsageAuditOptions()),
)


def _plan(subscription: ShieldSubscription | None) -> Plan:
    def program() -> None:
        shield = account_provider("security-us-east-1", SECURITY, "us-east-1")
        FirewallManager(
            "fms",
            FirewallManagerArgs(
                security_account_id=SECURITY,
                management_provider=account_provider("management", MANAGEMENT),
                regions=REGIONS,
                policies=POLICIES,
                shield_subscription=subscription,
                shield_provider=shield,
            ),
            opts=pulumi.ResourceOptions(
                provider=account_provider("security", SECURITY, "eu-west-1")
            ),
        )

    return run_inline(program)


@pytest.fixture(scope="module")
def subscribing() -> Plan:
    return _plan(ShieldSubscription(auto_renew=False))


def test_the_subscription_is_the_administrators_through_shields_region(
    subscribing: Plan,
) -> None:
    (subscription,) = of_type(subscribing, "aws:shield/subscription:Subscription")
    assert subscription.inputs == {"autoRenew": "DISABLED", "skipDestroy": True}
    assert subscription.provider == provider_ref(subscribing, "security-us-east-1")


def test_shield_policies_and_only_they_wait_for_the_subscription(subscribing: Plan) -> None:
    (subscription,) = of_type(subscribing, "aws:shield/subscription:Subscription")
    (admin,) = of_type(subscribing, "aws:fms/adminAccount:AdminAccount")
    policies = of_type(subscribing, "aws:fms/policy:Policy")
    shield = [p for p in policies if p.name.startswith("fms-shield-")]
    # One per region and the global CloudFront one.
    assert len(shield) == len(REGIONS) + 1
    for policy in policies:
        assert admin.urn in policy.dependencies
        assert (subscription.urn in policy.dependencies) is (policy in shield), policy.name


def test_without_a_subscription_to_create_there_is_none() -> None:
    plan = _plan(None)
    assert not of_type(plan, "aws:shield/subscription:Subscription")
    assert len(of_type(plan, "aws:fms/policy:Policy")) == 5


def _section(document: dict[str, Any]) -> Any:
    return validate_section("firewall_manager", section.SECTION, document)


def test_the_section_defaults_to_an_existing_subscription() -> None:
    validator = _section({})
    assert not validator.errors
    spec = section.parse(validator.document["firewall_manager"], "alerts")
    assert spec.shield_subscription is None
    assert validator.document["firewall_manager"]["shield_advanced"] == {
        "subscription": "existing",
        "acknowledge_one_year_commitment": False,
        "auto_renew": True,
    }


def test_creating_takes_the_acknowledgement_and_renews_unless_told() -> None:
    create = {"subscription": "create", "acknowledge_one_year_commitment": True}
    validator = _section({"shield_advanced": create})
    assert not validator.errors
    spec = section.parse(validator.document["firewall_manager"], "alerts")
    assert spec.shield_subscription == ShieldSubscription(auto_renew=True)
    lapsing = _section({"shield_advanced": {**create, "auto_renew": False}})
    assert section.parse(
        lapsing.document["firewall_manager"], "alerts"
    ).shield_subscription == ShieldSubscription(auto_renew=False)


@pytest.mark.parametrize(
    ("shield_advanced", "problems"),
    [
        (
            {"subscription": "create"},
            {
                ("firewall_manager", "shield_advanced", "acknowledge_one_year_commitment"): [
                    "must be true to subscribe: Shield Advanced commits the organization to one "
                    "year at 3,000 USD a month plus data transfer (AWS Shield pricing)"
                ]
            },
        ),
        (
            {"subscription": "create", "acknowledge_one_year_commitment": False},
            {
                ("firewall_manager", "shield_advanced", "acknowledge_one_year_commitment"): [
                    "must be true to subscribe: Shield Advanced commits the organization to one "
                    "year at 3,000 USD a month plus data transfer (AWS Shield pricing)"
                ]
            },
        ),
        (
            {"subscription": "buy"},
            {("firewall_manager", "shield_advanced", "subscription"): ["allowed"]},
        ),
        (
            {"renew": True},
            {("firewall_manager", "shield_advanced", "renew"): ["unknown"]},
        ),
    ],
)
def test_the_section_refuses_an_unacknowledged_or_unknown_subscription(
    shield_advanced: dict[str, Any], problems: dict[Any, list[str]]
) -> None:
    assert section_problems(_section({"shield_advanced": shield_advanced})) == problems
