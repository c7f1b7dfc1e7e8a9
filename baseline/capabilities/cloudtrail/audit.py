"""CloudTrail: the trail the spec names (or else any multi-region trail) and its bucket.

The trail is multi-region, so it is checked once, from the home region; an organization
trail shows in member accounts as a shadow trail, which `includeShadowTrails` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from baseline.audit.errors import guarded
from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.capabilities.log_archive.audit import (
    account_public_access_block,
    bucket_public_access_block,
    flags_off,
)

TRAIL_LOGGING = Check(
    "cloudtrail.trail-logging", "A trail (the spec's, or a multi-region one) logs"
)
MULTI_REGION = Check("cloudtrail.multi-region", "The trail records events of every region")
LOG_FILE_VALIDATION = Check(
    "cloudtrail.log-file-validation", "The trail writes digest files that prove its logs intact"
)
KMS_ENCRYPTION = Check("cloudtrail.kms-encryption", "The trail encrypts its log files with KMS")
BUCKET_NOT_PUBLIC = Check(
    "cloudtrail.bucket-not-public",
    "The trail's bucket blocks public access (its own settings or the account's)",
)
CHECKS = (TRAIL_LOGGING, MULTI_REGION, LOG_FILE_VALIDATION, KMS_ENCRYPTION, BUCKET_NOT_PUBLIC)


def find_trail(trails: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    """The trail called `name`, else the first multi-region trail, else None."""
    named = [t for t in trails if t.get("Name") == name or t["TrailARN"].endswith(f"/{name}")]
    multi_region = [t for t in trails if t.get("IsMultiRegionTrail")]
    return next(iter(named or multi_region), None)


def _trail_probe(context: AuditContext, region: str) -> list[CheckResult]:
    cloudtrail = context.clients.client("cloudtrail", region)
    name = context.spec.cloudtrail.name
    trails = cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
    trail = find_trail(trails, name)
    if trail is None:
        reason = f"no trail named {name} and no multi-region trail"
        return [check.failed(region, f"trail {name}", reason) for check in CHECKS]
    arn = trail["TrailARN"]
    key = trail.get("KmsKeyId")
    bucket = trail["S3BucketName"]
    bucket_arn = f"arn:{context.clients.partition}:s3:::{bucket}"
    return [
        *guarded([TRAIL_LOGGING], region, arn, partial(_logging, cloudtrail, arn, region)),
        MULTI_REGION.verdict(
            trail.get("IsMultiRegionTrail") is True,
            region,
            arn,
            "multi-region",
            "records its home region only",
        ),
        LOG_FILE_VALIDATION.verdict(
            trail.get("LogFileValidationEnabled") is True,
            region,
            arn,
            "log file validation on",
            "log file validation off",
        ),
        KMS_ENCRYPTION.verdict(
            bool(key), region, arn, f"encrypted with {key}", "no KMS key: S3 default encryption"
        ),
        *guarded(
            [BUCKET_NOT_PUBLIC],
            region,
            bucket_arn,
            partial(_bucket_not_public, context, bucket, bucket_arn, region),
        ),
    ]


def _logging(cloudtrail: Any, arn: str, region: str) -> list[CheckResult]:
    logging = cloudtrail.get_trail_status(Name=arn).get("IsLogging") is True
    return [TRAIL_LOGGING.verdict(logging, region, arn, "logging", "not logging")]


def _bucket_not_public(
    context: AuditContext, bucket: str, bucket_arn: str, region: str
) -> list[CheckResult]:
    s3 = context.clients.client("s3", region)
    bucket_off = flags_off(bucket_public_access_block(s3, bucket))
    if not bucket_off:
        reason = "the bucket's Block Public Access has all four settings on"
        return [BUCKET_NOT_PUBLIC.passed(region, bucket_arn, reason)]
    account_off = flags_off(account_public_access_block(context, region))
    reason = (
        f"bucket Block Public Access off: {', '.join(bucket_off)}; "
        f"account Block Public Access off: {', '.join(account_off)}"
    )
    return [
        BUCKET_NOT_PUBLIC.verdict(
            not account_off,
            region,
            bucket_arn,
            "the account's Block Public Access has all four settings on",
            reason,
        )
    ]


# An organization trail belongs to the management account, whatever account reads it.
_TRAILS = "arn:{partition}:cloudtrail:*:*:trail/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    ApiCall("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus", _TRAILS),
)


SERVICE = ServiceAudit(
    name="cloudtrail",
    scope=Scope.ACCOUNT,
    probes=(Probe(CHECKS, _trail_probe),),
    skip_reason=lambda context: (
        None if context.spec.cloudtrail.enabled else "cloudtrail.enabled is false in the spec"
    ),
    api_calls=API_CALLS,
)
