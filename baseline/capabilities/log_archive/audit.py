"""S3: account-level Block Public Access, and the baseline's own buckets.

The log archive and quarantine buckets are found by their tag `security-baseline:role`
(`log-archive`, `quarantine`), which the baseline's components set. In organization mode the
log archive bucket lives in the log archive account and the quarantine bucket in the
security account: audited from another account, their checks SKIP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code, guarded
from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.audit.policies import as_list, condition_values, has_wildcard_principal, statements

ACCOUNT_PUBLIC_ACCESS_BLOCK = Check(
    "s3.account-public-access-block",
    "The account's S3 Block Public Access has all four settings on",
)
BUCKET_ENCRYPTION = Check(
    "s3.bucket-encryption", "The log archive and quarantine buckets encrypt with SSE-KMS"
)
BUCKET_VERSIONING = Check(
    "s3.bucket-versioning", "The log archive and quarantine buckets are versioned"
)
BUCKET_TLS_ONLY = Check(
    "s3.bucket-tls-only", "The log archive and quarantine buckets refuse requests without TLS"
)
BUCKET_CHECKS = (BUCKET_ENCRYPTION, BUCKET_VERSIONING, BUCKET_TLS_ONLY)

ROLE_TAG = "security-baseline:role"
# Tag value -> the organization account that holds the bucket.
BUCKET_ROLES: Mapping[str, str] = {"log-archive": "log_archive", "quarantine": "security"}
PUBLIC_ACCESS_BLOCK_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)
_KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})


def flags_off(configuration: Mapping[str, Any] | None) -> list[str]:
    """The Block Public Access settings that are not on (all four when there is none)."""
    if configuration is None:
        return list(PUBLIC_ACCESS_BLOCK_FLAGS)
    return [flag for flag in PUBLIC_ACCESS_BLOCK_FLAGS if configuration.get(flag) is not True]


def account_public_access_block(context: AuditContext, region: str) -> Mapping[str, Any] | None:
    s3control = context.clients.client("s3control", region)
    try:
        response = s3control.get_public_access_block(AccountId=context.clients.account_id)
    except ClientError as error:
        if error_code(error) == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise
    configuration: Mapping[str, Any] = response["PublicAccessBlockConfiguration"]
    return configuration


def bucket_public_access_block(s3: Any, bucket: str) -> Mapping[str, Any] | None:
    try:
        response = s3.get_public_access_block(Bucket=bucket)
    except ClientError as error:
        if error_code(error) == "NoSuchPublicAccessBlockConfiguration":
            return None
        raise
    configuration: Mapping[str, Any] = response["PublicAccessBlockConfiguration"]
    return configuration


def _account_probe(context: AuditContext, region: str) -> list[CheckResult]:
    off = flags_off(account_public_access_block(context, region))
    return [
        ACCOUNT_PUBLIC_ACCESS_BLOCK.verdict(
            not off,
            region,
            f"account {context.clients.account_id}",
            "all four settings on",
            f"off: {', '.join(off)}",
        )
    ]


def _buckets_probe(context: AuditContext, region: str) -> list[CheckResult]:
    s3 = context.clients.client("s3", region)
    tagged, unreadable = _buckets_by_role(s3)
    results: list[CheckResult] = []
    for role, account_role in BUCKET_ROLES.items():
        for bucket in tagged.get(role, []):
            results.extend(_bucket_results(context, s3, bucket, region))
        if not tagged.get(role):
            results.extend(_absent(context, role, account_role, region, unreadable))
    return results


def _buckets_by_role(s3: Any) -> tuple[dict[str, list[str]], list[str]]:
    """Bucket names by their role tag, and the buckets whose tags could not be read."""
    tagged: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for page in s3.get_paginator("list_buckets").paginate():
        for bucket in page.get("Buckets", []):
            name = bucket["Name"]
            try:
                tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
            except ClientError as error:
                if error_code(error) != "NoSuchTagSet":
                    unreadable.append(name)
                continue
            role = next((tag["Value"] for tag in tags if tag["Key"] == ROLE_TAG), None)
            if role is not None:
                tagged.setdefault(role, []).append(name)
    return tagged, unreadable


def _absent(
    context: AuditContext, role: str, account_role: str, region: str, unreadable: Sequence[str]
) -> list[CheckResult]:
    resource = f"{ROLE_TAG}={role}"
    elsewhere = context.held_elsewhere(account_role)
    if elsewhere is not None:
        return [
            check.skipped(region, resource, f"the bucket lives in {elsewhere}")
            for check in BUCKET_CHECKS
        ]
    if unreadable:
        reason = f"not among the readable buckets; tags unreadable on: {', '.join(unreadable)}"
        return [check.errored(region, resource, reason) for check in BUCKET_CHECKS]
    reason = f"no bucket tagged {resource}"
    return [check.failed(region, resource, reason) for check in BUCKET_CHECKS]


def _bucket_results(context: AuditContext, s3: Any, bucket: str, region: str) -> list[CheckResult]:
    arn = f"arn:{context.clients.partition}:s3:::{bucket}"
    return [
        *guarded([BUCKET_ENCRYPTION], region, arn, partial(_encryption, s3, bucket, region, arn)),
        *guarded([BUCKET_VERSIONING], region, arn, partial(_versioning, s3, bucket, region, arn)),
        *guarded([BUCKET_TLS_ONLY], region, arn, partial(_tls_only, s3, bucket, region, arn)),
    ]


def _encryption(s3: Any, bucket: str, region: str, arn: str) -> list[CheckResult]:
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    except ClientError as error:
        if error_code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        return [BUCKET_ENCRYPTION.failed(region, arn, "no default encryption")]
    algorithms = [
        rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm")
        for rule in rules.get("Rules", [])
    ]
    return [
        BUCKET_ENCRYPTION.verdict(
            any(algorithm in _KMS_ALGORITHMS for algorithm in algorithms),
            region,
            arn,
            "default encryption SSE-KMS",
            f"default encryption {', '.join(map(str, algorithms)) or 'none'}, not SSE-KMS",
        )
    ]


def _versioning(s3: Any, bucket: str, region: str, arn: str) -> list[CheckResult]:
    status = s3.get_bucket_versioning(Bucket=bucket).get("Status", "never enabled")
    return [
        BUCKET_VERSIONING.verdict(
            status == "Enabled", region, arn, "versioning enabled", f"versioning {status}"
        )
    ]


def _tls_only(s3: Any, bucket: str, region: str, arn: str) -> list[CheckResult]:
    try:
        policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as error:
        if error_code(error) != "NoSuchBucketPolicy":
            raise
        return [BUCKET_TLS_ONLY.failed(region, arn, "no bucket policy")]
    return [
        BUCKET_TLS_ONLY.verdict(
            denies_insecure_transport(policy, arn),
            region,
            arn,
            "the bucket policy denies every request without TLS",
            "no Deny of s3:* to everyone on its objects when aws:SecureTransport is false",
        )
    ]


def denies_insecure_transport(policy_text: str, bucket_arn: str) -> bool:
    """A Deny of every S3 action on the bucket's objects, for everyone, without TLS."""
    for statement in statements(policy_text):
        if statement.get("Effect") != "Deny" or not has_wildcard_principal(statement):
            continue
        insecure = [
            *condition_values(statement, "Bool", "aws:SecureTransport"),
            *condition_values(statement, "BoolIfExists", "aws:SecureTransport"),
        ]
        every_action = {"s3:*", "*"} & set(as_list(statement.get("Action")))
        resources = set(as_list(statement.get("Resource")))
        all_buckets = bucket_arn[: bucket_arn.rindex(":") + 1] + "*"
        objects = {f"{bucket_arn}/*", all_buckets, "*"} & resources
        if "false" in insecure and every_action and objects:
            return True
    return False


_BUCKETS = "arn:{partition}:s3:::*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
    ApiCall("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ApiCall("s3", "GetBucketTagging", "s3:GetBucketTagging", _BUCKETS),
    ApiCall("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", _BUCKETS),
    ApiCall("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration", _BUCKETS),
    ApiCall("s3", "GetBucketVersioning", "s3:GetBucketVersioning", _BUCKETS),
    ApiCall("s3", "GetBucketPolicy", "s3:GetBucketPolicy", _BUCKETS),
)


SERVICE = ServiceAudit(
    name="s3",
    scope=Scope.ACCOUNT,
    probes=(
        Probe((ACCOUNT_PUBLIC_ACCESS_BLOCK,), _account_probe),
        Probe(BUCKET_CHECKS, _buckets_probe),
    ),
    skip_reason=lambda context: None,
    api_calls=API_CALLS,
)
