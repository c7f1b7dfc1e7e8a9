"""KMS: keys rotate, cannot be deleted in a hurry, and are never open to everyone."""

from __future__ import annotations

from documents import no_public_principal
from helpers import flag, names_a_value, number, text
from metadata import resource_policy
from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, Severity

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
DEFAULT_MINIMUM_DELETION_DAYS = 30  # also the longest window KMS allows


def _rotation_supported(args: ResourceValidationArgs) -> bool:
    # KMS rotates only symmetric encryption keys whose material it generated and holds itself.
    symmetric = (
        text(args.props, "customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    )
    custom_store = names_a_value(args.props, "customKeyStoreId") or names_a_value(
        args.props, "xksKeyId"
    )
    return symmetric and not custom_store


def _validate_rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KEY or not _rotation_supported(args):
        return
    if not flag(args.props, "enableKeyRotation", False):
        report("enable_key_rotation is not true: the key material never rotates.", None)


def _validate_deletion_window(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != KEY:
        return
    minimum = number(args.get_config(), "minimumDays", DEFAULT_MINIMUM_DELETION_DAYS)
    days = number(args.props, "deletionWindowInDays", DEFAULT_MINIMUM_DELETION_DAYS)
    if days < minimum:
        report(f"deletion_window_in_days is {days:g}, below the minimum of {minimum:g} days.", None)


_validate_no_public_principal = no_public_principal(KEY, KEY_POLICY)


POLICIES = [
    resource_policy(
        name="kms-key-rotation",
        summary="Customer managed symmetric KMS keys must rotate their key material automatically.",
        validate=_validate_rotation,
        severity=Severity.MEDIUM,
        remediation_steps="Set enable_key_rotation=True on the aws.kms.Key.",
    ),
    resource_policy(
        name="kms-key-deletion-window",
        summary="KMS keys must keep a deletion waiting period of at least the configured days.",
        validate=_validate_deletion_window,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Set deletion_window_in_days on the aws.kms.Key to at least the configured minimum "
            "(default 30), or leave it unset for the 30-day default."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "minimumDays": {
                    "type": "integer",
                    "minimum": 7,
                    "maximum": 30,
                    "default": DEFAULT_MINIMUM_DELETION_DAYS,
                    "description": "Shortest acceptable deletion window, in days (KMS: 7 to 30).",
                }
            }
        ),
    ),
    resource_policy(
        name="kms-key-policy-no-public-principal",
        summary="KMS key policies must not allow any principal without an account condition.",
        validate=_validate_no_public_principal,
        severity=Severity.CRITICAL,
        remediation_steps=(
            "Name the principals in the key policy (account root, roles, services), or add a "
            "condition such as aws:PrincipalOrgID, aws:SourceAccount or kms:CallerAccount to "
            "every statement that allows Principal '*'."
        ),
    ),
]
