"""Who may do what in Macie remediation: the functions' role policies and their key's grants.

Each function gets only what its code calls: the finding handler starts the remediator,
publishes and reads the webhook secret; the approval handler reads the signing secret and
starts the remediator; the remediator reads and deletes in the source buckets only, writes to
the quarantine bucket only (and can never delete there), and uses only the quarantine key and
the source keys it is given. Every key use is tied to the service that needs it
(`kms:ViaService`), so a role cannot decrypt a secret's or a queue's data outside that service.
The actions are those of the calls the functions make (see each list's comment, and
macie_remediation_grants for the source buckets), and no more. Each function's SecureFunction
adds the rest: its own logs and its failures to the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components import macie_remediation_grants as grants
from components.iam import (
    AwsContext,
    Statement,
    deployer_principal_patterns,
    policy_document,
    statement,
    trust_policy,
)
from components.kms import KeyGrant

# Any source bucket may or may not be versioned: the role's own policy covers both.
SOURCE_OBJECT_ACTIONS = grants.source_object_actions(versioned=True)
# The remediator's calls in quarantine: HeadObject of its copy (s3:GetObject, s3:GetObjectVersion),
# GetObjectTagging of earlier copies (with a version: s3:GetObjectVersionTagging too), CopyObject,
# CreateMultipartUpload, UploadPartCopy and CompleteMultipartUpload with tags (s3:PutObject,
# s3:PutObjectTagging), AbortMultipartUpload; ListObjectVersions (s3:ListBucketVersions) on the
# bucket. No s3:ListBucket: the quarantine bucket policy denies it to this role anyway.
QUARANTINE_OBJECT_ACTIONS = (
    "s3:AbortMultipartUpload",
    "s3:GetObject",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionTagging",
    "s3:PutObject",
    "s3:PutObjectTagging",
)
QUARANTINE_BUCKET_ACTIONS = ("s3:ListBucketVersions",)
# Quarantine keeps evidence: the automation that fills it can never remove anything from it.
QUARANTINE_FORBIDDEN_ACTIONS = (
    "s3:BypassGovernanceRetention",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
)
# S3 API reference: writes of SSE-KMS objects (PutObject, CopyObject, multipart uploads) need
# kms:GenerateDataKey and kms:Decrypt; HeadObject needs no key.
QUARANTINE_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
LOG_ENCRYPTION_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def via(context: pulumi.Output[AwsContext], *services: str) -> pulumi.Output[list[str]]:
    """`kms:ViaService` values: the key is used only through these services, in this region."""
    return context.apply(
        lambda ctx: [f"{service}.{ctx.region}.{ctx.dns_suffix}" for service in services]
    )


def lambda_trust_policy(context: pulumi.Output[AwsContext]) -> pulumi.Output[str]:
    return context.apply(
        lambda ctx: policy_document(
            [
                trust_policy(
                    "LambdaInThisAccount",
                    {"Service": "lambda.amazonaws.com"},
                    {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                )
            ]
        )
    )


@dataclass(frozen=True)
class KeyUsers:
    """The principals of the remediation key's grants."""

    log_group_names: tuple[str, ...]
    dead_letter_writers: tuple[pulumi.Input[str], ...]
    dead_letter_readers: tuple[pulumi.Input[str], ...] = ()
    # Empty when Slack is off: then no secret is stored and nobody reads one.
    secret_readers: tuple[pulumi.Input[str], ...] = ()


def key_grants(context: pulumi.Output[AwsContext], users: KeyUsers) -> tuple[KeyGrant, ...]:
    """Grants of the key that encrypts the log groups, the dead letters and the Slack secrets."""
    sqs = {"StringEquals": {"kms:ViaService": via(context, "sqs")}}
    grants = [
        KeyGrant(
            sid="AllowCloudWatchLogsEncryption",
            principals=(context.apply(lambda ctx: ctx.service_principal(f"logs.{ctx.region}")),),
            actions=LOG_ENCRYPTION_ACTIONS,
            conditions={
                "StringEquals": {
                    "kms:EncryptionContext:aws:logs:arn": context.apply(
                        lambda ctx: [
                            ctx.arn("logs", f"log-group:{group}") for group in users.log_group_names
                        ]
                    )
                }
            },
        ),
        KeyGrant(
            sid="AllowDeadLetterWriters",
            principals=users.dead_letter_writers,
            actions=("kms:Decrypt", "kms:GenerateDataKey"),
            conditions=sqs,
            principal_type="AWS",
        ),
    ]
    if users.dead_letter_readers:
        grants.append(
            KeyGrant(
                sid="AllowDeadLetterReaders",
                principals=users.dead_letter_readers,
                actions=("kms:Decrypt",),
                conditions=sqs,
                principal_type="AWS",
            )
        )
    if users.secret_readers:
        grants.extend(_secret_grants(context, users.secret_readers))
    return tuple(grants)


