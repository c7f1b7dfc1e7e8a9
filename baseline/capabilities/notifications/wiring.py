"""The baseline's topics in the security account: the spec's, in the home region, and the same
topics in other regions for what may only publish within its own region.

CloudWatch alarms and Firewall Manager's notification channels publish only to topics of their
own region, so a capability that needs a topic elsewhere asks `regional_topic_arns`, which makes
each topic once per region whoever asks first.

A capability whose role publishes to the home region's topics grants it with
`baseline.built(Notifications).grant_publish(role_arn)`; the topics' policies are rendered when
the baseline completes (baseline/completion.py). The regional topics serve AWS services only.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.capabilities.notifications.component import (
    Notifications,
    NotificationsArgs,
    TopicArgs,
)
from baseline.capabilities.notifications.section import TopicSpec
from baseline.program import Baseline
from baseline.providers import deployer_arns


def topic_args(topic: TopicSpec) -> TopicArgs:
    return TopicArgs(
        emails=topic.emails,
        https_endpoints=tuple(pulumi.Output.secret(url.value) for url in topic.https_endpoints),
    )


def _fms_service_linked_role(baseline: Baseline) -> tuple[pulumi.Resource, ...]:
    """Firewall Manager's service-linked role in the security account, before any topic names it.

    KMS and SNS refuse a policy whose principal does not exist (KMS PutKeyPolicy:
    MalformedPolicyDocumentException; SNS SetTopicAttributes: PrincipalNotFound), and the topic
    and key policies name AWSServiceRoleForFMS (Firewall Manager developer guide, "Firewall
    Manager required permissions for API actions"). `existing`: the account has it already.
    """
    settings = baseline.spec.firewall_manager
    if not settings.enabled or settings.service_linked_role != "create":
        return ()
    role = aws.iam.ServiceLinkedRole(
        "firewall-manager-service-role",
        aws_service_name="fms.amazonaws.com",
        opts=baseline.providers.options("security"),
    )
    return (role,)


class RegionalTopics:
    """The spec's topics by region: the home region's, and the others as they are asked for
    (the engine refuses a resource declared twice, and one topic may serve several
    capabilities in one region)."""

    def __init__(
        self,
        baseline: Baseline,
        home: Notifications,
        prerequisites: tuple[pulumi.Resource, ...],
    ) -> None:
        self._baseline = baseline
        self._prerequisites = prerequisites
        home_region = baseline.spec.regions.home
        self._arns = {(topic, home_region): arn for topic, arn in home.topic_arns.items()}

    def arns(self, topic: str, regions: set[str]) -> dict[str, pulumi.Output[str]]:
        """`topic` in every region of `regions` and the home region, each made once."""
        home = self._baseline.spec.regions.home
        for region in sorted(regions - {home}):
            if (topic, region) not in self._arns:
                self._arns[(topic, region)] = self._make(topic, region)
        return {region: self._arns[(topic, region)] for region in regions | {home}}

    def _make(self, topic: str, region: str) -> pulumi.Output[str]:
        spec = self._baseline.spec
        regional = Notifications(
            f"notifications-{topic}-{region}",
            NotificationsArgs(
                topics={topic: topic_args(spec.notifications.topics[topic])},
                firewall_manager_publishes=spec.firewall_manager.enabled,
                key_administrator_arns=spec.kms.administrators,
                key_deployer_arns=deployer_arns(spec, "security"),
                key_deletion_window_in_days=spec.kms.deletion_window_days,
                region=region,
            ),
            opts=pulumi.ResourceOptions(
                provider=self._baseline.providers.security, depends_on=list(self._prerequisites)
            ),
            completion=self._baseline.completion,
        )
        return regional.topic_arns[topic]


def regional_topic_arns(
    baseline: Baseline, topic: str, regions: set[str]
) -> dict[str, pulumi.Output[str]]:
    """`topic` in every region of `regions` (and the home region): region -> topic ARN."""
    return baseline.built(RegionalTopics).arns(topic, regions)


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    prerequisites = _fms_service_linked_role(baseline)
    notifications = Notifications(
        "notifications",
        NotificationsArgs(
            topics={name: topic_args(topic) for name, topic in spec.notifications.topics.items()},
            firewall_manager_publishes=spec.firewall_manager.enabled,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
        ),
        opts=pulumi.ResourceOptions(
            provider=baseline.providers.security, depends_on=list(prerequisites)
        ),
        completion=baseline.completion,
    )
    baseline.record(notifications)
    baseline.record(RegionalTopics(baseline, notifications, prerequisites))
    pulumi.export("topic_arns", notifications.topic_arns)
    pulumi.export("notifications_key_arn", notifications.key_arn)
