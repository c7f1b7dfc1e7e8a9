"""OrganizationTrail: a multi-region, validated, KMS-encrypted CloudTrail trail.

With `s3_data_events` the trail also records S3 object-level API calls (GetObject, PutObject,
DeleteObject, ...) through advanced event selectors (CloudTrail user guide, "Filtering data
events by using advanced event selectors"): one selector keeps every management event, which a
trail with advanced selectors records only when a selector asks for them, and one selects the
data events of S3 objects, writes, reads or both, except the objects of the trail's own bucket,
whose deliveries would otherwise be logged as data events in turn. Data events cost $0.10 per
100,000 delivered (AWS CloudTrail pricing): see docs/organization-policies.md.

The trail encrypts with its own ManagedKey, whose policy lets CloudTrail generate data keys
only for this trail (`aws:SourceArn`) and only with this account's trails as encryption
context. Optionally the trail also delivers to an encrypted CloudWatch Logs group through a
role that may write to that group's streams and nothing else.

    trail = OrganizationTrail("org", OrganizationTrailArgs(
        bucket_name=archive.bucket,
        s3_key_prefix=archive.cloudtrail_prefix,
        is_organization_trail=True,
    ))
    pulumi.export("trail", trail.arn)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.iam import AwsContext, aws_context, policy_document, statement, trust_policy
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    ManagedKey,
    cloudtrail_grants,
    cloudtrail_log_reader_grant,
    cloudwatch_logs_grant,
    component_key,
)

# The values CloudWatch Logs accepts for retention_in_days.
LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
     3288, 3653}
)  # fmt: skip


@dataclass(frozen=True)
class CloudWatchLogsDelivery:
    """Deliver the trail to an encrypted log group `/aws/cloudtrail/<trail name>` as well."""

    retention_in_days: int = 365

    def __post_init__(self) -> None:
        if self.retention_in_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"retention_in_days {self.retention_in_days} is not a CloudWatch Logs retention; "
                f"use one of {sorted(LOG_RETENTION_DAYS)}"
            )


@dataclass(frozen=True)
class S3DataEvents:
    """Which S3 object-level calls the trail records: writes (CIS AWS Foundations 3.8), reads
    (3.9), or both."""

    write: bool = True
    read: bool = True

    def __post_init__(self) -> None:
        if not (self.write or self.read):
            raise ValueError("S3DataEvents: writes, reads or both; else leave s3_data_events out")


def advanced_event_selectors(
    data_events: S3DataEvents, partition: str, trail_bucket: str
) -> list[aws.cloudtrail.TrailAdvancedEventSelectorArgs]:
    """Every management event, and the S3 object data events asked for outside the trail's
    bucket."""
    field_selector = aws.cloudtrail.TrailAdvancedEventSelectorFieldSelectorArgs
    data = [
        field_selector(field="eventCategory", equals=["Data"]),
        field_selector(field="resources.type", equals=["AWS::S3::Object"]),
        field_selector(
            field="resources.ARN", not_starts_withs=[f"arn:{partition}:s3:::{trail_bucket}/"]
        ),
    ]
    if not (data_events.write and data_events.read):
        # readOnly false: writes only; true: reads only; absent: both.
        data.append(
            field_selector(field="readOnly", equals=["false" if data_events.write else "true"])
        )
    kind = {(True, True): "reads and writes", (True, False): "writes", (False, True): "reads"}
    return [
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name="Management events",
            field_selectors=[field_selector(field="eventCategory", equals=["Management"])],
        ),
        aws.cloudtrail.TrailAdvancedEventSelectorArgs(
            name=f"S3 object {kind[data_events.write, data_events.read]}",
            field_selectors=data,
        ),
    ]


@dataclass(frozen=True)
class OrganizationTrailArgs:
    """Arguments of an OrganizationTrail.

    `is_organization_trail` must be True only in an organization's management (or delegated
    administrator) account. `key_user_arns` may decrypt the log files; when the bucket uses
    an S3 Bucket Key, AWS also requires the principal that creates or updates the trail to
    have kms:Decrypt on the trail key, so list the deploying role there. With `account_reads`
    the account root may decrypt them too, so that IAM policies of this account decide who
    reads (as AWS's default CloudTrail key policy does).
    """

    bucket_name: pulumi.Input[str]
    s3_key_prefix: str | None = "cloudtrail"
    is_organization_trail: bool = False
    trail_name: str | None = None
    cloudwatch_logs: CloudWatchLogsDelivery | None = field(default_factory=CloudWatchLogsDelivery)
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    key_user_arns: tuple[pulumi.Input[str], ...] = ()
    account_reads: bool = False
    # None: management events only.
    s3_data_events: S3DataEvents | None = None
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.trail_name is not None and not re.fullmatch(
            r"[A-Za-z0-9][A-Za-z0-9._-]{2,127}", self.trail_name
        ):
            raise ValueError(
                f"trail_name {self.trail_name!r}: 3 to 128 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )


# CloudTrail user guide, "Sending events to CloudWatch Logs" (the role's trust policy) and "Role
# policy document for CloudTrail to use CloudWatch Logs": no aws:SourceArn or aws:SourceAccount,
# which the role does not support.
CLOUDWATCH_LOGS_TRUST = trust_policy(
    "CloudTrailDeliversToCloudWatchLogs",
    principal={"Service": "cloudtrail.amazonaws.com"},
    conditions={},
)


def _trail_arn(context: AwsContext, trail_name: str) -> str:
    return context.arn("cloudtrail", f"trail/{trail_name}")


def log_group_name_of(trail_name: str) -> str:
    return f"/aws/cloudtrail/{trail_name}"


def _log_group_arn(context: AwsContext, trail_name: str) -> str:
    return context.arn("logs", f"log-group:{log_group_name_of(trail_name)}")


def _log_group_base(arn: str) -> str:
    """A log group ARN without the `:*` stream wildcard some API versions append."""
    return arn.removesuffix(":*")


class OrganizationTrail(pulumi.ComponentResource):
    """A CloudTrail trail with log file validation, all regions, global events and SSE-KMS."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: OrganizationTrailArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:cloudtrail:OrganizationTrail", name, None, opts)
        trail_name = args.trail_name or name
        context = aws_context(self, args.region)
        key = component_key(
            self,
            name,
            args,
            alias=f"security-baseline/cloudtrail/{name}",
            description=f"CloudTrail trail {trail_name}",
            grants=_key_grants(args, context, trail_name),
        )
        delivery: dict[str, pulumi.Input[str]] = {}
        depends_on: list[pulumi.Resource] = []
        self.log_group_name = None
        if args.cloudwatch_logs is not None:
            log_group, role, role_policy = self._cloudwatch_delivery(
                name, args, args.cloudwatch_logs, context=context, key=key, trail_name=trail_name
            )
            delivery = {
                # CloudTrail wants the log group ARN with its stream wildcard.
                "cloud_watch_logs_group_arn": log_group.arn.apply(
                    lambda arn: f"{_log_group_base(arn)}:*"
                ),
                "cloud_watch_logs_role_arn": role.arn,
            }
            # CloudTrail checks that the role can write when the trail is created.
            depends_on.append(role_policy)
            self.log_group_name = log_group.name
        selectors = None
        if args.s3_data_events is not None:
            data_events = args.s3_data_events
            selectors = pulumi.Output.all(context, args.bucket_name).apply(
                lambda values: advanced_event_selectors(data_events, values[0].partition, values[1])
            )
        trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            name=trail_name,
            s3_bucket_name=args.bucket_name,
            s3_key_prefix=args.s3_key_prefix,
            is_organization_trail=args.is_organization_trail,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key.arn,
            advanced_event_selectors=selectors,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
            **delivery,
        )
        self.arn = trail.arn
        self.name = trail.name
        self.key_arn = key.arn
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.name,
                "key_arn": self.key_arn,
                "log_group_name": self.log_group_name,
            }
        )

    def _cloudwatch_delivery(
        self,
        name: str,
        args: OrganizationTrailArgs,
        delivery: CloudWatchLogsDelivery,
        *,
        context: pulumi.Output[AwsContext],
        key: ManagedKey,
        trail_name: str,
    ) -> tuple[aws.cloudwatch.LogGroup, aws.iam.Role, aws.iam.RolePolicy]:
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=log_group_name_of(trail_name),
            retention_in_days=delivery.retention_in_days,
            kms_key_id=key.arn,
            region=args.region,
            tags=dict(args.tags) or None,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-cloudwatch-role",
            assume_role_policy=policy_document([CLOUDWATCH_LOGS_TRUST]),
            description=f"CloudTrail trail {trail_name} delivers to CloudWatch Logs",
            tags=dict(args.tags) or None,
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-cloudwatch-policy",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: policy_document(
                    [
                        statement(
                            "WriteTrailLogStreams",
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[f"{_log_group_base(arn)}:log-stream:*"],
                        )
                    ]
                )
            ),
            opts=child,
        )
        return log_group, role, role_policy


def _key_grants(
    args: OrganizationTrailArgs, context: pulumi.Output[AwsContext], trail_name: str
) -> tuple[KeyGrant, ...]:
    # ARNs computed from names, so that the key policy exists before the trail and log group.
    grants = cloudtrail_grants(
        trail_arn=context.apply(lambda ctx: _trail_arn(ctx, trail_name)),
        trail_arn_pattern=context.apply(
            lambda ctx: f"arn:{ctx.partition}:cloudtrail:*:{ctx.account_id}:trail/*"
        ),
    )
    readers = (
        *args.key_user_arns,
        *([context.apply(lambda ctx: ctx.root_arn)] if args.account_reads else []),
    )
    if readers:
        grants += (cloudtrail_log_reader_grant(readers),)
    if args.cloudwatch_logs is not None:
        grants += (
            cloudwatch_logs_grant(
                logs_principal=context.apply(
                    lambda ctx: ctx.service_principal(f"logs.{ctx.region}")
                ),
                log_group_arn=context.apply(lambda ctx: _log_group_arn(ctx, trail_name)),
            ),
        )
    return grants
