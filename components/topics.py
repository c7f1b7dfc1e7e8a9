"""EncryptedTopic: one SNS topic with its own KMS key, an account-scoped policy and TLS only.

Publishers are named: AWS services publish under the conditions each documents
(components/publishers.py), IAM roles of the account by their ARN. Everything else is left to
the account's IAM policies, and any call over plain HTTP is refused.

    events = EncryptedTopic("order-events", EncryptedTopicArgs(
        publisher_services=("events.amazonaws.com",),
        publisher_role_arns=("arn:aws:iam::123456789012:role/orders-api",),
        subscribers=(TopicSubscriber("audit", protocol="https", endpoint=audit_hook_url),),
    ))
    work = SecureQueue("orders-work", SecureQueueArgs(
        sender_services=(ServiceSender("sns.amazonaws.com", source_arns=(events.arn,)),),
    ))
    events.subscribe(TopicSubscriber("work-queue", protocol="sqs", endpoint=work.arn))
    pulumi.export("events_topic", events.arn)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import pulumi
import pulumi_aws as aws

from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    deny_insecure_transport,
    render_policy,
    roles_statements,
    statement,
    validate_role_arns,
)
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    component_key,
    role_key_grant,
)
from components.publishers import PUBLISH_KEY_ACTIONS, publish_statements, publisher_key_grants

Protocol = Literal["email", "email-json", "https", "sqs", "lambda"]
# Plain HTTP and SMS leave the encrypted path; firehose needs a delivery role of its own.
PROTOCOLS: tuple[str, ...] = get_args(Protocol)
# SNS signs messages with SHA256 instead of the default SHA1.
SIGNATURE_VERSION_SHA256 = 2

_SUBSCRIBER_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")


TOPIC_MANAGEMENT_ACTIONS = (
    "sns:AddPermission",
    "sns:DeleteTopic",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "sns:Subscribe",
)


def account_manages_topic(topic_arn: str, context: AwsContext) -> Statement:
    """Management of the topic is left to the account's IAM policies."""
    return statement(
        "AccountManagesTopic",
        principal={"AWS": [context.root_arn]},
        actions=TOPIC_MANAGEMENT_ACTIONS,
        resources=[topic_arn],
    )


def publisher_roles_publish(
    topic_arn: str, context: AwsContext, role_arns: Sequence[pulumi.Input[str]]
) -> list[Statement]:
    """Roles of the account publish, named by ARN (no roles: no statement)."""
    return roles_statements(
        "AllowPublisherRoles", context.root_arn, role_arns, ["sns:Publish"], [topic_arn]
    )


@dataclass(frozen=True)
class TopicSubscriber:
    """One subscription. `name` keeps its resource stable; HTTPS endpoints become secrets.

    An `sqs` subscriber's queue must let `sns.amazonaws.com` send from this topic (SecureQueue
    `ServiceSender`); a `lambda` subscriber needs a `aws.lambda_.Permission` for the topic.
    """

    name: str
    protocol: Protocol
    endpoint: pulumi.Input[str]

    def __post_init__(self) -> None:
        if not _SUBSCRIBER_NAME.fullmatch(self.name):
            raise ValueError(f"subscriber name {self.name!r}: 1-64 letters, digits, '-' or '_'")
        if self.protocol not in PROTOCOLS:
            raise ValueError(
                f"subscriber {self.name}: protocol {self.protocol!r} is not one of {PROTOCOLS}"
            )
        endpoint = self.endpoint
        if self.protocol == "https" and isinstance(endpoint, str) and endpoint[:8] != "https://":
            raise ValueError(f"subscriber {self.name}: an https endpoint starts with https://")


