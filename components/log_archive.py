"""LogArchive: the bucket where CloudTrail, Config, GuardDuty and Macie deliver.

Each service may write only under its own prefix and only on behalf of the named accounts
(account mode) or of the organization (`aws:SourceOrgID`, organization mode). Objects move
to Glacier and expire on a schedule; S3 server access logs of the archive go to a separate
bucket that blocks public access and denies plain HTTP too.

    archive = LogArchive("logs", LogArchiveArgs(
        services=("cloudtrail", "config", "guardduty"),
        organization_id="o-a1b2c3d4e5",
        source_account_ids=("111111111111",),  # the account owning the organization trail
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
from typing import Any, Literal, get_args

import pulumi

from components.buckets import (
    AccessLogging,
    LifecycleRules,
    SecureBucket,
    SecureBucketArgs,
    access_log_delivery_statement,
    attach_access_logging,
)
from components.iam import (
    AwsContext,
    Conditions,
    SourceScope,
    Statement,
    aws_context,
    merge_conditions,
    statement,
    validate_organization_id,
)
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    component_key,
    service_grant,
)

LogService = Literal["cloudtrail", "config", "guardduty", "macie"]
ACCESS_LOG_PREFIX = "log-archive/"
BUCKET_OWNER_FULL_CONTROL = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}


@dataclass(frozen=True)
class LogArchiveArgs:
    """Arguments of a LogArchive.

    `source_account_ids`: accounts whose services deliver here (empty: this account). In
    organization mode name the account that owns the organization trail; member accounts
    are admitted through `aws:SourceOrgID`.
    """

    services: tuple[LogService, ...] = ("cloudtrail", "config")
    organization_id: str | None = None
    source_account_ids: tuple[str, ...] = ()
    kms_key_arn: pulumi.Input[str] | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    reader_arns: tuple[pulumi.Input[str], ...] = ()
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
        bad = [
            account for account in self.source_account_ids if not re.fullmatch(r"\d{12}", account)
        ]
        if bad:
            raise ValueError(f"source_account_ids must be 12-digit account ids, got {bad}")
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


class _Writers:
    """Who may deliver: the source accounts and, in organization mode, the organization."""

    def __init__(self, args: LogArchiveArgs, context: AwsContext) -> None:
        self.accounts = list(args.source_account_ids) or [context.account_id]
        self.organization_id = args.organization_id
        self.partition = context.partition
        self.scope = SourceScope(tuple(self.accounts), args.organization_id)

    def source_arns(self, service: str, *resources: str) -> dict[str, Any]:
        """`aws:SourceArn` patterns: the service's `resources` in any region of the accounts."""
        arns = [
            f"arn:{self.partition}:{service}:*:{account}:{resource}"
            for account in self.accounts
            for resource in resources
        ]
        return {"ArnLike": {"aws:SourceArn": arns}}

    def account_scoped_arns(self, service: str, *resources: str) -> dict[str, Any]:
        """SourceArn patterns in account mode; the organization condition covers the rest."""
        return {} if self.organization_id else self.source_arns(service, *resources)


def _service_statement(
    sid: str, service: str, action: str, resources: list[str], conditions: Conditions
) -> Statement:
    """`service`'s principal may call `action` on `resources`, under `conditions`."""
    return statement(
        sid,
        principal={"Service": f"{service}.amazonaws.com"},
        actions=[action],
        resources=resources,
        conditions=conditions,
    )


def _cloudtrail_statements(arn: str, writers: _Writers) -> list[Statement]:
    trails = writers.source_arns("cloudtrail", "trail/*")
    owners = [*writers.accounts, *([writers.organization_id] if writers.organization_id else [])]
    scope = writers.scope.conditions()
    return [
        _service_statement(
            "CloudTrailAclCheck",
            "cloudtrail",
            "s3:GetBucketAcl",
            [arn],
            merge_conditions(scope, trails),
        ),
        _service_statement(
            "CloudTrailWrite",
            "cloudtrail",
            "s3:PutObject",
            [f"{arn}/{prefix_of('cloudtrail')}/AWSLogs/{owner}/*" for owner in owners],
            merge_conditions(scope, trails, BUCKET_OWNER_FULL_CONTROL),
        ),
    ]


