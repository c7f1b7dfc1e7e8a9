"""MacieEnrollment: every account of the organization a Macie member, in every region.

Macie's organization auto-enable (`aws.macie2.OrganizationConfiguration`) covers the accounts
that join the organization later; the accounts that already exist stay outside until the
delegated administrator adds them with CreateMember. AWS offers no organization-wide switch for
them (GuardDuty's `ALL` has no Macie equivalent), so one function per region, in the security
account, does it on a schedule (functions/macie_enrollment): list the organization's
accounts, compare with Macie's members, create the missing ones. It is idempotent, so the
schedule also repairs drift, such as a member removed by hand.

Why a schedule and no Organizations events: those events reach EventBridge only in the
management account's us-east-1, a cross-account forward passes an event on only once (so it
could reach one region's function, not every region's), and the accounts they announce are the
ones auto-enable already covers. A new account waits at most one schedule period if
auto-enable ever missed it.

Each region has its own key (the log group and the dead-letter queue), log group, dead-letter
queue, function, schedule and error alarm, which notifies that region's topic (CloudWatch
alarms notify topics of their own region). One role serves every region: it may list the
organization's accounts and Macie's members (neither action has a resource to name), create
members of this account's Macie in the given regions only, write its logs and its dead letters.
`required_accounts` (region -> account ids, for example the accounts the classification jobs
of that region scan) go first, and the run fails, raising the alarm, if one is not an enabled
member afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from baseline.capabilities.shared import require_region_list
from components.event_targets import invoke_from_rule
from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    deny_insecure_transport,
    render_policy,
    statement,
)
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    ManagedKey,
    ManagedKeyArgs,
    cloudwatch_logs_grant,
    role_key_grant,
)
from components.lambda_code import lambda_role
from components.lambda_function import ExecutionRole, OnFailure, SecureFunction, SecureFunctionArgs
from components.logs import RETENTION_DAYS

FUNCTION_DIR = Path(__file__).parent / "functions" / "macie_enrollment"
DEFAULT_SCHEDULE = "rate(1 hour)"
# EventBridge schedule expressions: rate(value unit), singular for 1 and plural above (EventBridge
# user guide, "Creating a rule that runs on a schedule"), or cron(six fields).
SCHEDULE = re.compile(
    r"rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)"
    r"|cron\(\S+( \S+){5}\)"
)
ACCOUNT_ID = re.compile(r"\d{12}")
# A first run over thousands of accounts makes one CreateMember each: the longest Lambda allows.
FUNCTION_TIMEOUT_SECONDS = 900
MAX_RETRY_ATTEMPTS = 2


@dataclass(frozen=True)
class MacieEnrollmentArgs:
    """Arguments of MacieEnrollment; `alarm_topic_arns` maps each region to a topic there."""

    regions: tuple[str, ...]
    alarm_topic_arns: Mapping[str, pulumi.Input[str]]
    required_accounts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    schedule: str = DEFAULT_SCHEDULE
    log_retention_days: int = 365
    # Who may read (decrypt) the dead letters.
    key_user_arns: tuple[pulumi.Input[str], ...] = ()
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    # Who runs `pulumi up` keeps administering the keys (KMS lockout check); empty: the root.
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_region_list("MacieEnrollmentArgs", None, self.regions)
        missing = [r for r in self.regions if r not in self.alarm_topic_arns]
        if missing:
            raise ValueError(f"MacieEnrollmentArgs: no alarm topic in {', '.join(missing)}")
        for region, accounts in self.required_accounts.items():
            if region not in self.regions:
                raise ValueError(f"MacieEnrollmentArgs.required_accounts: {region} not enrolled")
            wrong = [a for a in accounts if not ACCOUNT_ID.fullmatch(a)]
            if wrong:
                raise ValueError(f"MacieEnrollmentArgs.required_accounts: not account ids {wrong}")
        if not SCHEDULE.fullmatch(self.schedule):
            raise ValueError(f"MacieEnrollmentArgs.schedule: {self.schedule!r} is no schedule")
        if self.log_retention_days not in RETENTION_DAYS:
            raise ValueError(
                f"MacieEnrollmentArgs.log_retention_days: {self.log_retention_days} is not a "
                "value CloudWatch Logs accepts"
            )


def log_group_name(name: str) -> str:
    return f"/security-baseline/{name}"


@dataclass(frozen=True)
class _Regional:
    """What a region's function writes to: its key and dead-letter queue."""

    context: pulumi.Output[AwsContext]
    key: ManagedKey
    queue: aws.sqs.Queue


