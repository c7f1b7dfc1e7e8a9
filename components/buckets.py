"""SecureBucket: an S3 bucket with every protection on, and one place for its policy.

    bucket = SecureBucket("reports", SecureBucketArgs(
        kms_key_arn=key.arn,
        lifecycle=LifecycleRules(noncurrent_version_expiration_days=30),
        policy_statements=lambda arn: [
            statement("ReportWriter", principal={"AWS": [writer_role.arn]},
                      actions=["s3:PutObject"], resources=[objects_of(arn)]),
        ],
    ))

S3 keeps a single policy per bucket, so components built on SecureBucket (LogArchive,
QuarantineBucket) hand their statements to `policy_statements`; SecureBucket appends them
to its own statement denying plain HTTP.

A bucket that Macie scans for another account's quarantine names that account's remediation
role, so that the remediator may read, copy out and delete the objects Macie flags (the
bucket's KMS key must grant it too: `macie_remediation_grants.source_key_grant`):

    data = SecureBucket("data-lake-raw", SecureBucketArgs(
        kms_key_arn=key.arn,
        remediation_role_arns=("arn:aws:iam::222222222222:role/quarantine-remediation",),
    ))

The `bucket`, `arn` and `id` outputs settle only once encryption, public access block,
ownership, versioning and policy are in place, so a consumer (a trail, a delivery channel)
that takes them never races the bucket's configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.iam import (
    Statement,
    deny_insecure_transport,
    policy_document,
    statement,
    validate_role_arns,
)
from components.macie_remediation_grants import source_bucket_statements
from components.nested_outputs import resolved_apply

PolicyStatements = Callable[
    [pulumi.Output[str]], Sequence[pulumi.Input[Statement]] | pulumi.Output[list[Statement]]
]


@dataclass(frozen=True)
class LifecycleRules:
    """One lifecycle rule for the whole bucket; None leaves that action out."""

    transition_to_glacier_days: int | None = None
    expiration_days: int | None = None
    noncurrent_version_expiration_days: int | None = 90
    abort_incomplete_multipart_upload_days: int = 7

    def __post_init__(self) -> None:
        for label, days in (
            ("transition_to_glacier_days", self.transition_to_glacier_days),
            ("expiration_days", self.expiration_days),
            ("noncurrent_version_expiration_days", self.noncurrent_version_expiration_days),
            ("abort_incomplete_multipart_upload_days", self.abort_incomplete_multipart_upload_days),
        ):
            if days is not None and days < 1:
                raise ValueError(f"lifecycle {label} must be a positive number of days, got {days}")
        transition, expiration = self.transition_to_glacier_days, self.expiration_days
        if transition is not None and expiration is not None and expiration <= transition:
            raise ValueError(
                f"lifecycle expiration_days ({expiration}) must be greater than "
                f"transition_to_glacier_days ({transition}), as S3 requires"
            )

    def to_rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "id": "baseline-retention",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abort_incomplete_multipart_upload": {
                "days_after_initiation": self.abort_incomplete_multipart_upload_days
            },
        }
        if self.transition_to_glacier_days is not None:
            rule["transitions"] = [
                {"days": self.transition_to_glacier_days, "storage_class": "GLACIER"}
            ]
        if self.expiration_days is not None:
            rule["expiration"] = {"days": self.expiration_days}
        if self.noncurrent_version_expiration_days is not None:
            rule["noncurrent_version_expiration"] = {
                "noncurrent_days": self.noncurrent_version_expiration_days
            }
        return rule


@dataclass(frozen=True)
class ObjectLock:
    """Default retention for new objects. COMPLIANCE cannot be shortened, even by root."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"] = "GOVERNANCE"
    days: int = 30

    def __post_init__(self) -> None:
        if self.mode not in ("GOVERNANCE", "COMPLIANCE"):
            raise ValueError(
                f"object lock mode must be GOVERNANCE or COMPLIANCE, got {self.mode!r}"
            )
        if self.days < 1:
            raise ValueError(f"object lock days must be positive, got {self.days}")


@dataclass(frozen=True)
class AccessLogging:
    """Where S3 server access logs of the bucket go (a bucket in the same account and region)."""

    target_bucket: pulumi.Input[str]
    target_prefix: str = ""


@dataclass(frozen=True)
class SecureBucketArgs:
    """Arguments of a SecureBucket.

    `kms_key_arn` is required: SSE-KMS with that key and an S3 Bucket Key. Passing None is an
    explicit choice of SSE-S3, for server access log targets only (S3 cannot deliver access
    logs into an SSE-KMS bucket).

    `remediation_role_arns`: Macie remediation roles (a QuarantineBucket's
    `remediation_role_arn`, usually of the security account) that may quarantine this bucket's
    objects: read and delete any version, and list the bucket to tell a gone object from a
    refusal. The roles need not exist yet. The bucket's key must let them decrypt through S3.
    """

    kms_key_arn: pulumi.Input[str] | None
    bucket_name: str | None = None
    policy_statements: PolicyStatements | None = None
    access_logging: AccessLogging | None = None
    lifecycle: LifecycleRules | None = None
    object_lock: ObjectLock | None = None
    remediation_role_arns: tuple[pulumi.Input[str], ...] = ()
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_role_arns("remediation_role_arns", self.remediation_role_arns)
        if self.remediation_role_arns and self.object_lock is not None:
            # Object Lock refuses to delete a retained version: every quarantine would fail.
            raise ValueError(
                "remediation_role_arns: the remediator deletes the versions it quarantines, "
                "which object_lock retains"
            )


