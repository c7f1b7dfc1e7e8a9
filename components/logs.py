"""SecureLogGroup: a CloudWatch Logs group encrypted with its own KMS key, kept for a year.

The key lets CloudWatch Logs use it for this one log group only (the
`kms:EncryptionContext:aws:logs:arn` condition), so the name is chosen here rather than
generated: the key policy has to name the group before the group exists.

    app_logs = SecureLogGroup("orders", SecureLogGroupArgs(
        log_group_name="/orders/api",
        retention_in_days=400,
    ))
    pulumi.export("log_group", app_logs.name)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.iam import AwsContext, aws_context
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    cloudwatch_logs_grant,
    component_key,
)

# The values CloudWatch Logs accepts for a retention policy; 0 keeps events forever.
RETENTION_DAYS: tuple[int, ...] = (
    *(0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180),  # forever, or up to six months
    *(365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653),  # one to ten years
)
DEFAULT_RETENTION_DAYS = 365
_LOG_GROUP_NAME = re.compile(r"[A-Za-z0-9_./#-]{1,512}")


@dataclass(frozen=True)
class SecureLogGroupArgs:
    """Arguments of a SecureLogGroup; every default is the secure choice.

    `deletion_protection` keeps the group (and its evidence) from being deleted until it is
    explicitly turned off.
    """

    log_group_name: str
    retention_in_days: int = DEFAULT_RETENTION_DAYS
    deletion_protection: bool = True
    key_alias: str | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _LOG_GROUP_NAME.fullmatch(self.log_group_name):
            raise ValueError(
                f"log group name {self.log_group_name!r}: 1-512 letters, digits and '_-./#'"
            )
        if self.log_group_name.startswith("aws/"):
            raise ValueError(f"log group name {self.log_group_name!r}: 'aws/' is reserved")
        if self.retention_in_days not in RETENTION_DAYS:
            raise ValueError(
                f"retention_in_days {self.retention_in_days} is not a value CloudWatch Logs "
                f"accepts: {', '.join(str(days) for days in RETENTION_DAYS)}"
            )


def log_group_arn(context: AwsContext, log_group_name: str) -> str:
    """The ARN CloudWatch Logs puts in the encryption context (no trailing `:*`)."""
    return context.arn("logs", f"log-group:{log_group_name}")


class SecureLogGroup(pulumi.ComponentResource):
    """A log group with SSE-KMS under a key scoped to it, retention and deletion protection."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecureLogGroupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:logs:SecureLogGroup", name, None, opts)
        context = aws_context(self, args.region)
        grant = cloudwatch_logs_grant(
            context.apply(lambda ctx: ctx.service_principal(f"logs.{ctx.region}")),
            context.apply(lambda ctx: log_group_arn(ctx, args.log_group_name)),
        )
        key = component_key(
            self,
            name,
            args,
            alias=args.key_alias or f"logs/{name}",
            description=f"CloudWatch Logs group {args.log_group_name}",
            grants=(grant,),
        )
        group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=args.log_group_name,
            kms_key_id=key.arn,
            retention_in_days=args.retention_in_days,
            deletion_protection_enabled=args.deletion_protection,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = group.arn
        self.name = group.name
        self.key_arn = key.arn
        self.register_outputs({"arn": self.arn, "name": self.name, "key_arn": self.key_arn})
