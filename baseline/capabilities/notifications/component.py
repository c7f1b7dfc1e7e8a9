"""Notifications: KMS-encrypted SNS topics that EventBridge and CloudWatch may publish to.

One ManagedKey encrypts every topic of the component. Its policy and each topic policy admit
the publishing services under the conditions each documents (components/publishers.py), the
roles of the account granted `grant_publish`, and Firewall Manager's service-linked role when
asked; management is left to the account's IAM, and plain-HTTP publish and subscribe are
refused.

The roles that publish are made after the topics (they are given the topics' ARNs), so the
component grants to them by method, as AWS CDK's `grantPublish` does: its policies wait, as
Outputs, until the `completion` it is given runs (baseline.stack.build, after every capability),
and then name exactly the roles granted.

    completion = Completion()
    alerts = Notifications("alerts", NotificationsArgs(topics={
        "security-findings": TopicArgs(
            emails=("secops@example.com",),
            https_endpoints=(config.require_secret("pagerWebhook"),),
        ),
    }), completion=completion)
    formatter = SecureFunction("format", ...)  # publishes to alerts.topic_arns
    alerts.grant_publish(formatter.role_arn)
    completion.run()
    pulumi.export("findings_topic", alerts.topic_arns["security-findings"])
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from baseline.capabilities.firewall_manager.component import FMS_SERVICE_LINKED_ROLE
from baseline.completion import CompletedError, Completion
from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    deny_insecure_transport,
    policy_document,
    statement,
    validate_role_arns,
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
    """Arguments of Notifications: topics by name, and the services that may publish to them.

    Roles of the account that publish are granted with `Notifications.grant_publish`.
    `firewall_manager_publishes`: Firewall Manager's service-linked role of this account is
    named as principal, so it must exist (Firewall Manager creates it) before the policies.
    """

    topics: Mapping[str, TopicArgs]
    publisher_services: tuple[str, ...] = DEFAULT_PUBLISHERS
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
    topic_arn: str,
    context: AwsContext,
    args: NotificationsArgs,
    publisher_role_arns: Sequence[str] = (),
) -> list[Statement]:
    fms = [firewall_manager_publish(topic_arn, context)] if args.firewall_manager_publishes else []
    return [
        account_manages_topic(topic_arn, context),
        *publish_statements(topic_arn, args.publisher_services, context),
        *fms,
        *publisher_roles_publish(topic_arn, context, publisher_role_arns),
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
    return grants


def _publisher_roles_key_grants(
    context: pulumi.Output[AwsContext], role_arns: Sequence[str]
) -> tuple[KeyGrant, ...]:
    if not role_arns:
        return ()
    root = context.apply(lambda ctx: ctx.root_arn)
    return (role_key_grant("AllowPublisherRoles", root, role_arns, PUBLISH_KEY_ACTIONS),)


def _failed(failure: BaseException) -> list[str]:
    # The program failed before every grant was made: no policy is rendered from a part of them.
    raise failure


def _email_suffix(email: str) -> str:
    # Stable across reorderings of the list, without putting the address in the URN.
    return hashlib.sha256(email.lower().encode()).hexdigest()[:8]


class Notifications(pulumi.ComponentResource):
    """SNS topics with SSE-KMS, email and HTTPS subscriptions, and scoped topic policies."""

    topic_arns: dict[str, pulumi.Output[str]]
    key_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: NotificationsArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        completion: Completion,
    ) -> None:
        super().__init__("security-baseline:notifications:Notifications", name, None, opts)
        self._name = name
        context = aws_context(self, args.region)
        # The policies wait for what the component waits for: the principals they name.
        self._policy_prerequisites = opts.depends_on if opts else None
        self._granted_publishers: list[pulumi.Input[str]] = []
        self._grants_closed = False
        deferred: tuple[pulumi.Output[list[str]], Callable[[pulumi.Output[list[str]]], None]] = (
            pulumi.deferred_output()
        )
        publishers, self._resolve_publishers = deferred
        self._publisher_role_arns = publishers
        completion.add(self._close_grants)
        key = component_key(
            self,
            name,
            args,
            alias=f"security-baseline/notifications/{name}",
            description="SNS topics for security notifications",
            grants=_key_grants(args, context),
            later_grants=publishers.apply(
                lambda roles: _publisher_roles_key_grants(context, roles)
            ),
            depends_on=self._policy_prerequisites,
        )
        self.topic_arns = {
            topic: self._topic(f"{name}-{topic}", subscribers, key, context, args)
            for topic, subscribers in args.topics.items()
        }
        self.key_arn = key.arn
        self.register_outputs({"topic_arns": self.topic_arns, "key_arn": self.key_arn})

    def grant_publish(self, role_arn: pulumi.Input[str]) -> None:
        """Let `role_arn`, a role of this account, publish to every topic and use their key.

        The policies name the role by `aws:PrincipalArn` under the account principal, so it
        need not exist when they are written, only when the completion runs.
        """
        if self._grants_closed:
            raise CompletedError(
                f"notifications {self._name}: grant_publish after the completion; the key and "
                "topic policies are rendered already: grant while the capabilities build"
            )
        validate_role_arns("grant_publish", [role_arn])
        self._granted_publishers.append(role_arn)

    def _close_grants(self, failure: BaseException | None) -> None:
        self._grants_closed = True
        granted = pulumi.Output.all(*self._granted_publishers)
        self._resolve_publishers(
            granted.apply(lambda arns: _failed(failure) if failure else list(dict.fromkeys(arns)))
        )

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
            policy=pulumi.Output.all(topic.arn, context, self._publisher_role_arns).apply(
                lambda values: policy_document(
                    topic_policy_statements(values[0], values[1], args, values[2])
                )
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
