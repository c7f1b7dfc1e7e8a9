"""What the Macie remediator needs in a source bucket, and whether a bucket's policies give it.

The remediator (the macie capability's functions/macie_remediation/remediator.py) makes
these calls in a source bucket, and S3's API reference names the permission of each:

- HeadObject, GetObject, CopyObject and UploadPartCopy (the copy's source) read the version
  named by the finding: `s3:GetObject`, and `s3:GetObjectVersion` for a named version.
- HeadObject of an object that is gone: `s3:ListBucket` turns S3's 403 into the 404 that the
  remediator reads as "already gone".
- DeleteObject: `s3:DeleteObject`, and `s3:DeleteObjectVersion` for a named version.
- For SSE-KMS objects, S3 decrypts the source with the requester's permission: `kms:Decrypt`
  on the object's key, through S3 (`kms:ViaService`).

It never reads or writes the source's tags (the copy's tags are replaced, not copied) and never
lists versions there. In another account, both the role's own policy (MacieRemediation writes
it) and the bucket's and key's policies (the data owner's) must allow each action.

The statements here name the role's account as principal with an `aws:PrincipalArn` condition,
so that a data owner can deploy them before the remediation role exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from components.iam import Statement, statement
from components.kms import KeyGrant
from components.policy_evaluation import Request, evaluate

SOURCE_BUCKET_ACTIONS = ("s3:ListBucket",)
SOURCE_KEY_ACTIONS = ("kms:Decrypt",)
_UNVERSIONED_OBJECT_ACTIONS = ("s3:DeleteObject", "s3:GetObject")
_VERSION_ACTIONS = ("s3:DeleteObjectVersion", "s3:GetObjectVersion")


def source_object_actions(versioned: bool) -> tuple[str, ...]:
    """Object actions in a source bucket; `versioned` when versioning is or was ever enabled."""
    if versioned:
        return tuple(sorted((*_UNVERSIONED_OBJECT_ACTIONS, *_VERSION_ACTIONS)))
    return _UNVERSIONED_OBJECT_ACTIONS


def account_root(role_arn: str) -> str:
    """`arn:<partition>:iam::<account>:root` of a role ARN's account."""
    parts = role_arn.split(":")
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ValueError(f"{role_arn!r} is not an IAM role ARN")
    return f"arn:{parts[1]}:iam::{parts[4]}:root"


def _role_principals(role_arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[dict[str, Any]]:
    """The roles' accounts as principals, and the roles themselves as the condition."""
    return pulumi.Output.all(*role_arns).apply(
        lambda arns: {
            "principal": {"AWS": sorted({account_root(arn) for arn in arns})},
            "condition": {"ArnEquals": {"aws:PrincipalArn": list(arns)}},
        }
    )


def source_bucket_statements(
    bucket_arn: pulumi.Input[str],
    role_arns: Sequence[pulumi.Input[str]],
    *,
    versioned: bool = True,
) -> pulumi.Output[list[Statement]]:
    """Bucket policy statements that let the remediation roles quarantine this bucket's objects."""
    return pulumi.Output.all(bucket_arn, _role_principals(role_arns)).apply(
        lambda values: _bucket_statements(values[0], values[1], versioned)
    )


def _bucket_statements(arn: str, roles: Mapping[str, Any], versioned: bool) -> list[Statement]:
    return [
        statement(
            "MacieRemediationMovesObjectsOut",
            principal=roles["principal"],
            actions=source_object_actions(versioned),
            resources=[f"{arn}/*"],
            conditions=roles["condition"],
        ),
        statement(
            "MacieRemediationFindsGoneObjects",
            principal=roles["principal"],
            actions=SOURCE_BUCKET_ACTIONS,
            resources=[arn],
            conditions=roles["condition"],
        ),
    ]


def source_key_grant(
    role_arns: Sequence[pulumi.Input[str]], bucket_region: str, dns_suffix: str = "amazonaws.com"
) -> KeyGrant:
    """The grant a source bucket's ManagedKey gives the remediation roles: decrypt through S3."""
    return KeyGrant(
        sid="MacieRemediationDecryptsThroughS3",
        principals=tuple(pulumi.Output.from_input(arn).apply(account_root) for arn in role_arns),
        actions=SOURCE_KEY_ACTIONS,
        conditions={
            "StringEquals": {"kms:ViaService": f"s3.{bucket_region}.{dns_suffix}"},
            "ArnEquals": {"aws:PrincipalArn": list(role_arns)},
        },
        principal_type="AWS",
    )


def key_region(key_arn: str) -> str:
    """The region of a KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`)."""
    parts = key_arn.split(":")
    if len(parts) != 6 or parts[2] != "kms" or not parts[5].startswith("key/"):
        raise ValueError(f"{key_arn!r} is not a KMS key ARN")
    return parts[3]


def _request_context(role_arn: str) -> dict[str, str]:
    """What every remediator request carries: TLS, and who makes it."""
    account = account_root(role_arn).split(":")[4]
    return {
        "aws:SecureTransport": "true",
        "aws:PrincipalArn": role_arn,
        "aws:PrincipalAccount": account,
    }


def missing_bucket_grants(
    bucket_policy: str | Mapping[str, Any] | None,
    role_arn: str,
    bucket: str,
    *,
    versioned: bool = True,
    partition: str = "aws",
) -> dict[str, str]:
    """The actions the remediation role needs in `bucket` that its policy does not grant, each
    with the reason (no statement allows it, a statement denies it, or it cannot be decided
    offline). Empty when the policy grants them all; `bucket_policy` None means no policy.

    Every object of the bucket counts: a grant on a prefix only is missing.
    """
    arn = f"arn:{partition}:s3:::{bucket}"
    wanted = [
        *((action, f"{arn}/*") for action in source_object_actions(versioned)),
        *((action, arn) for action in SOURCE_BUCKET_ACTIONS),
    ]
    if bucket_policy is None:
        return {action: "the bucket has no policy" for action, _ in wanted}
    context = _request_context(role_arn)
    missing = {}
    for action, resource in wanted:
        decision = evaluate(bucket_policy, Request(action, resource, role_arn, context))
        if not decision.allowed:
            missing[action] = decision.reason
    return missing


def missing_key_grants(
    key_policy: str | Mapping[str, Any],
    role_arn: str,
    key_arn: str,
    *,
    dns_suffix: str = "amazonaws.com",
) -> dict[str, str]:
    """Like `missing_bucket_grants`, for the KMS key of an SSE-KMS source bucket. S3 uses a
    bucket's key in the bucket's region, which is the key's: `kms:ViaService` names it."""
    context = {
        **_request_context(role_arn),
        "kms:ViaService": f"s3.{key_region(key_arn)}.{dns_suffix}",
        "kms:CallerAccount": account_root(role_arn).split(":")[4],
    }
    missing = {}
    for action in SOURCE_KEY_ACTIONS:
        decision = evaluate(key_policy, Request(action, key_arn, role_arn, context))
        if not decision.allowed:
            missing[action] = decision.reason
    return missing