@dataclass(frozen=True)
class EncryptedTopicArgs:
    """Arguments of an EncryptedTopic; every default is the secure choice.

    Without `kms_key_arn` the topic gets its own ManagedKey whose policy admits the named
    publishers. With it, that key's policy must already let the publishers use it.
    """

    topic_name: str | None = None
    publisher_services: tuple[str, ...] = ()
    publisher_role_arns: tuple[pulumi.Input[str], ...] = ()
    subscribers: tuple[TopicSubscriber, ...] = ()
    kms_key_arn: pulumi.Input[str] | None = None
    key_alias: str | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.topic_name is not None and not _TOPIC_NAME.fullmatch(self.topic_name):
            raise ValueError(
                f"topic name {self.topic_name!r}: 1-256 letters, digits, '-' or '_' "
                "(FIFO topics are not supported)"
            )
        bad = [s for s in self.publisher_services if not s.endswith(".amazonaws.com")]
        if bad:
            raise ValueError(f"publisher services must be service principals: {bad}")
        validate_role_arns("publisher_role_arns", self.publisher_role_arns)
        names = [subscriber.name for subscriber in self.subscribers]
        if len(names) != len(set(names)):
            raise ValueError(f"subscriber names repeat: {names}")


def topic_policy_statements(
    topic_arn: str, context: AwsContext, args: EncryptedTopicArgs
) -> list[Statement]:
    """The account manages the topic; named publishers publish; nothing travels unencrypted."""
    statements = [account_manages_topic(topic_arn, context)]
    statements.extend(publish_statements(topic_arn, args.publisher_services, context))
    statements.extend(publisher_roles_publish(topic_arn, context, args.publisher_role_arns))
    every_topic_action = sorted({"sns:Publish", *TOPIC_MANAGEMENT_ACTIONS})
    statements.append(deny_insecure_transport(every_topic_action, [topic_arn]))
    return statements


def topic_key_grants(
    args: EncryptedTopicArgs, context: pulumi.Output[AwsContext]
) -> tuple[KeyGrant, ...]:
    """What the publishers need of the topic's key (SNS encrypts with their permissions)."""
    grants = list(publisher_key_grants(args.publisher_services, context))
    if args.publisher_role_arns:
        root = context.apply(lambda ctx: ctx.root_arn)
        grants.append(
            role_key_grant(
                "AllowPublisherRoles", root, args.publisher_role_arns, PUBLISH_KEY_ACTIONS
            )
        )
    return tuple(grants)


class EncryptedTopic(pulumi.ComponentResource):
    """An SNS topic with SSE-KMS, SHA256 signatures, a scoped policy and TLS-only access."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptedTopicArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:topics:EncryptedTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        context = aws_context(self, args.region)
        key_arn = self._key_arn(name, args, context)
        topic = aws.sns.Topic(
            f"{name}-topic",
            name=args.topic_name,
            kms_master_key_id=key_arn,
            signature_version=SIGNATURE_VERSION_SHA256,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=render_policy(
                pulumi.Output.all(topic.arn, context).apply(
                    lambda values: topic_policy_statements(values[0], values[1], args)
                )
            ),
            region=args.region,
            opts=child,
        )
        self._resource_name = name
        self._topic = topic
        self._region = args.region
        for subscriber in args.subscribers:
            self.subscribe(subscriber)
        self.arn = topic.arn
        self.name = topic.name
        self.key_arn = key_arn
        self.register_outputs({"arn": self.arn, "name": self.name, "key_arn": self.key_arn})

    def _key_arn(
        self, name: str, args: EncryptedTopicArgs, context: pulumi.Output[AwsContext]
    ) -> pulumi.Output[str]:
        if args.kms_key_arn is not None:
            return pulumi.Output.from_input(args.kms_key_arn)
        key = component_key(
            self,
            name,
            args,
            alias=args.key_alias or f"topics/{name}",
            description=f"SNS topic {name}",
            grants=topic_key_grants(args, context),
        )
        return key.arn

    def subscribe(self, subscriber: TopicSubscriber) -> aws.sns.TopicSubscription:
        """Add a subscriber once its endpoint exists (a queue that admits this topic, say)."""
        # HTTPS endpoints usually carry a token in their URL.
        endpoint: pulumi.Input[str] = (
            pulumi.Output.secret(subscriber.endpoint)
            if subscriber.protocol == "https"
            else subscriber.endpoint
        )
        return aws.sns.TopicSubscription(
            f"{self._resource_name}-{subscriber.name}",
            topic=self._topic.arn,
            protocol=subscriber.protocol,
            endpoint=endpoint,
            region=self._region,
            opts=pulumi.ResourceOptions(parent=self),
        )
