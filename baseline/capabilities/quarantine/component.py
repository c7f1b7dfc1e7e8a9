"""QuarantineBucket: where suspicious objects go, readable by two roles only.

Only the remediation role (which moves objects in) and the security-admin role (which
reviews and releases them) may touch objects or list the bucket. Everyone else, including
account administrators, is denied. Bucket management (policy, encryption, versioning, the
settings Pulumi reads on refresh) stays open to the account root, the given administrators
and the identity deploying the stack, so the stack can still be updated; object data never
is. The security-admin role may manage the bucket too; the remediation role may not.
Removing the bucket takes two deliberate steps: delete the policy, then the bucket.

    quarantine = QuarantineBucket("quarantine", QuarantineBucketArgs(
        administrator_arns=("arn:aws:iam::123456789012:role/platform-admin",),
        object_lock=ObjectLock(mode="GOVERNANCE", days=90),
    ))
    pulumi.export("quarantine_bucket", quarantine.bucket)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import LifecycleRules, ObjectLock, SecureBucket, SecureBucketArgs
from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    deployer_principal_patterns,
    policy_document,
    statement,
    trust_policy,
)
from components.kms import MAX_DELETION_WINDOW_DAYS, KeyGrant, component_key

# Bucket-level actions that managing the bucket (and Pulumi's refresh of it) needs.
# s3:ListBucket is here because the provider's HeadBucket call requires it.
BUCKET_MANAGEMENT_ACTIONS = (
    "s3:DeleteBucketPolicy",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucket*",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
    "s3:PutBucket*",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
)

REMEDIATION_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:PutObject",
    "s3:PutObjectTagging",
)

SECURITY_ADMIN_OBJECT_ACTIONS = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:GetObject",
    "s3:GetObjectLegalHold",
    "s3:GetObjectRetention",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectLegalHold",
)

SECURITY_ADMIN_BUCKET_ACTIONS = ("s3:ListBucket", "s3:ListBucketVersions")

# S3 API reference: writing an SSE-KMS object (PutObject, CopyObject, multipart uploads) takes
# kms:GenerateDataKey and kms:Decrypt; reading one takes kms:Decrypt. Neither role uses the key
# any other way than through S3.
REMEDIATION_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
SECURITY_ADMIN_KEY_ACTIONS = ("kms:Decrypt",)

# The remediator's multipart copies abort on failure, and a Lambda run lasts 15 minutes at most:
# a day later, an incomplete upload is one whose abort failed (quarantine_copy relies on this).
ABANDONED_UPLOAD_DAYS = 1
# Evidence is kept: no expiration of current or noncurrent versions.
QUARANTINE_LIFECYCLE = LifecycleRules(
    noncurrent_version_expiration_days=None,
    abort_incomplete_multipart_upload_days=ABANDONED_UPLOAD_DAYS,
)


@dataclass(frozen=True)
class QuarantineBucketArgs:
    """Arguments of a QuarantineBucket.

    Roles left as None are created: a remediation role that Lambda in this account may
    assume, and a security-admin role that principals of this account may assume with MFA.
    `exempt_deployer=False` leaves the deploying identity out of the management exemption
    (then list it in `administrator_arns`, or the next `pulumi up` is denied).
    """

    remediation_role_arn: pulumi.Input[str] | None = None
    security_admin_role_arn: pulumi.Input[str] | None = None
    administrator_arns: tuple[pulumi.Input[str], ...] = ()
    exempt_deployer: bool = True
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    object_lock: ObjectLock | None = None
    bucket_name: str | None = None
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QuarantinePrincipals:
    """Resolved principals the quarantine policy names."""

    remediation: str
    security_admin: str
    administrators: list[str]
    deployer: list[str]


def quarantine_statements(
    arn: str, who: QuarantinePrincipals, context: AwsContext
) -> list[Statement]:
    objects = f"{arn}/*"
    quarantine_roles = [who.remediation, who.security_admin]
    # The remediation role is automation that handles hostile files: it never manages the bucket.
    managers = [who.security_admin, context.root_arn, *who.administrators, *who.deployer]
    not_quarantine_role = {"ArnNotEquals": {"aws:PrincipalArn": quarantine_roles}}
    return [
        statement(
            "RemediationMovesObjectsIn",
            principal={"AWS": [who.remediation]},
            actions=REMEDIATION_OBJECT_ACTIONS,
            resources=[objects],
        ),
        statement(
            "SecurityAdminReviewsObjects",
            principal={"AWS": [who.security_admin]},
            actions=SECURITY_ADMIN_OBJECT_ACTIONS,
            resources=[objects],
        ),
        statement(
            "SecurityAdminListsObjects",
            principal={"AWS": [who.security_admin]},
            actions=SECURITY_ADMIN_BUCKET_ACTIONS,
            resources=[arn],
        ),
        statement(
            "DenyObjectAccessToOthers",
            effect="Deny",
            principal="*",
            actions=["s3:*"],
            resources=[objects],
            conditions=not_quarantine_role,
        ),
        statement(
            "DenyBucketDataAccessToOthers",
            effect="Deny",
            principal="*",
            actions=BUCKET_MANAGEMENT_ACTIONS,
            not_actions=True,
            resources=[arn],
            conditions=not_quarantine_role,
        ),
        statement(
            "DenyBucketManagementToNonAdministrators",
            effect="Deny",
            principal="*",
            actions=BUCKET_MANAGEMENT_ACTIONS,
            resources=[arn],
            conditions={"ArnNotLike": {"aws:PrincipalArn": managers}},
        ),
    ]


class QuarantineBucket(pulumi.ComponentResource):
    """A SecureBucket (own ManagedKey) that only a remediation and a security-admin role can use."""

    bucket: pulumi.Output[str]
    arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    remediation_role_arn: pulumi.Output[str]
    security_admin_role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: QuarantineBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:quarantine:QuarantineBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        context = aws_context(self, args.region)
        remediation = pulumi.Output.from_input(
            args.remediation_role_arn or self._remediation_role(name, context, args)
        )
        security_admin = pulumi.Output.from_input(
            args.security_admin_role_arn or self._security_admin_role(name, context, args)
        )
        key = component_key(
            self,
            name,
            args,
            alias=f"security-baseline/quarantine/{name}",
            description="Quarantined objects",
            grants=_key_grants(context, remediation, security_admin),
        )
        deployer = context.apply(
            lambda ctx: deployer_principal_patterns(ctx.caller_arn) if args.exempt_deployer else []
        )
        principals = pulumi.Output.all(
            remediation, security_admin, list(args.administrator_arns), deployer
        ).apply(lambda values: QuarantinePrincipals(values[0], values[1], values[2], values[3]))
        bucket = SecureBucket(
            f"{name}-bucket",
            SecureBucketArgs(
                kms_key_arn=key.arn,
                bucket_name=args.bucket_name,
                policy_statements=lambda arn: pulumi.Output.all(arn, principals, context).apply(
                    lambda values: quarantine_statements(values[0], values[1], values[2])
                ),
                object_lock=args.object_lock,
                lifecycle=QUARANTINE_LIFECYCLE,
                region=args.region,
                tags=args.tags,
            ),
            opts=child,
        )
        self.bucket = bucket.bucket
        self.arn = bucket.arn
        self.key_arn = key.arn
        self.remediation_role_arn = remediation
        self.security_admin_role_arn = security_admin
        self.register_outputs(
            {
                "bucket": self.bucket,
                "arn": self.arn,
                "key_arn": self.key_arn,
                "remediation_role_arn": self.remediation_role_arn,
                "security_admin_role_arn": self.security_admin_role_arn,
            }
        )

    def _role(
        self, name: str, description: str, trust: pulumi.Output[str], args: QuarantineBucketArgs
    ) -> pulumi.Output[str]:
        return aws.iam.Role(
            name,
            assume_role_policy=trust,
            description=description,
            max_session_duration=3600,
            tags=dict(args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self),
        ).arn

    def _remediation_role(
        self, name: str, context: pulumi.Output[AwsContext], args: QuarantineBucketArgs
    ) -> pulumi.Output[str]:
        trust = context.apply(
            lambda ctx: _trust_document(
                "LambdaInThisAccount",
                {"Service": "lambda.amazonaws.com"},
                {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
            )
        )
        return self._role(f"{name}-remediation", "Moves objects into quarantine", trust, args)

    def _security_admin_role(
        self, name: str, context: pulumi.Output[AwsContext], args: QuarantineBucketArgs
    ) -> pulumi.Output[str]:
        trust = context.apply(
            lambda ctx: _trust_document(
                "AccountPrincipalsWithMfa",
                {"AWS": [ctx.root_arn]},
                {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            )
        )
        return self._role(f"{name}-security-admin", "Reviews quarantined objects", trust, args)


def _key_grants(
    context: pulumi.Output[AwsContext],
    remediation: pulumi.Output[str],
    security_admin: pulumi.Output[str],
) -> tuple[KeyGrant, ...]:
    """Key use through S3 in the bucket's region only (`kms:ViaService`, AWS KMS guide)."""
    via_s3 = {
        "StringEquals": {
            "kms:ViaService": context.apply(lambda ctx: ctx.service_principal(f"s3.{ctx.region}"))
        }
    }
    return (
        KeyGrant(
            sid="RemediationWritesThroughS3",
            principals=(remediation,),
            actions=REMEDIATION_KEY_ACTIONS,
            conditions=via_s3,
            principal_type="AWS",
        ),
        KeyGrant(
            sid="SecurityAdminReadsThroughS3",
            principals=(security_admin,),
            actions=SECURITY_ADMIN_KEY_ACTIONS,
            conditions=via_s3,
            principal_type="AWS",
        ),
    )


def _trust_document(sid: str, principal: dict[str, Any], conditions: dict[str, Any]) -> str:
    return policy_document([trust_policy(sid, principal, conditions)])