def _config_statements(arn: str, writers: _Writers) -> list[Statement]:
    accounts = ["*"] if writers.organization_id else writers.accounts
    scope = writers.scope.conditions()
    return [
        _service_statement("ConfigAclCheck", "config", "s3:GetBucketAcl", [arn], scope),
        _service_statement("ConfigBucketExistenceCheck", "config", "s3:ListBucket", [arn], scope),
        _service_statement(
            "ConfigWrite",
            "config",
            "s3:PutObject",
            [f"{arn}/{prefix_of('config')}/AWSLogs/{a}/Config/*" for a in accounts],
            merge_conditions(scope, BUCKET_OWNER_FULL_CONTROL),
        ),
    ]


def _export_statements(
    arn: str, writers: _Writers, service: LogService, label: str, source_conditions: dict[str, Any]
) -> list[Statement]:
    """GuardDuty findings and Macie discovery results: a location check, writes under the prefix."""
    conditions = merge_conditions(writers.scope.conditions(), source_conditions)
    return [
        _service_statement(
            f"{label}BucketLocation", service, "s3:GetBucketLocation", [arn], conditions
        ),
        _service_statement(
            f"{label}Write", service, "s3:PutObject", [f"{arn}/{prefix_of(service)}/*"], conditions
        ),
    ]


def log_writer_statements(arn: str, args: LogArchiveArgs, context: AwsContext) -> list[Statement]:
    writers = _Writers(args, context)
    statements: list[Statement] = []
    if "cloudtrail" in args.services:
        statements += _cloudtrail_statements(arn, writers)
    if "config" in args.services:
        statements += _config_statements(arn, writers)
    if "guardduty" in args.services:
        detectors = writers.account_scoped_arns("guardduty", "detector/*")
        statements += _export_statements(arn, writers, "guardduty", "GuardDuty", detectors)
    if "macie" in args.services:
        exports = writers.account_scoped_arns(
            "macie2", "export-configuration:*", "classification-job/*"
        )
        statements += _export_statements(arn, writers, "macie", "Macie", exports)
    return statements


def archive_key_grants(
    args: LogArchiveArgs, context: pulumi.Output[AwsContext]
) -> tuple[KeyGrant, ...]:
    """Delivering services generate data keys under the archive's default key; readers decrypt.

    CloudTrail is absent on purpose: a trail encrypts with its own key (OrganizationTrail).
    """
    accounts = tuple(args.source_account_ids) or (context.apply(lambda ctx: ctx.account_id),)
    scope = SourceScope(accounts, args.organization_id)
    actions: dict[str, tuple[str, str, tuple[str, ...]]] = {
        "config": (
            "AllowConfigDelivery",
            "config.amazonaws.com",
            ("kms:Decrypt", "kms:GenerateDataKey"),
        ),
        "guardduty": ("AllowGuardDutyExport", "guardduty.amazonaws.com", ("kms:GenerateDataKey",)),
        "macie": (
            "AllowMacieExport",
            "macie.amazonaws.com",
            ("kms:Encrypt", "kms:GenerateDataKey"),
        ),
    }
    grants = tuple(
        service_grant(sid, principal, service_actions, scope)
        for service, (sid, principal, service_actions) in actions.items()
        if service in args.services
    )
    if args.reader_arns:
        # Readers of logs decrypt; they never need to encrypt or generate data keys.
        grants += (
            KeyGrant(
                sid="LogReadersDecrypt",
                principals=args.reader_arns,
                actions=("kms:Decrypt", "kms:DescribeKey"),
                principal_type="AWS",
            ),
        )
    return grants


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
            key_arn = component_key(
                self,
                name,
                args,
                alias=f"security-baseline/log-archive/{name}",
                description="Log archive objects",
                grants=archive_key_grants(args, context),
            ).arn
        archive = SecureBucket(
            f"{name}-archive",
            SecureBucketArgs(
                kms_key_arn=key_arn,
                bucket_name=args.bucket_name,
                policy_statements=lambda arn: pulumi.Output.all(arn, context).apply(
                    lambda values: log_writer_statements(values[0], args, values[1])
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
