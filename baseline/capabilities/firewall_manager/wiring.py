"""Firewall Manager: the security account as its administrator, its policies per region, their
notification channels, and the Shield Advanced subscription its Shield policies need.

Notification channels publish only to topics of their own region: the topic the spec names is
made in every enabled region (notifications' `regional_topic_arns`).
"""

from __future__ import annotations

import pulumi

from baseline.capabilities.firewall_manager.component import FirewallManager, FirewallManagerArgs
from baseline.capabilities.notifications.wiring import regional_topic_arns
from baseline.program import Baseline
from baseline.providers import account_provider

# Where FMS accepts the administrator designation, and where Shield's API is.
FMS_ADMIN_REGION = "us-east-1"


def _fms_admin_provider(baseline: Baseline) -> pulumi.ProviderResource:
    """The management account's provider in us-east-1 (AdminAccount takes no `region=`)."""
    spec = baseline.spec
    if spec.regions.home == FMS_ADMIN_REGION or spec.accounts is None:
        return baseline.providers.management
    return account_provider(
        "management-fms", spec, spec.accounts.management, region=FMS_ADMIN_REGION
    )


def _shield_provider(baseline: Baseline) -> pulumi.ProviderResource | None:
    """The security account in us-east-1 when it subscribes to Shield Advanced (else None)."""
    spec = baseline.spec
    if spec.firewall_manager.shield_subscription is None or spec.accounts is None:
        return None
    if spec.regions.home == FMS_ADMIN_REGION:
        return baseline.providers.security
    return account_provider("security-shield", spec, spec.accounts.security, FMS_ADMIN_REGION)


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.firewall_manager
    if not settings.enabled:
        return
    assert spec.accounts is not None  # the spec refuses firewall_manager without accounts
    topics = regional_topic_arns(baseline, settings.notification_topic, set(spec.regions.enabled))
    firewall_manager = FirewallManager(
        "firewall-manager",
        FirewallManagerArgs(
            security_account_id=spec.accounts.security.id,
            management_provider=_fms_admin_provider(baseline),
            regions=spec.regions.enabled,
            policies=settings.policies,
            notification_topic_arns=topics,
            shield_subscription=settings.shield_subscription,
            shield_provider=_shield_provider(baseline),
        ),
        opts=baseline.providers.options("security"),
    )
    baseline.record(firewall_manager)
