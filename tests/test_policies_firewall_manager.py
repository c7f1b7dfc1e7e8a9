"""fms-shield-advanced-subscription and its advisory companion for a subscription made elsewhere."""

import pytest
from pulumi_policy import EnforcementLevel, PolicyResource

from tests.policy_harness import by_name, resource, urn_of, validate_stack

# isort: split

import firewall_manager

MANDATORY = by_name(firewall_manager.POLICIES, "fms-shield-advanced-subscription")
REMINDER = by_name(firewall_manager.POLICIES, "fms-shield-advanced-subscription-outside-stack")
FMS_POLICY = "aws:fms/policy:Policy"
SUBSCRIPTION = "aws:shield/subscription:Subscription"
ADMIN = "aws:fms/adminAccount:AdminAccount"


def fms_policy(kind: str, *depends_on) -> PolicyResource:
    data = {"type": kind, "managedServiceData": "{}"}
    return resource(
        FMS_POLICY,
        f"{kind.lower()}-policy",
        {"securityServicePolicyData": data},
        dependencies=depends_on,
    )


def test_a_shield_policy_without_a_subscription_fails_naming_the_fms_document():
    [violation] = validate_stack(MANDATORY, [fms_policy("SHIELD_ADVANCED")])
    assert violation.urn == urn_of(FMS_POLICY, "shield_advanced-policy")
    assert "depends on no aws.shield.Subscription" in violation.message
    assert "AWS Firewall Manager API Reference: PutPolicy" in violation.message


@pytest.mark.parametrize("through_admin", [False, True])
def test_a_shield_policy_that_depends_on_the_subscription_passes(through_admin):
    subscription = resource(SUBSCRIPTION, "shield", {"autoRenew": "ENABLED"})
    admin = resource(ADMIN, "admin", {}, dependencies=[subscription])
    policy = fms_policy("SHIELD_ADVANCED", admin if through_admin else subscription)
    resources = [subscription, admin, policy]
    assert validate_stack(MANDATORY, resources) == []
    assert validate_stack(REMINDER, resources) == []


def test_with_an_existing_subscription_declared_only_the_advisory_reminder_reports():
    resources = [fms_policy("SHIELD_ADVANCED")]
    assert validate_stack(MANDATORY, resources, {"subscription": "existing"}) == []
    [reminder] = validate_stack(REMINDER, resources)
    assert "verify that it is (Shield GetSubscriptionState) before deploying" in reminder.message
    assert REMINDER.enforcement_level == EnforcementLevel.ADVISORY


def test_other_policy_types_need_no_subscription():
    resources = [fms_policy("WAFV2"), fms_policy("SECURITY_GROUPS_COMMON")]
    assert validate_stack(MANDATORY, resources) == []
    assert validate_stack(REMINDER, resources) == []
