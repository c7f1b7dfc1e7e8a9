"""GuardDuty: detectors are on, and S3 protection covers this account and the organization."""

from __future__ import annotations

from helpers import flag, group_by_reference, label, of_types, text
from metadata import resource_policy, stack_policy
from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

DETECTOR = "aws:guardduty/detector:Detector"
DETECTOR_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
ORGANIZATION_CONFIGURATION = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
ORGANIZATION_FEATURE = (
    "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
)
S3_PROTECTION = "S3_DATA_EVENTS"
# Settings name their detector by its id, which is the detector resource's id.
DETECTOR_ID_PROPS = ("id",)


def _validate_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == DETECTOR and not flag(args.props, "enable", True):
        report("enable is false: the detector produces no findings.", None)
    if args.resource_type == ORGANIZATION_CONFIGURATION:
        members = text(args.props, "autoEnableOrganizationMembers")
        if members == "NONE":
            report(
                "auto_enable_organization_members is NONE: member accounts are not enrolled.", None
            )


def _by_detector(
    args: StackValidationArgs, resource_type: str, detectors: list[PolicyResource]
) -> dict[str, list[PolicyResource]]:
    """Resources of a type that name their detector by `detectorId`, grouped by detector URN."""
    settings = of_types(args.resources, frozenset({resource_type}))
    return group_by_reference(settings, "detectorId", detectors, DETECTOR_ID_PROPS)


def _has_feature(features: list[PolicyResource], setting: str, accepted: set[str]) -> bool:
    return any(
        text(f.props, "name") == S3_PROTECTION and text(f.props, setting) in accepted
        for f in features
    )


def _validate_s3_protection(args: StackValidationArgs, report: ReportViolation) -> None:
    detectors = of_types(args.resources, frozenset({DETECTOR}))
    own = _by_detector(args, DETECTOR_FEATURE, detectors)
    organization = _by_detector(args, ORGANIZATION_FEATURE, detectors)
    configurations = _by_detector(args, ORGANIZATION_CONFIGURATION, detectors)
    for detector in detectors:
        if configurations[detector.urn] and not _has_feature(
            organization[detector.urn], "autoEnable", {"ALL", "NEW"}
        ):
            report(
                f"detector {label(detector)}: the organization configuration has no "
                f"OrganizationConfigurationFeature {S3_PROTECTION} with auto_enable ALL or NEW.",
                detector.urn,
            )
        covered_by_organization = _has_feature(organization[detector.urn], "autoEnable", {"ALL"})
        if not covered_by_organization and not _has_feature(
            own[detector.urn], "status", {"ENABLED"}
        ):
            report(
                f"detector {label(detector)} has no DetectorFeature {S3_PROTECTION} with "
                "status ENABLED.",
                detector.urn,
            )


POLICIES = [
    resource_policy(
        name="guardduty-enabled",
        summary="GuardDuty detectors must be enabled, and enroll organization members.",
        validate=_validate_enabled,
        severity=Severity.HIGH,
        remediation_steps=(
            "Leave enable unset (or True) on the aws.guardduty.Detector; in organization mode "
            "set auto_enable_organization_members='ALL' on aws.guardduty.OrganizationConfiguration."
        ),
    ),
    stack_policy(
        name="guardduty-s3-protection",
        summary="GuardDuty detectors must have S3 protection (S3_DATA_EVENTS) enabled.",
        validate=_validate_s3_protection,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Add an aws.guardduty.DetectorFeature(detector_id=detector.id, name='S3_DATA_EVENTS', "
            "status='ENABLED'); in organization mode also an "
            "aws.guardduty.OrganizationConfigurationFeature(name='S3_DATA_EVENTS', "
            "auto_enable='ALL')."
        ),
    ),
]
