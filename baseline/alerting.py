"""Alerting and network protection on top of the core baseline.

Findings routing and tamper alerts (`alerts`), Shield DDoS alarms, and Firewall Manager
(`firewall_manager`). CloudWatch alarms and FMS notification channels publish only to topics
of their own region, so the topics they name are also created in those regions.

In an organization with the guardrails StackSet, member accounts forward their tamper events to
the security account's home bus (baseline/organization.py), which admits the organization.
"""

from __future__ import annotations

import weakref

import pulumi

from baseline.capabilities.alerts.component import Alerts, AlertsArgs, ddos_metric_region
from baseline.capabilities.firewall_manager.component import FirewallManager, FirewallManagerArgs
from baseline.capabilities.notifications.component import Notifications, NotificationsArgs
from baseline.core import ALERTS_NAME, Baseline, publisher_roles, topic_args
from baseline.providers import account_provider, deployer_arns, partition_of
from baseline.spec import Spec

# Where FMS accepts the administrator designation, and where Shield's API is.
FMS_ADMIN_REGION = "us-east-1"


def _regional_topic_arns(
    baseline: Baseline, topic: str, regions: set[str]
) -> dict[str, pulumi.Output[str]]:
    """`topic` in every region of `regions`: the home one exists, the others are made here."""
    spec = baseline.spec
    arns = {spec.regions.home: baseline.notifications.topic_arns[topic]}
    for region in sorted(regions - {spec.regions.home}):
        regional = Notifications(
            f"notifications-{topic}-{region}",
            NotificationsArgs(
                topics={topic: topic_args(spec.notifications.topics[topic])},
                publisher_role_arns=publisher_roles(spec, partition_of(region)),
                firewall_manager_publishes=spec.firewall_manager.enabled,
                key_administrator_arns=spec.kms.administrators,
                key_deployer_arns=deployer_arns(spec, "security"),
                key_deletion_window_in_days=spec.kms.deletion_window_days,
                region=region,
            ),
            opts=baseline.topic_options(),
        )
        arns[region] = regional.topic_arns[topic]
    return arns


# The regional topics made so far, per program (its home Notifications): one topic may serve
# several capabilities in one region, and the engine refuses a resource declared twice.
_TopicArns = dict[tuple[str, str], pulumi.Output[str]]
_REGIONAL_TOPICS: weakref.WeakKeyDictionary[Notifications, _TopicArns] = weakref.WeakKeyDictionary()


def regional_topic_arns(
    baseline: Baseline, topic: str, regions: set[str]
) -> dict[str, pulumi.Output[str]]:
    """`topic` in every region of `regions`, each made once whoever asks first."""
    made = _REGIONAL_TOPICS.setdefault(baseline.notifications, {})
    missing = {region for region in regions if (topic, region) not in made}
    for region, arn in _regional_topic_arns(baseline, topic, missing).items():
        made.setdefault((topic, region), arn)
    return {region: made[(topic, region)] for region in regions | {baseline.spec.regions.home}}


def forwards_member_tamper_events(spec: Spec) -> bool:
    """Whether member accounts send their tamper events to the security account's alerts."""
    return spec.accounts is not None and spec.guardrails.enabled and spec.alerts.tamper_alerts


def build_alerts(baseline: Baseline) -> Alerts:
    spec = baseline.spec
    settings = spec.alerts
    topics = baseline.notifications.topic_arns
    ddos_regions = {ddos_metric_region(arn) for arn in settings.ddos_alarms}
    ddos_topics = (
        regional_topic_arns(baseline, settings.topics.ddos, ddos_regions) if ddos_regions else {}
    )
    return Alerts(
        ALERTS_NAME,
        AlertsArgs(
            home_region=spec.regions.home,
            findings_topic_arn=topics[settings.topics.findings],
            tamper_topic_arn=topics[settings.topics.tamper],
            pipeline_topic_arn=topics[settings.topics.pipeline],
            topic_key_arns=(baseline.notifications.key_arn,),
            regions=spec.regions.enabled,
            guardduty_min_severity=settings.guardduty_min_severity,
            securityhub_labels=settings.securityhub_labels,
            securityhub_aggregated=settings.securityhub_aggregated,
            tamper_alerts=settings.tamper_alerts,
            pipeline_alerts=settings.pipeline_alerts,
            ddos_resource_arns=settings.ddos_alarms,
            ddos_topic_arns=ddos_topics,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            organization_id=(
                spec.accounts.organization_id
                if spec.accounts is not None and forwards_member_tamper_events(spec)
                else None
            ),
        ),
        opts=baseline.providers.options("security"),
    )


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


def build_firewall_manager(baseline: Baseline) -> FirewallManager:
    spec = baseline.spec
    settings = spec.firewall_manager
    assert spec.accounts is not None  # the spec refuses firewall_manager without accounts
    topics = regional_topic_arns(baseline, settings.notification_topic, set(spec.regions.enabled))
    return FirewallManager(
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


def build_alerting(baseline: Baseline) -> None:
    build_alerts(baseline)
    if baseline.spec.firewall_manager.enabled:
        build_firewall_manager(baseline)
