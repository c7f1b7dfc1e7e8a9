"""SecureQueue: an SQS queue with SSE-KMS, a TLS-only policy and an encrypted dead-letter queue.

The queue's own ManagedKey admits exactly the named senders and consumers: AWS services on
behalf of given source ARNs (a topic, an EventBridge rule), and IAM roles of the account by
ARN. The dead-letter queue shares the key and accepts redrives from this queue only.

    work = SecureQueue("orders-work", SecureQueueArgs(
        sender_services=(ServiceSender("sns.amazonaws.com", source_arns=(topic.arn,)),),
        consumer_role_arns=("arn:aws:iam::123456789012:role/orders-worker",),
        dead_letter=DeadLetterQueue(max_receive_count=5),
    ))
    pulumi.export("work_queue", work.url)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

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
    ManagedKey,
    component_key,
    role_key_grant,
)

SEND_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
CONSUME_ACTIONS = (
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:ReceiveMessage",
)
SEND_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
CONSUME_KEY_ACTIONS = ("kms:Decrypt",)
MAX_RETENTION_SECONDS = 1_209_600  # 14 days, the longest SQS keeps a message
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,76}")  # room for the "-dlq" suffix within 80


def _require_range(label: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{label} must be between {low} and {high} (SQS limits), got {value}")


@dataclass(frozen=True)
class ServiceSender:
    """An AWS service that sends to the queue for the given sources only.

    Source ARNs must carry the account (SNS topics, EventBridge rules do), since
    `aws:SourceArn` is the only condition: it names which topic or rule may send.
    """

    service: str
    source_arns: tuple[pulumi.Input[str], ...]

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9-]+\.amazonaws\.com", self.service):
            raise ValueError(f"sender {self.service!r} is not a service principal")
        if not self.source_arns:
            raise ValueError(f"sender {self.service}: name the source ARNs it sends for")

    @property
    def sid_name(self) -> str:
        """`sns.amazonaws.com` -> `Sns`, for statement ids."""
        return "".join(part.capitalize() for part in self.service.split(".")[0].split("-"))

    def conditions(self) -> dict[str, dict[str, list[pulumi.Input[str]]]]:
        return {"ArnEquals": {"aws:SourceArn": list(self.source_arns)}}


@dataclass(frozen=True)
class DeadLetterQueue:
    """Where messages go after `max_receive_count` failed receives; kept 14 days by default."""

    max_receive_count: int = 5
    message_retention_seconds: int = MAX_RETENTION_SECONDS

    def __post_init__(self) -> None:
        _require_range("max_receive_count", self.max_receive_count, 1, 1000)
        _require_range(
            "dead-letter message_retention_seconds",
            self.message_retention_seconds,
            60,
            MAX_RETENTION_SECONDS,
        )


@dataclass(frozen=True)
class SecureQueueArgs:
    """Arguments of a SecureQueue; every default is the secure choice."""

    queue_name: str | None = None
    visibility_timeout_seconds: int = 30
    message_retention_seconds: int = 345_600
    kms_data_key_reuse_period_seconds: int = 300
    dead_letter: DeadLetterQueue | None = field(default_factory=DeadLetterQueue)
    sender_services: tuple[ServiceSender, ...] = ()
    sender_role_arns: tuple[pulumi.Input[str], ...] = ()
    consumer_role_arns: tuple[pulumi.Input[str], ...] = ()
    key_alias: str | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.queue_name is not None and not _QUEUE_NAME.fullmatch(self.queue_name):
            raise ValueError(
                f"queue name {self.queue_name!r}: 1-76 letters, digits, '-' or '_' "
                "(FIFO queues are not supported)"
            )
        _require_range("visibility_timeout_seconds", self.visibility_timeout_seconds, 0, 43_200)
        _require_range(
            "message_retention_seconds", self.message_retention_seconds, 60, MAX_RETENTION_SECONDS
        )
        _require_range(
            "kms_data_key_reuse_period_seconds", self.kms_data_key_reuse_period_seconds, 60, 86_400
        )
        services = [sender.service for sender in self.sender_services]
        if len(services) != len(set(services)):
            raise ValueError(f"sender services repeat (merge their source ARNs): {services}")
        validate_role_arns("sender_role_arns", self.sender_role_arns)
        validate_role_arns("consumer_role_arns", self.consumer_role_arns)


def queue_policy_statements(
    queue_arn: str, context: AwsContext, args: SecureQueueArgs, *, dead_letter: bool
) -> list[Statement]:
    """TLS only; senders (not on the dead-letter queue) and consumers by name."""
    statements = [deny_insecure_transport(["sqs:*"], [queue_arn])]
    if not dead_letter:
        statements.extend(
            statement(
                f"Allow{sender.sid_name}Send",
                principal={"Service": sender.service},
                actions=["sqs:SendMessage"],
                resources=[queue_arn],
                conditions=sender.conditions(),
            )
            for sender in args.sender_services
        )
        statements.extend(
            roles_statements(
                "AllowSenderRoles",
                context.root_arn,
                args.sender_role_arns,
                SEND_ACTIONS,
                [queue_arn],
            )
        )
    statements.extend(
        roles_statements(
            "AllowConsumerRoles",
            context.root_arn,
            args.consumer_role_arns,
            CONSUME_ACTIONS,
            [queue_arn],
        )
    )
    return statements


def queue_key_grants(
    args: SecureQueueArgs, context: pulumi.Output[AwsContext]
) -> tuple[KeyGrant, ...]:
    """Senders generate data keys; consumers only decrypt."""
    grants = [
        KeyGrant(
            sid=f"Allow{sender.sid_name}Encrypt",
            principals=(sender.service,),
            actions=SEND_KEY_ACTIONS,
            conditions=sender.conditions(),
        )
        for sender in args.sender_services
    ]
    root = context.apply(lambda ctx: ctx.root_arn)
    if args.sender_role_arns:
        grants.append(
            role_key_grant("AllowSenderRoles", root, args.sender_role_arns, SEND_KEY_ACTIONS)
        )
    if args.consumer_role_arns:
        grants.append(
            role_key_grant("AllowConsumerRoles", root, args.consumer_role_arns, CONSUME_KEY_ACTIONS)
        )
    return tuple(grants)


def redrive_allow_policy(source_queue_arn: str) -> str:
    """Only the named queue may use the dead-letter queue."""
    return json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [source_queue_arn]})


class SecureQueue(pulumi.ComponentResource):
    """An SQS queue with SSE-KMS under its own key, TLS-only access and a dead-letter queue."""

    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    dlq_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: SecureQueueArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:queues:SecureQueue", name, None, opts)
        context = aws_context(self, args.region)
        key = component_key(
            self,
            name,
            args,
            alias=args.key_alias or f"queues/{name}",
            description=f"SQS queue {name}",
            grants=queue_key_grants(args, context),
        )
        dead_letter = self._dead_letter_queue(name, args, key, context)
        queue = self._queue(
            f"{name}-queue",
            args,
            key,
            queue_name=args.queue_name,
            retention_seconds=args.message_retention_seconds,
            redrive_policy=_redrive_policy(dead_letter, args.dead_letter),
        )
        self._policy(f"{name}-policy", queue, context, args, dead_letter=False)
        if dead_letter is not None:
            aws.sqs.RedriveAllowPolicy(
                f"{name}-dlq-redrive-allow",
                queue_url=dead_letter.url,
                redrive_allow_policy=queue.arn.apply(redrive_allow_policy),
                region=args.region,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arn = queue.arn
        self.url = queue.url
        self.key_arn = key.arn
        self.dlq_arn = dead_letter.arn if dead_letter is not None else None
        self.register_outputs(
            {"arn": self.arn, "url": self.url, "key_arn": self.key_arn, "dlq_arn": self.dlq_arn}
        )

    def _dead_letter_queue(
        self,
        name: str,
        args: SecureQueueArgs,
        key: ManagedKey,
        context: pulumi.Output[AwsContext],
    ) -> aws.sqs.Queue | None:
        if args.dead_letter is None:
            return None
        queue = self._queue(
            f"{name}-dlq",
            args,
            key,
            queue_name=f"{args.queue_name}-dlq" if args.queue_name else None,
            retention_seconds=args.dead_letter.message_retention_seconds,
            redrive_policy=None,
        )
        self._policy(f"{name}-dlq-policy", queue, context, args, dead_letter=True)
        return queue

    def _queue(
        self,
        resource_name: str,
        args: SecureQueueArgs,
        key: ManagedKey,
        *,
        queue_name: str | None,
        retention_seconds: int,
        redrive_policy: pulumi.Input[str] | None,
    ) -> aws.sqs.Queue:
        return aws.sqs.Queue(
            resource_name,
            name=queue_name,
            kms_master_key_id=key.arn,
            kms_data_key_reuse_period_seconds=args.kms_data_key_reuse_period_seconds,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            message_retention_seconds=retention_seconds,
            redrive_policy=redrive_policy,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _policy(
        self,
        resource_name: str,
        queue: aws.sqs.Queue,
        context: pulumi.Output[AwsContext],
        args: SecureQueueArgs,
        *,
        dead_letter: bool,
    ) -> None:
        aws.sqs.QueuePolicy(
            resource_name,
            queue_url=queue.url,
            policy=render_policy(
                pulumi.Output.all(queue.arn, context).apply(
                    lambda values: queue_policy_statements(
                        values[0], values[1], args, dead_letter=dead_letter
                    )
                )
            ),
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self),
        )


def _redrive_policy(
    dead_letter: aws.sqs.Queue | None, settings: DeadLetterQueue | None
) -> pulumi.Output[str] | None:
    if dead_letter is None or settings is None:
        return None
    return dead_letter.arn.apply(
        lambda arn: json.dumps(
            {"deadLetterTargetArn": arn, "maxReceiveCount": settings.max_receive_count}
        )
    )
