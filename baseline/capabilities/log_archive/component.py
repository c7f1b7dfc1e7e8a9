"""LogArchive: the bucket where CloudTrail, Config, GuardDuty and Macie deliver.

Each service may write only under its own prefix, under the conditions its guide documents
(access.py): the trails by ARN, Config for the named accounts or the
organization, GuardDuty and Macie for the accounts that export findings. Log readers may list
and get objects and decrypt through S3; readers in other accounts also need an IAM policy of
their own (README, "Reading the logs"). Objects move to Glacier and expire on a schedule; S3
server access logs of the archive go to a separate bucket that blocks public access and
denies plain HTTP too.

    archive = LogArchive("logs", LogArchiveArgs(
        services=("cloudtrail", "config", "guardduty"),
        organization_id="o-a1b2c3d4e5",
        source_account_ids=("111111111111",),  # the account owning the organization trail
        findings_account_ids=("222222222222",),  # the GuardDuty and Macie administrator
    ))
    trail = OrganizationTrail("org", OrganizationTrailArgs(
        bucket_name=archive.bucket,
        s3_key_prefix=archive.cloudtrail_prefix,
        is_organization_trail=True,
    ))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import pulumi

from baseline.capabilities.log_archive.access import (
    Delivery,
    archive_key_grants,
    reader_statements,
    writer_statements,
)
from components.buckets import (
    AccessLogging,
    LifecycleRules,
    SecureBucket,
    SecureBucketArgs,
    access_log_delivery_statement,
    attach_access_logging,
)
from components.iam import AwsContext, Statement, aws_context, validate_organization_id
from components.kms import MAX_DELETION_WINDOW_DAYS, component_key

LogService = Literal["cloudtrail", "config", "guardduty", "macie"]
ACCESS_LOG_PREFIX = "log-archive/"
_ACCOUNT_ID = re.compile(r"\d{12}")


@dataclass(frozen=True)
class LogArchiveArgs:
    """Arguments of a LogArchive.

    `source_account_ids`: accounts whose trails (and, in account mode, Config recorders)
    deliver here (empty: this account). In organization mode name the account that owns the
    organization trail; Config in every member account is admitted through `aws:SourceOrgID`.
    `trail_arns`: the trails that deliver here (empty: any trail of the source accounts).
    `findings_account_ids`: accounts whose GuardDuty detectors and Macie export here (empty:
    the source accounts); in organization mode, the delegated administrator.
    `key_user_arns`: principals that read the logs: list, get, decrypt through S3. With
    `account_reads`, the account root may decrypt too, so that IAM policies of this account
    decide who reads (as AWS's default CloudTrail key policy does).
    """

    services: tuple[LogService, ...] = ("cloudtrail", "config")
    organization_id: str | None = None
    source_account_ids: tuple[str, ...] = ()
    trail_arns: tuple[str, ...] = ()
    findings_account_ids: tuple[str, ...] = ()
    kms_key_arn: pulumi.Input[str] | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    key_user_arns: tuple[pulumi.Input[str], ...] = ()
    account_reads: bool = False
    transition_to_glacier_days: int = 90
    expiration_days: int = 365
    noncurrent_version_expiration_days: int = 90
    access_logging: bool = True
    bucket_name: str | None = None
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.services) - set(get_args(LogService)))
        if unknown:
            raise ValueError(f"unknown log services {unknown}; known: {list(get_args(LogService))}")
        accounts = (*self.source_account_ids, *self.findings_account_ids)
        bad = [account for account in accounts if not _ACCOUNT_ID.fullmatch(account)]
        if bad:
            raise ValueError(f"account ids must be 12 digits, got {bad}")
        self.lifecycle()  # validates the retention days
        validate_organization_id(self.organization_id)

    def lifecycle(self) -> LifecycleRules:
        return LifecycleRules(
            transition_to_glacier_days=self.transition_to_glacier_days,
            expiration_days=self.expiration_days,
            noncurrent_version_expiration_days=self.noncurrent_version_expiration_days,
        )


def prefix_of(service: LogService) -> str:
    """Each service delivers under a prefix named after it."""
    return service


def delivery_of(args: LogArchiveArgs, context: AwsContext) -> Delivery:
    owners = args.source_account_ids or (context.account_id,)
    trails = args.trail_arns or tuple(
        f"arn:{context.partition}:cloudtrail:*:{account}:trail/*" for account in owners
    )
    return Delivery(
        partition=context.partition,
        services=args.services,
        trail_owners=owners,
        trail_arns=trails,
        findings_accounts=args.findings_account_ids or owners,
        organization_id=args.organization_id,
    )


def archive_statements(arn: str, args: LogArchiveArgs, context: AwsContext) -> list[Statement]:
    return [
        *writer_statements(arn, delivery_of(args, context)),
        *reader_statements(arn, args.key_user_arns),
    ]


class LogArchive(pulumi.ComponentResource):
    """A SecureBucket (own ManagedKey unless given) that log-delivering services write to."""

    bucket: pulumi.Output[str]
    arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    access_log_bucket: pulumi.Output[str] | None
    cloudtrail_prefix: str | None
    config_prefix: str | None
    guardduty_prefix: str | None
    macie_prefix: str | None

    def __init__(
        self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:log_archive:LogArchive", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        context = aws_context(self, args.region)
        key_arn = args.kms_key_arn
        if key_arn is None:
            readers = (
                *args.key_user_arns,
                *([context.apply(lambda ctx: ctx.root_arn)] if args.account_reads else []),
            )
            key_arn = component_key(
                self,
                name,
                args,
                alias=f"security-baseline/log-archive/{name}",
                description="Log archive objects",
                grants=archive_key_grants(
                    context.apply(lambda ctx: delivery_of(args, ctx)),
                    args.services,
                    args.organization_id,
                    readers,
                    context.apply(lambda ctx: ctx.service_principal(f"s3.{ctx.region}")),
                ),
            ).arn
        archive = SecureBucket(
            f"{name}-archive",
            SecureBucketArgs(
                kms_key_arn=key_arn,
                bucket_name=args.bucket_name,
                policy_statements=lambda arn: pulumi.Output.all(arn, context).apply(
                    lambda values: archive_statements(values[0], args, values[1])
                ),
                lifecycle=args.lifecycle(),
                region=args.region,
                tags=args.tags,
            ),
            opts=child,
        )
        self.access_log_bucket = (
            self._access_logs(name, archive, context, args) if args.access_logging else None
        )
        self.bucket = archive.bucket
        self.arn = archive.arn
        self.key_arn = pulumi.Output.from_input(key_arn)
        enabled = set(args.services)
        self.cloudtrail_prefix = prefix_of("cloudtrail") if "cloudtrail" in enabled else None
        self.config_prefix = prefix_of("config") if "config" in enabled else None
        self.guardduty_prefix = prefix_of("guardduty") if "guardduty" in enabled else None
        self.macie_prefix = prefix_of("macie") if "macie" in enabled else None
        self.register_outputs(
            {
                "bucket": self.bucket,
                "arn": self.arn,
                "key_arn": self.key_arn,
                "access_log_bucket": self.access_log_bucket,
                "prefixes": {service: prefix_of(service) for service in args.services},
            }
        )

    def _access_logs(
        self,
        name: str,
        archive: SecureBucket,
        context: pulumi.Output[AwsContext],
        args: LogArchiveArgs,
    ) -> pulumi.Output[str]:
        """The archive's S3 access logs, in a separate bucket.

        SSE-S3: S3 cannot deliver server access logs into a bucket whose default is SSE-KMS.
        """
        logs = SecureBucket(
            f"{name}-access-logs",
            SecureBucketArgs(
                kms_key_arn=None,
                policy_statements=lambda arn: [
                    access_log_delivery_statement(
                        arn,
                        ACCESS_LOG_PREFIX,
                        [archive.arn],
                        context.apply(lambda ctx: ctx.account_id),
                    )
                ],
                lifecycle=args.lifecycle(),
                region=args.region,
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attach_access_logging(
            f"{name}-access-logging",
            archive.id,
            AccessLogging(target_bucket=logs.bucket, target_prefix=ACCESS_LOG_PREFIX),
            args.region,
            self,
        )
        return logs.bucket
