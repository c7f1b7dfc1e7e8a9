"""Macie remediation sources: buckets and keys of other accounts grant the remediation role.

The remediator moves objects out of `macie.remediation.source_buckets`; in another account
that bucket's policy, and the policy of its SSE-KMS key (`source_key_arns`), must grant the
remediation role too (docs/macie-remediation.md). The pure checkers of
`components.macie_remediation_grants` read the policies. Reading another account's policies
takes that account's leave (a bucket policy allowing s3:GetBucketPolicy to the security
account): without it the check is an ERROR saying so.

Buckets named by pattern (`source_bucket_patterns`) cannot be listed, so they are not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code
from baseline.audit.model import Check, Clients, Status
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    found,
    guarded,
    skipped,
)
from baseline.preflight.planned import Place
from components.macie_remediation_grants import (
    key_region,
    missing_bucket_grants,
    missing_key_grants,
)

SOURCE_BUCKET_GRANTS = Check(
    "macie.source-bucket-grants",
    "Source buckets of other accounts grant the Macie remediation role in their policy",
)
SOURCE_KEY_GRANTS = Check(
    "macie.source-key-grants",
    "Source buckets' KMS keys of other accounts grant the Macie remediation role",
)
ROLE_OUTPUT = "macie_remediation_role_arn"


def _remediation_account(context: PreflightContext) -> str:
    if context.spec.accounts is not None:
        return context.spec_account("security")
    return next(iter(context.sessions))


def _why_not(context: PreflightContext) -> str | None:
    """Why the grants cannot or need not be read, or None."""
    remediation = context.spec.macie.remediation
    if not (context.spec.macie.enabled and remediation.enabled):
        return "macie.remediation is not enabled"
    if _role_arn(context) is None:
        return (
            "the remediation role does not exist yet: the first `pulumi up` creates it (stack "
            f"output {ROLE_OUTPUT}); run again with --state, or set quarantine.remediation_role_arn"
        )
    return None


def _role_arn(context: PreflightContext) -> str | None:
    return context.spec.quarantine.remediation_role_arn or context.state.output(ROLE_OUTPUT)


def _bucket(clients: Clients, role: str, place: Place, bucket: str) -> list[Finding]:
    s3 = clients.client("s3", place.region)
    try:
        policy: str | None = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as error:
        if error_code(error) != "NoSuchBucketPolicy":
            raise
        policy = None
    # Versioning never enabled: no version actions are needed (the remediator's calls).
    versioned = "Status" in s3.get_bucket_versioning(Bucket=bucket)
    missing = missing_bucket_grants(
        policy, role, bucket, versioned=versioned, partition=clients.partition
    )
    return [_verdict(SOURCE_BUCKET_GRANTS, place, bucket, role, missing)]


def _key(clients: Clients, role: str, place: Place, key_arn: str) -> list[Finding]:
    place = Place(place.account, key_region(key_arn))
    kms = clients.client("kms", place.region)
    policy = kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    return [
        _verdict(SOURCE_KEY_GRANTS, place, key_arn, role, missing_key_grants(policy, role, key_arn))
    ]


def _verdict(
    check: Check, place: Place, resource: str, role: str, missing: dict[str, str]
) -> Finding:
    if not missing:
        return found(check, Status.PASS, place, resource, f"grants {role}")
    reason = "not granted: " + "; ".join(f"{a}: {why}" for a, why in sorted(missing.items()))
    return found(check, Status.FAIL, place, resource, reason)


Reader = Callable[[Clients, str, Place, str], list[Finding]]
Lister = Callable[[PreflightContext, Clients], Iterable[str]]


def _each(check: Check, items: Lister, read: Reader, context: PreflightContext) -> list[Finding]:
    place = Place(_remediation_account(context), context.spec.regions.home)
    reason = _why_not(context)
    if reason is not None:
        return skipped(check, place, reason)
    role = str(_role_arn(context))

    def produce() -> list[Finding]:
        clients = context.clients(place.account)
        return [
            each
            for item in items(context, clients)
            for each in guarded(check, place, partial(read, clients, role, place, item))
        ]

    return guarded(check, place, produce) or skipped(check, place, "none of another account")


def _foreign_buckets(context: PreflightContext, clients: Clients) -> list[str]:
    home = context.spec.regions.home
    owned = {bucket["Name"] for bucket in clients.client("s3", home).list_buckets()["Buckets"]}
    return [b for b in context.spec.macie.remediation.source_buckets if b not in owned]


def _foreign_keys(context: PreflightContext, clients: Clients) -> list[str]:
    return [
        arn
        for arn in context.spec.macie.remediation.source_key_arns
        if arn.split(":")[4] != clients.account_id
    ]


CHECKS = (
    PreflightCheck(
        SOURCE_BUCKET_GRANTS, partial(_each, SOURCE_BUCKET_GRANTS, _foreign_buckets, _bucket)
    ),
    PreflightCheck(SOURCE_KEY_GRANTS, partial(_each, SOURCE_KEY_GRANTS, _foreign_keys, _key)),
)