def _secret_grants(
    context: pulumi.Output[AwsContext], readers: tuple[pulumi.Input[str], ...]
) -> list[KeyGrant]:
    # Secrets Manager uses the key on behalf of whoever reads or writes a secret value:
    # the handlers read, and only the identity deploying the stack writes.
    secrets_manager = {"kms:ViaService": via(context, "secretsmanager")}
    return [
        KeyGrant(
            sid="AllowSlackSecretReaders",
            principals=readers,
            actions=("kms:Decrypt",),
            conditions={"StringEquals": secrets_manager},
            principal_type="AWS",
        ),
        KeyGrant(
            sid="AllowDeployerToStoreSlackSecrets",
            principals=(context.apply(lambda ctx: ctx.root_arn),),
            actions=("kms:Decrypt", "kms:GenerateDataKey"),
            conditions={
                "StringEquals": secrets_manager,
                "ArnLike": {
                    "aws:PrincipalArn": context.apply(
                        lambda ctx: deployer_principal_patterns(ctx.caller_arn)
                    )
                },
            },
            principal_type="AWS",
        ),
    ]


@dataclass(frozen=True)
class Shared:
    """What more than one function's policy names."""

    context: pulumi.Output[AwsContext]
    key_arn: pulumi.Input[str]
    notify_topic_arn: pulumi.Input[str]
    topic_key_arns: tuple[pulumi.Input[str], ...] = ()


def invoke_statement(remediator_arn: pulumi.Input[str]) -> Statement:
    return statement(
        "InvokeRemediator", actions=["lambda:InvokeFunction"], resources=[remediator_arn]
    )


def notify_statements(shared: Shared) -> list[Statement]:
    statements = [
        statement(
            "PublishNotifications", actions=["sns:Publish"], resources=[shared.notify_topic_arn]
        )
    ]
    if shared.topic_key_arns:
        statements.append(
            statement(
                "EncryptForEncryptedTopic",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=list(shared.topic_key_arns),
                conditions={"StringEquals": {"kms:ViaService": via(shared.context, "sns")}},
            )
        )
    return statements


def slack_secret_statements(shared: Shared, secret_arn: pulumi.Input[str]) -> list[Statement]:
    return [
        statement(
            "ReadSlackSecret", actions=["secretsmanager:GetSecretValue"], resources=[secret_arn]
        ),
        statement(
            "DecryptSlackSecret",
            actions=["kms:Decrypt"],
            resources=[shared.key_arn],
            conditions={"StringEquals": {"kms:ViaService": via(shared.context, "secretsmanager")}},
        ),
    ]


def bucket_arns(partition: str, buckets: Sequence[str]) -> list[str]:
    return [f"arn:{partition}:s3:::{bucket}" for bucket in buckets]


def _s3_statements(sources: list[str], quarantine_arn: str) -> list[Statement]:
    quarantine_objects = [f"{quarantine_arn}/*"]
    return [
        statement(
            "ReadAndDeleteSourceObjects",
            actions=SOURCE_OBJECT_ACTIONS,
            resources=[f"{bucket}/*" for bucket in sources],
        ),
        statement("ListSourceBuckets", actions=grants.SOURCE_BUCKET_ACTIONS, resources=sources),
        statement(
            "WriteQuarantineObjects",
            actions=QUARANTINE_OBJECT_ACTIONS,
            resources=quarantine_objects,
        ),
        statement(
            "ListQuarantineVersions", actions=QUARANTINE_BUCKET_ACTIONS, resources=[quarantine_arn]
        ),
        statement(
            "NeverDeleteFromQuarantine",
            effect="Deny",
            actions=QUARANTINE_FORBIDDEN_ACTIONS,
            resources=quarantine_objects,
        ),
    ]


def _source_key_statement(
    context: pulumi.Output[AwsContext], key_arns: tuple[pulumi.Input[str], ...]
) -> Statement:
    """Decrypt SSE-KMS sources through S3 only: S3 uses a bucket's key in the key's region."""
    via_s3 = pulumi.Output.all(context, *key_arns).apply(
        lambda values: sorted(
            {f"s3.{grants.key_region(arn)}.{values[0].dns_suffix}" for arn in values[1:]}
        )
    )
    return statement(
        "DecryptSourceObjects",
        actions=grants.SOURCE_KEY_ACTIONS,
        resources=list(key_arns),
        conditions={"StringEquals": {"kms:ViaService": via_s3}},
    )


@dataclass(frozen=True)
class RemediatorAccess:
    """The buckets and keys the remediator works with."""

    source_buckets: tuple[str, ...]  # names and name patterns (`data-*`)
    quarantine_bucket_arn: pulumi.Input[str]
    quarantine_key_arn: pulumi.Input[str]
    source_key_arns: tuple[pulumi.Input[str], ...] = ()


def remediator_statements(
    shared: Shared, access: RemediatorAccess
) -> pulumi.Output[list[Statement]]:
    keys = [
        statement(
            "UseQuarantineKey",
            actions=QUARANTINE_KEY_ACTIONS,
            resources=[access.quarantine_key_arn],
            conditions={"StringEquals": {"kms:ViaService": via(shared.context, "s3")}},
        )
    ]
    if access.source_key_arns:
        keys.append(_source_key_statement(shared.context, access.source_key_arns))
    s3 = pulumi.Output.all(shared.context, access.quarantine_bucket_arn).apply(
        lambda values: _s3_statements(
            bucket_arns(values[0].partition, access.source_buckets), values[1]
        )
    )
    others = [*keys, *notify_statements(shared)]
    return pulumi.Output.all(s3, others).apply(lambda parts: [*parts[0], *parts[1]])
