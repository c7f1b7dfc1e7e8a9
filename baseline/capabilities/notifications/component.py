"""Notifications: KMS-encrypted SNS topics that EventBridge and CloudWatch may publish to.

One ManagedKey encrypts every topic of the component. Its policy and each topic policy admit
the publishing services under the conditions each documents (components/publishers.py), the
account's roles that publish by ARN, and Firewall Manager's service-linked role when asked;
management is left to the account's IAM, and plain-HTTP publish and subscribe are refused.

    alerts = Notifications("alerts", NotificationsArgs(topics={
        "security-findings": TopicArgs(
            emails=("secops@example.com",),
            https_endpoints=(config.require_secret("pagerWebhook"),),
        ),
    }))
    pulumi.export("findings_topic", alerts.topic_arns["security-findings"])
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from baseline.capabilities.firewall_manager.component import FMS_SERVICE_LINKED_ROLE
from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    deny_insecure_transport,
    policy_document,
    statement,
)
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    ManagedKey,
    component_key,
    role_key_grant,
)
from components.publishers import (
    CLOUDWATCH,
    EVENTBRIDGE,
    PUBLISH_KEY_ACTIONS,
    publish_statements,
    publisher_key_grants,
)
from components.topics import (
    account_manages_topic,
    publisher_roles_publish,
)

DEFAULT_PUBLISHERS = (EVENTBRIDGE, CLOUDWATCH)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TOPIC_KEY = re.compile(r"[A-Za-z0-9_-]{1,200}")


@dataclass(frozen=True)
class TopicArgs:
    """Subscribers of one topic. HTTPS endpoints carry tokens: pass them as Pulumi secrets."""

    emails: tuple[str, ...] = ()
    https_endpoints: tuple[pulumi.Input[str], ...] = ()

    def __post_init__(self) -> None:
        bad = [email for email in self.emails if not _EMAIL.fullmatch(email)]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        if len({email.lower() for email in self.emails}) != len(self.emails):
            raise ValueError(f"email addresses repeat: {list(self.emails)}")


@dataclass(frozen=True)
class NotificationsArgs:
    """Arguments of Notifications: topics by name, and who may publish to them.

    `publisher_role_arns`: IAM roles of this account that publish (a formatting function), as
    `aws:PrincipalArn` patterns, so they need not exist before the key policy.
    `firewall_manager_publishes`: Firewall Manager's service-linked role of this account is
    named as principal, so it must exist (Firewall Manager creates it) before the policies.
    """

    topics: Mapping[str, TopicArgs]
    publisher_services: tuple[str, ...] = DEFAULT_PUBLISHERS
    publisher_role_arns: tuple[str, ...] = ()
    firewall_manager_publishes: bool = False
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.topics:
            raise ValueError("give at least one topic")
        bad = [key for key in self.topics if not _TOPIC_KEY.fullmatch(key)]
        if bad:
            raise ValueError(f"topic names must be 1-200 letters, digits, '-' or '_': {bad}")


def firewall_manager_role(context: AwsContext) -> str:
    """Firewall Manager publishes with its service-linked role of the topic's account."""
    return f"arn:{context.partition}:iam::{context.account_id}:{FMS_SERVICE_LINKED_ROLE}"


def firewall_manager_publish(topic_arn: str, context: AwsContext) -> Statement:
    # Firewall Manager developer guide, "Firewall Manager required permissions for API actions".
    return statement(
        "AllowFirewallManagerPublish",
        principal={"AWS": [firewall_manager_role(context)]},
        actions=["sns:Publish"],
        resources=[topic_arn],
    )


def topic_policy_statements(
    topic_arn: str, context: AwsContext, args: NotificationsArgs
) -> list[Statement]:
    fms = [firewall_manager_publish(topic_arn, context)] if args.firewall_manager_publishes else []
    return [
        account_manages_topic(topic_arn, context),
        *publish_statements(topic_arn, args.publisher_services, context),
        *fms,
        *publisher_roles_publish(topic_arn, context, args.publisher_role_arns),
        deny_insecure_transport(["sns:Publish", "sns:Subscribe"], [topic_arn]),
    ]


def _key_grants(
    args: NotificationsArgs, context: pulumi.Output[AwsContext]
) -> tuple[KeyGrant, ...]:
    grants = publisher_key_grants(args.publisher_services, context)
    if args.firewall_manager_publishes:
        grants += (
            KeyGrant(
                sid="AllowFirewallManagerPublishing",
                principals=(context.apply(firewall_manager_role),),
                actions=PUBLISH_KEY_ACTIONS,
                principal_type="AWS",
            ),
        )
    if args.publisher_role_arns:
        root = context.apply(lambda ctx: ctx.root_arn)
        grants += (
            role_key_grant(
                "AllowPublisherRoles", root, args.publisher_role_arns, PUBLISH_KEY_ACTIONS
            ),
        )
    return grants


def _email_suffix(email: str) -> str:
    # Stable across reorderings of the list, without putting the address in the URN.
    return hashlib.sha256(email.lower().encode()).hexdigest()[:8]


class Notifications(pulumi.ComponentResource):
    """SNS topics with SSE-KMS, email and HTTPS subscriptions, and scoped topic policies."""

    topic_arns: dict[str, pulumi.Output[str]]
    key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: NotificationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:notifications:Notifications", name, None, opts)
        context = aws_context(self, args.region)
        # The policies wait for what the component waits for: the principals they name.
        self._policy_prerequisites = opts.depends_on if opts else None
        key = component_key(
            self,
            name,
            args,
            alias=f"security-baseline/notifications/{name}",
            description="SNS topics for security notifications",
            grants=_key_grants(args, context),
            depends_on=self._policy_prerequisites,
        )
        self.topic_arns = {
            topic: self._topic(f"{name}-{topic}", subscribers, key, context, args)
            for topic, subscribers in args.topics.items()
        }
        self.key_arn = key.arn
        self.register_outputs({"topic_arns": self.topic_arns, "key_arn": self.key_arn})

    def _topic(
        self,
        name: str,
        subscribers: TopicArgs,
        key: ManagedKey,
        context: pulumi.Output[AwsContext],
        args: NotificationsArgs,
    ) -> pulumi.Output[str]:
        child = pulumi.ResourceOptions(parent=self)
        topic = aws.sns.Topic(
            name,
            kms_master_key_id=key.arn,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, context).apply(
                lambda values: policy_document(topic_policy_statements(values[0], values[1], args))
            ),
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._policy_prerequisites),
        )
        for email in subscribers.emails:
            aws.sns.TopicSubscription(
                f"{name}-email-{_email_suffix(email)}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                region=args.region,
                opts=child,
            )
        for index, endpoint in enumerate(subscribers.https_endpoints):
            aws.sns.TopicSubscription(
                f"{name}-https-{index}",
                topic=topic.arn,
                protocol="https",
                endpoint=pulumi.Output.secret(endpoint),
                region=args.region,
                opts=child,
            )
        return topic.arn
