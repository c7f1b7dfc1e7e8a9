"""CloudTrail: every trail records all regions, stays on, is KMS-encrypted and tamper-evident."""

from __future__ import annotations

from helpers import requires_flag, requires_value
from metadata import resource_policy
from pulumi_policy import Severity

TRAIL = "aws:cloudtrail/trail:Trail"

_validate_log_file_validation = requires_flag(
    TRAIL,
    "enableLogFileValidation",
    default=False,
    consequence="log files carry no signed digest",
)
_validate_multi_region = requires_flag(
    TRAIL,
    "isMultiRegionTrail",
    default=False,
    consequence="calls in other regions go unrecorded",
)
_validate_kms_encrypted = requires_value(
    TRAIL, "kmsKeyId", "log files are encrypted only with SSE-S3"
)
# The provider starts logging unless told otherwise.
_validate_logging_enabled = requires_flag(
    TRAIL,
    "enableLogging",
    default=True,
    consequence="the trail records nothing",
)


POLICIES = [
    resource_policy(
        name="cloudtrail-log-file-validation",
        summary="CloudTrail trails must enable log file integrity validation.",
        validate=_validate_log_file_validation,
        severity=Severity.MEDIUM,
        remediation_steps="Set enable_log_file_validation=True on the aws.cloudtrail.Trail.",
    ),
    resource_policy(
        name="cloudtrail-multi-region",
        summary="CloudTrail trails must record events in every region.",
        validate=_validate_multi_region,
        severity=Severity.HIGH,
        remediation_steps="Set is_multi_region_trail=True on the aws.cloudtrail.Trail.",
    ),
    resource_policy(
        name="cloudtrail-kms-encrypted",
        summary="CloudTrail trails must encrypt log files with a customer managed KMS key.",
        validate=_validate_kms_encrypted,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Set kms_key_id on the aws.cloudtrail.Trail to the ARN of a customer managed KMS key "
            "whose policy lets cloudtrail.amazonaws.com encrypt for this trail."
        ),
    ),
    resource_policy(
        name="cloudtrail-logging-enabled",
        summary="CloudTrail trails must be logging.",
        validate=_validate_logging_enabled,
        severity=Severity.HIGH,
        remediation_steps="Leave enable_logging unset (or True) on the aws.cloudtrail.Trail.",
    ),
]