class MacieEnrollment(pulumi.ComponentResource):
    """The enrollment function, its schedule, dead-letter queue and alarm in every region."""

    function_arns: dict[str, pulumi.Output[str]]
    dead_letter_queue_urls: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: MacieEnrollmentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:macie_enrollment:MacieEnrollment", name, None, opts)
        self._name = name
        self._args = args
        self._tags = dict(args.tags) or None
        role = lambda_role(
            name,
            "security-baseline Macie enrollment: makes organization accounts Macie members",
            self._tags,
            self._child(),
        )
        regional = {region: self._regional(region, role.arn) for region in args.regions}
        # What every region's function calls; each SecureFunction adds its own region's part.
        aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=render_policy([_list_accounts_and_members()]),
            opts=self._child(),
        )
        self.function_arns = {}
        self.dead_letter_queue_urls = {}
        for region, storage in regional.items():
            function = self._function(region, role, storage)
            self.function_arns[region] = function.arn
            self.dead_letter_queue_urls[region] = storage.queue.url
        self.register_outputs(
            {
                "function_arns": self.function_arns,
                "dead_letter_queue_urls": self.dead_letter_queue_urls,
            }
        )

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _regional(self, region: str, role_arn: pulumi.Output[str]) -> _Regional:
        args, label = self._args, f"{self._name}-{region}"
        context = aws_context(self, region)
        group_name = log_group_name(self._name)
        grants: tuple[KeyGrant, ...] = (
            cloudwatch_logs_grant(
                context.apply(lambda ctx: ctx.service_principal(f"logs.{ctx.region}")),
                context.apply(lambda ctx: ctx.arn("logs", f"log-group:{group_name}")),
            ),
            # Lambda writes a failed run's event to the queue as the function's role.
            role_key_grant(
                "DeadLetterWrites",
                context.apply(lambda ctx: ctx.root_arn),
                (role_arn,),
                ("kms:GenerateDataKey", "kms:Decrypt"),
            ),
        )
        if args.key_user_arns:
            grants += (
                KeyGrant(
                    sid="DeadLetterReads",
                    principals=args.key_user_arns,
                    actions=("kms:Decrypt",),
                    principal_type="AWS",
                ),
            )
        key = ManagedKey(
            f"{label}-key",
            ManagedKeyArgs(
                alias=f"security-baseline/{self._name}",
                description=f"security-baseline: Macie enrollment logs and dead letters, {region}",
                deletion_window_in_days=args.key_deletion_window_in_days,
                administrator_arns=args.key_administrator_arns,
                deployer_arns=args.key_deployer_arns,
                grants=grants,
                region=region,
                tags=args.tags,
            ),
            opts=self._child(),
        )
        queue = aws.sqs.Queue(
            f"{label}-dead-letters",
            kms_master_key_id=key.arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=14 * 24 * 3600,  # the longest SQS keeps a message
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        aws.sqs.QueuePolicy(
            f"{label}-dead-letters",
            queue_url=queue.url,
            policy=render_policy([deny_insecure_transport(["sqs:*"], [queue.arn])]),
            region=region,
            opts=self._child(),
        )
        return _Regional(context=context, key=key, queue=queue)

    def _function(self, region: str, role: aws.iam.Role, storage: _Regional) -> SecureFunction:
        args, label = self._args, f"{self._name}-{region}"
        required = args.required_accounts.get(region, ())
        function = SecureFunction(
            label,
            SecureFunctionArgs(
                source_dir=FUNCTION_DIR,
                source_pattern="*.py",
                handler="handler.handler",
                description="Makes every active account of the organization a Macie member",
                timeout_seconds=FUNCTION_TIMEOUT_SECONDS,
                memory_mb=256,
                # One run at a time: two overlapping runs would create the same members twice.
                reserved_concurrency=1,
                environment={"REQUIRED_ACCOUNTS": ",".join(required)} if required else {},
                statements=[_create_members(storage.context)],
                role=ExecutionRole.of(role),
                # The queue shares the region's key with the logs: one key per region.
                on_failure=OnFailure(destination_arn=storage.queue.arn, key_arn=storage.key.arn),
                max_retry_attempts=MAX_RETRY_ATTEMPTS,
                alarm_topic_arn=args.alarm_topic_arns[region],
                log_group_name=log_group_name(self._name),
                log_retention_days=args.log_retention_days,
                log_key_arn=storage.key.arn,
                region=region,
                tags=args.tags,
            ),
            opts=self._child(),
            previous_parent=self,
        )
        self._schedule(label, region, function)
        return function

    def _schedule(self, label: str, region: str, function: SecureFunction) -> None:
        rule = aws.cloudwatch.EventRule(
            label,
            description="security-baseline: Macie enrollment of the organization's accounts",
            schedule_expression=self._args.schedule,
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        invoke_from_rule(label, rule, function, region=region, child=self._child)


def _list_accounts_and_members() -> Statement:
    # Neither action has a resource type (Service Authorization Reference).
    return statement(
        "ListOrganizationAccountsAndMembers",
        actions=["organizations:ListAccounts", "macie2:ListMembers"],
        resources="*",
    )


def _create_members(context: pulumi.Output[AwsContext]) -> Statement:
    """Members of this account's Macie in the function's own region only."""
    return statement(
        "CreateMembers",
        actions=["macie2:CreateMember"],
        resources=[context.apply(lambda ctx: ctx.arn("macie2", "member/*"))],
    )
