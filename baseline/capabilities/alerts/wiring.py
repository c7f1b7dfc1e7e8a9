"""Findings routing, tamper and pipeline alerts, and DDoS alarms, in the security account.

In an organization with the guardrails StackSet, member accounts forward their tamper events to
the security account's home bus (the guardrails capability), which admits the organization.
"""

from __future__ import annotations

from baseline.capabilities.alerts.component import Alerts, AlertsArgs, ddos_metric_region
from baseline.capabilities.notifications.component import Notifications
from baseline.capabilities.notifications.wiring import regional_topic_arns
from baseline.program import Baseline
from baseline.providers import deployer_arns
from baseline.spec import Spec


def forwards_member_tamper_events(spec: Spec) -> bool:
    """Whether member accounts send their tamper events to the security account's alerts."""
    return spec.accounts is not None and spec.guardrails.enabled and spec.alerts.tamper_alerts


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.alerts
    notifications = baseline.built(Notifications)
    topics = notifications.topic_arns
    # CloudWatch alarms publish only to topics of their own region.
    ddos_regions = {ddos_metric_region(arn) for arn in settings.ddos_alarms}
    ddos_topics = (
        regional_topic_arns(baseline, settings.topics.ddos, ddos_regions) if ddos_regions else {}
    )
    alerts = Alerts(
        "alerts",
        AlertsArgs(
            home_region=spec.regions.home,
            findings_topic_arn=topics[settings.topics.findings],
            tamper_topic_arn=topics[settings.topics.tamper],
            pipeline_topic_arn=topics[settings.topics.pipeline],
            topic_key_arns=(notifications.key_arn,),
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
    # The formatter publishes the alerts, and failed events as its on-failure records.
    notifications.grant_publish(alerts.publisher_role_arn)
    baseline.record(alerts)
