"""CloudTrail: every trail records all regions, stays on, is KMS-encrypted and tamper-evident."""

from __future__ import annotations

from helpers import flag, names_a_value
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

TRAIL = "aws:cloudtrail/trail:Trail"


def _validate_log_file_validation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == TRAIL and not flag(args.props, "enableLogFileValidation", False):
        report("enableLogFileValidation is not true: log files carry no signed digest.", None)


def _validate_multi_region(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == TRAIL and not flag(args.props, "isMultiRegionTrail", False):
        report("isMultiRegionTrail is not true: calls in other regions go unrecorded.", None)


def _validate_kms_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == TRAIL and not names_a_value(args.props, "kmsKeyId"):
        report("kmsKeyId is not set: log files are encrypted only with SSE-S3.", None)


def _validate_logging_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # The provider starts logging unless told otherwise.
    if args.resource_type == TRAIL and not flag(args.props, "enableLogging", True):
        report("enableLogging is false: the trail records nothing.", None)


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