def objects_of(bucket_arn: pulumi.Input[str], prefix: str = "") -> pulumi.Output[str]:
    """The ARN pattern of the bucket's objects under `prefix` (`arn:aws:s3:::b/prefix*`)."""
    return pulumi.Output.from_input(bucket_arn).apply(lambda arn: f"{arn}/{prefix}*")


def attach_access_logging(
    name: str,
    bucket: pulumi.Input[str],
    logging: AccessLogging,
    region: str | None,
    parent: pulumi.Resource,
) -> aws.s3.BucketLogging:
    return aws.s3.BucketLogging(
        name,
        bucket=bucket,
        target_bucket=logging.target_bucket,
        target_prefix=logging.target_prefix,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def access_log_delivery_statement(
    log_bucket_arn: pulumi.Input[str],
    prefix: str,
    source_bucket_arns: Sequence[pulumi.Input[str]],
    source_account: pulumi.Input[str],
) -> Statement:
    """Let S3 server access logging write the named buckets' logs under `prefix`."""
    return statement(
        "AllowServerAccessLogDelivery",
        principal={"Service": "logging.s3.amazonaws.com"},
        actions=["s3:PutObject"],
        resources=[objects_of(log_bucket_arn, prefix)],
        conditions={
            "ArnLike": {"aws:SourceArn": list(source_bucket_arns)},
            "StringEquals": {"aws:SourceAccount": source_account},
        },
    )


def _encryption_rule(kms_key_arn: pulumi.Input[str] | None) -> dict[str, Any]:
    if kms_key_arn is None:
        return {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    return {
        "apply_server_side_encryption_by_default": {
            "sse_algorithm": "aws:kms",
            "kms_master_key_id": kms_key_arn,
        },
        "bucket_key_enabled": True,
    }


class SecureBucket(pulumi.ComponentResource):
    """An S3 bucket: SSE, Block Public Access, versioning, no ACLs, TLS-only policy."""

    bucket: pulumi.Output[str]
    arn: pulumi.Output[str]
    id: pulumi.Output[str]

    def __init__(
        self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:buckets:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = args.region
        bucket = aws.s3.Bucket(
            f"{name}-bucket",
            bucket=args.bucket_name,
            force_destroy=False,
            object_lock_enabled=True if args.object_lock else None,
            region=region,
            tags=dict(args.tags) or None,
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            region=region,
            opts=child,
        )
        ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            region=region,
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.id,
            rules=[_encryption_rule(args.kms_key_arn)],
            region=region,
            opts=child,
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            region=region,
            opts=child,
        )
        # S3 endpoints themselves refuse TLS below 1.2; the policy refuses plain HTTP.
        statements: list[Any] = [
            deny_insecure_transport(["s3:*"], [bucket.arn, objects_of(bucket.arn)])
        ]
        if args.policy_statements is not None:
            statements.append(args.policy_statements(bucket.arn))
        if args.remediation_role_arns:
            # Versioning is always on here, so the remediator names versions.
            statements.append(
                source_bucket_statements(bucket.arn, args.remediation_role_arns, versioned=True)
            )
        policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=resolved_apply(statements, lambda parts: policy_document(_flatten(parts))),
            region=region,
            # S3 rejects concurrent configuration calls on one bucket; order the sensitive ones.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access, ownership]),
        )
        settled: list[pulumi.Resource] = [public_access, ownership, encryption, versioning, policy]
        settled.extend(self._optional_settings(name, bucket, versioning, args))
        self.bucket = _after(bucket.bucket, settled)
        self.arn = _after(bucket.arn, settled)
        self.id = _after(bucket.id, settled)
        self.register_outputs({"bucket": self.bucket, "arn": self.arn, "id": self.id})

    def _optional_settings(
        self,
        name: str,
        bucket: aws.s3.Bucket,
        versioning: aws.s3.BucketVersioning,
        args: SecureBucketArgs,
    ) -> list[pulumi.Resource]:
        after_versioning = pulumi.ResourceOptions(parent=self, depends_on=[versioning])
        created: list[pulumi.Resource] = []
        if args.lifecycle is not None:
            created.append(
                aws.s3.BucketLifecycleConfiguration(
                    f"{name}-lifecycle",
                    bucket=bucket.id,
                    rules=[args.lifecycle.to_rule()],
                    region=args.region,
                    opts=after_versioning,
                )
            )
        if args.object_lock is not None:
            created.append(
                aws.s3.BucketObjectLockConfiguration(
                    f"{name}-object-lock",
                    bucket=bucket.id,
                    object_lock_enabled="Enabled",
                    rule={
                        "default_retention": {
                            "mode": args.object_lock.mode,
                            "days": args.object_lock.days,
                        }
                    },
                    region=args.region,
                    opts=after_versioning,
                )
            )
        if args.access_logging is not None:
            created.append(
                attach_access_logging(
                    f"{name}-access-logging", bucket.id, args.access_logging, args.region, self
                )
            )
        return created


def _flatten(parts: list[Any]) -> list[Statement]:
    """Statements, where a caller's contribution may itself be a list of statements."""
    flat: list[Statement] = []
    for part in parts:
        flat.extend(part if isinstance(part, list) else [part])
    return flat


def _after(value: pulumi.Output[str], resources: Sequence[pulumi.Resource]) -> pulumi.Output[str]:
    """`value`, carrying a dependency on `resources` (their URNs are known even in preview)."""
    return pulumi.Output.all(value, *[resource.urn for resource in resources]).apply(
        lambda values: values[0]
    )
