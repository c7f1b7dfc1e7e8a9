"""SecureFunction: a Lambda function with its least-privilege role, encrypted logs and failures.

What every function of the baseline needs, in one place: the code archive of a directory, an
execution role that only Lambda assumes and whose policy names its own log group, its failure
destination and what the caller adds (never `*` where an ARN can be named), a log group with
retention under a KMS key CloudWatch Logs may use for that group only, a dead-letter queue
(a SecureQueue) for asynchronous invocations that failed every retry, and alarms on the
function's errors and on the dead letters.

    reports = SecureFunction("reports-import", SecureFunctionArgs(
        source_dir=Path("functions/reports_import"),
        handler="handler.handler",
        description="Imports reports",
        statements=(statement("ReadReports", actions=["s3:GetObject"],
                              resources=["arn:aws:s3:::reports/*"]),),
        alarm_topic_arn=alerts.arn,
    ))
    pulumi.export("function_arn", reports.arn)

The role, the key or the failure destination may come from the caller when another resource
must name them before the function exists (a key policy naming the role, a key shared by
several functions, one dead-letter queue for several functions): `role=ExecutionRole(...)`,
`log_key_arn=...`, `on_failure=OnFailure(...)`; the function still adds the permissions it
needs to use them to the role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.alarms import Metric, dead_letters, first_occurrence_alarm
from components.iam import AwsContext, Statement, aws_context, render_policy, statement
from components.kms import MAX_DELETION_WINDOW_DAYS, KeyGrant, ManagedKey, ManagedKeyArgs
from components.lambda_code import RUNTIME, code_archive, lambda_role
from components.logs import DEFAULT_RETENTION_DAYS, RETENTION_DAYS
from components.queues import MAX_RETENTION_SECONDS, SecureQueue, SecureQueueArgs

# Lambda developer guide: memory from 128 MB to 10,240 MB ("Configure Lambda function memory");
# a timeout of at most 900 seconds ("Lambda quotas"); 0 to 2 retries of an asynchronous event
# (botocore, PutFunctionEventInvokeConfig.MaximumRetryAttempts).
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10_240
MAX_TIMEOUT_SECONDS = 900
MAX_RETRY_ATTEMPTS = 2
ARCHITECTURES = ("arm64", "x86_64")  # botocore, Architecture
_FUNCTION_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # Lambda CreateFunction, FunctionName
_HANDLER = re.compile(r"[^\s]{1,128}")  # botocore, Handler
LOG_ENCRYPTION_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


@dataclass(frozen=True)
class ExecutionRole:
    """A role made by the caller (for example one a key policy names before the function
    exists); the SecureFunction attaches its own policy to it."""

    arn: pulumi.Input[str]
    name: pulumi.Input[str]

    @staticmethod
    def of(role: aws.iam.Role) -> ExecutionRole:
        return ExecutionRole(arn=role.arn, name=role.id)


@dataclass(frozen=True)
class OnFailure:
    """Where Lambda sends the record of an asynchronous invocation that failed every retry:
    an SQS queue or SNS topic made by the caller, and the KMS key that encrypts it (None: the
    caller's statements already let the role use it, or it is not encrypted)."""

    destination_arn: pulumi.Input[str]
    key_arn: pulumi.Input[str] | None = None
    kind: Literal["sqs", "sns"] = "sqs"


@dataclass(frozen=True)
class SecureFunctionArgs:
    """Arguments of a SecureFunction; every default is the secure choice.

    `source_dir` and `source_pattern`: the files the archive holds (no bytecode caches).
    `statements`: what the function's code calls, added to its role's policy (the function
    adds its logs and failure destination itself).
    `invocation`: "asynchronous" functions (events, schedules, S3) get a failure destination,
    by default a dead-letter SecureQueue of their own; "synchronous" ones (API Gateway) answer
    their caller, who sees the error.
    `log_group_name` None: Pulumi names the group `<name>-<suffix>` and the log key admits
    CloudWatch Logs for that pattern (the key must exist before the group).
    `alarm_topic_arn`: a topic of the function's region for the error alarms (None: no alarm).
    `dead_letter_consumer_role_arns`: roles of this account that may read the dead letters.
    """

    source_dir: Path
    handler: str
    description: str
    source_pattern: str = "**/*"
    function_name: str | None = None
    runtime: str = RUNTIME
    architecture: str = "arm64"
    timeout_seconds: int = 30
    memory_mb: int = MIN_MEMORY_MB
    reserved_concurrency: int | None = None
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    statements: pulumi.Input[Sequence[pulumi.Input[Statement]]] = ()
    role: ExecutionRole | None = None
    invocation: Literal["asynchronous", "synchronous"] = "asynchronous"
    on_failure: OnFailure | None = None
    max_retry_attempts: int = MAX_RETRY_ATTEMPTS
    dead_letter_consumer_role_arns: tuple[pulumi.Input[str], ...] = ()
    alarm_topic_arn: pulumi.Input[str] | None = None
    log_group_name: str | None = None
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    log_key_arn: pulumi.Input[str] | None = None
    log_key_alias: str | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = [*self._limit_problems(), *self._name_problems()]
        if self.invocation == "synchronous" and (
            self.on_failure is not None or self.dead_letter_consumer_role_arns
        ):
            problems.append("a synchronous function has no failure destination")
        if problems:
            raise ValueError("SecureFunctionArgs: " + "; ".join(problems))

    def _limit_problems(self) -> list[str]:
        problems = []
        if not 1 <= self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            problems.append(f"timeout_seconds must be 1 to {MAX_TIMEOUT_SECONDS}")
        if not MIN_MEMORY_MB <= self.memory_mb <= MAX_MEMORY_MB:
            problems.append(f"memory_mb must be {MIN_MEMORY_MB} to {MAX_MEMORY_MB}")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 0:
            problems.append("reserved_concurrency cannot be negative")
        if not 0 <= self.max_retry_attempts <= MAX_RETRY_ATTEMPTS:
            problems.append(f"max_retry_attempts must be 0 to {MAX_RETRY_ATTEMPTS}")
        if self.log_retention_days not in RETENTION_DAYS:
            problems.append(f"log_retention_days {self.log_retention_days} is not accepted")
        return problems

    def _name_problems(self) -> list[str]:
        problems = []
        if self.function_name is not None and not _FUNCTION_NAME.fullmatch(self.function_name):
            problems.append(f"function_name {self.function_name!r}: 1-64 of [a-zA-Z0-9_-]")
        if not _HANDLER.fullmatch(self.handler):
            problems.append(f"handler {self.handler!r}: 1-128 characters, no spaces")
        if len(self.description) > 256:
            problems.append("description: at most 256 characters")
        if self.architecture not in ARCHITECTURES:
            problems.append(f"architecture must be one of {', '.join(ARCHITECTURES)}")
        if not self.source_dir.is_dir():
            problems.append(f"source_dir {self.source_dir} is not a directory")
        return problems


def _own_logs(log_group_arn: pulumi.Output[str]) -> Statement:
    return statement(
        "WriteOwnLogs",
        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
        resources=[log_group_arn.apply(lambda arn: f"{arn.removesuffix(':*')}:*")],
    )


def failure_statements(
    on_failure: OnFailure, context: pulumi.Output[AwsContext]
) -> list[Statement]:
    """What Lambda needs, as the function's role, to deliver a failure record (Lambda developer
    guide, "Adding a destination"): send or publish, and the key through that service only."""
    queue = on_failure.kind == "sqs"
    statements = [
        statement(
            "SendToDeadLetterQueue" if queue else "PublishFailureRecords",
            actions=["sqs:SendMessage" if queue else "sns:Publish"],
            resources=[on_failure.destination_arn],
        )
    ]
    if on_failure.key_arn is not None:
        via = context.apply(lambda ctx: f"{on_failure.kind}.{ctx.region}.{ctx.dns_suffix}")
        statements.append(
            statement(
                "EncryptDeadLetters" if queue else "EncryptFailureRecords",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[on_failure.key_arn],
                conditions={"StringEquals": {"kms:ViaService": via}},
            )
        )
    return statements


def checked_statement_ids(statements: Sequence[Statement]) -> list[Statement]:
    sids = [each.get("Sid") for each in statements]
    repeated = sorted({sid for sid in sids if sid is not None and sids.count(sid) > 1})
    if repeated:
        # IAM refuses a policy whose statement ids repeat.
        raise ValueError(f"the function's policy repeats statement ids {repeated}")
    return list(statements)


class SecureFunction(pulumi.ComponentResource):
    """A Lambda function, its role's policy, its encrypted log group, failures and alarms.

    `previous_parent`: the component its resources were children of before they were grouped
    in this SecureFunction; each keeps its identity through an alias to that parent.
    """

    function: aws.lambda_.Function
    arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    log_group_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: SecureFunctionArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        previous_parent: pulumi.Resource | None = None,
    ) -> None:
        super().__init__("security-baseline:lambda_function:SecureFunction", name, None, opts)
        self._name, self._args = name, args
        self._moved_from: list[pulumi.Input[str | pulumi.Alias]] | None = (
            [pulumi.Alias(parent=previous_parent)] if previous_parent else None
        )
        self._tags = dict(args.tags) or None
        self._context = aws_context(self, args.region)
        role = args.role or ExecutionRole.of(
            lambda_role(name, args.description, self._tags, self._child())
        )
        log_group = self._log_group()
        on_failure = self._failure_destination(role)
        policy = aws.iam.RolePolicy(
            name,
            role=role.name,
            policy=render_policy(self._statements(log_group.arn, on_failure)),
            opts=self._child(),
        )
        self.function = self._function(role, log_group, policy)
        if on_failure is not None:
            self._invoke_config(on_failure)
        self._alarms()
        self.arn = self.function.arn
        self.function_name = self.function.name
        self.role_arn = pulumi.Output.from_input(role.arn)
        self.log_group_arn, self.log_group_name = log_group.arn, log_group.name
        self.register_outputs(
            {
                "arn": self.arn,
                "function_name": self.function_name,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
                "dead_letter_queue_arn": self.dead_letter_queue_arn,
            }
        )

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, aliases=self._moved_from, **extra)

    def _log_key_arn(self) -> pulumi.Input[str]:
        """The caller's key, or one CloudWatch Logs may use for this function's group only."""
        args, name = self._args, self._name
        if args.log_key_arn is not None:
            return args.log_key_arn
        exact = args.log_group_name is not None
        group = args.log_group_name if exact else f"{name}-*"
        # StringLike for the generated name: encryption context values are strings (AWS KMS
        # developer guide, kms:EncryptionContext:context-key).
        grant = KeyGrant(
            sid="AllowCloudWatchLogsEncryption",
            principals=(
                self._context.apply(lambda ctx: ctx.service_principal(f"logs.{ctx.region}")),
            ),
            # No DescribeKey: it carries no encryption context, so the condition never matches.
            actions=LOG_ENCRYPTION_ACTIONS,
            conditions={
                "StringEquals" if exact else "StringLike": {
                    "kms:EncryptionContext:aws:logs:arn": self._context.apply(
                        lambda ctx: ctx.arn("logs", f"log-group:{group}")
                    )
                }
            },
        )
        key = ManagedKey(
            f"{name}-logs",
            ManagedKeyArgs(
                alias=args.log_key_alias or f"functions/{name}-logs",
                description=f"CloudWatch Logs of the function {name}",
                deletion_window_in_days=args.key_deletion_window_in_days,
                administrator_arns=args.key_administrator_arns,
                deployer_arns=args.key_deployer_arns,
                grants=(grant,),
                region=args.region,
                tags=args.tags,
            ),
            opts=self._child(),
        )
        return key.arn

    def _log_group(self) -> aws.cloudwatch.LogGroup:
        args = self._args
        return aws.cloudwatch.LogGroup(
            self._name,
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=self._log_key_arn(),
            region=args.region,
            tags=self._tags,
            opts=self._child(),
        )

    def _failure_destination(self, role: ExecutionRole) -> OnFailure | None:
        args = self._args
        self.dead_letter_queue_arn = None
        if args.invocation == "synchronous":
            return None
        if args.on_failure is not None:
            return args.on_failure
        queue = SecureQueue(
            f"{self._name}-dead-letters",
            SecureQueueArgs(
                message_retention_seconds=MAX_RETENTION_SECONDS,
                dead_letter=None,
                sender_role_arns=(role.arn,),
                consumer_role_arns=args.dead_letter_consumer_role_arns,
                key_administrator_arns=args.key_administrator_arns,
                key_deployer_arns=args.key_deployer_arns,
                key_deletion_window_in_days=args.key_deletion_window_in_days,
                region=args.region,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dead_letter_queue_arn = queue.arn
        self._alarm(
            "dead-letters",
            f"{self._name}: an event failed every retry and is in the dead-letter queue",
            dead_letters(queue.arn.apply(lambda arn: arn.rsplit(":", 1)[-1])),
        )
        return OnFailure(destination_arn=queue.arn, key_arn=queue.key_arn)

    def _statements(
        self, log_group_arn: pulumi.Output[str], on_failure: OnFailure | None
    ) -> pulumi.Output[list[Statement]]:
        own = [_own_logs(log_group_arn)]
        if on_failure is not None:
            own += failure_statements(on_failure, self._context)
        return pulumi.Output.all(self._args.statements, own).apply(
            lambda parts: checked_statement_ids([*parts[0], *parts[1]])
        )

    def _function(
        self,
        role: ExecutionRole,
        log_group: aws.cloudwatch.LogGroup,
        policy: aws.iam.RolePolicy,
    ) -> aws.lambda_.Function:
        args = self._args
        return aws.lambda_.Function(
            self._name,
            name=args.function_name,
            description=args.description,
            role=role.arn,
            runtime=args.runtime,
            handler=args.handler,
            architectures=[args.architecture],
            code=code_archive(args.source_dir, args.source_pattern),
            timeout=args.timeout_seconds,
            memory_size=args.memory_mb,
            reserved_concurrent_executions=args.reserved_concurrency,
            environment=(
                aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
                if args.environment
                else None
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="Text", log_group=log_group.name
            ),
            region=args.region,
            tags=self._tags,
            # Its permissions in place before anything can invoke it.
            opts=self._child(depends_on=[policy]),
        )

    def _invoke_config(self, on_failure: OnFailure) -> None:
        args = self._args
        aws.lambda_.FunctionEventInvokeConfig(
            self._name,
            function_name=self.function.name,
            maximum_retry_attempts=args.max_retry_attempts,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=on_failure.destination_arn
                )
            ),
            region=args.region,
            opts=self._child(),
        )

    def _alarms(self) -> None:
        self._alarm(
            "errors",
            f"{self._name}: an invocation failed (see the function's log group)",
            Metric(
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions={"FunctionName": self.function.name},
                statistic="Sum",
            ),
        )

    def _alarm(self, label: str, description: str, metric: Metric) -> None:
        topic = self._args.alarm_topic_arn
        if topic is None:
            return
        first_occurrence_alarm(
            f"{self._name}-{label}",
            metric,
            description=description,
            topic_arn=topic,
            region=self._args.region,
            tags=self._tags,
            opts=self._child(),
        )
