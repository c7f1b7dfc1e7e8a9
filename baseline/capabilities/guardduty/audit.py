"""GuardDuty: an enabled detector in each region, S3 protection, the publishing frequency."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)

DETECTOR_ENABLED = Check("guardduty.detector-enabled", "GuardDuty has an enabled detector")
S3_PROTECTION = Check("guardduty.s3-protection", "GuardDuty S3 protection (S3 data events) is on")
PUBLISHING_FREQUENCY = Check(
    "guardduty.finding-publishing-frequency",
    "GuardDuty publishes findings as often as the spec says",
)
CHECKS = (DETECTOR_ENABLED, S3_PROTECTION, PUBLISHING_FREQUENCY)
S3_FEATURE = "S3_DATA_EVENTS"


def s3_protection_on(detector: Mapping[str, Any]) -> bool:
    """From the detector's features, or from its data sources where the API predates them."""
    for feature in detector.get("Features") or []:
        if feature.get("Name") == S3_FEATURE:
            return bool(feature.get("Status") == "ENABLED")
    return bool(detector.get("DataSources", {}).get("S3Logs", {}).get("Status") == "ENABLED")


def _detector_probe(context: AuditContext, region: str) -> list[CheckResult]:
    guardduty = context.clients.client("guardduty", region)
    pages = guardduty.get_paginator("list_detectors").paginate()
    detector_ids = [detector_id for page in pages for detector_id in page["DetectorIds"]]
    if not detector_ids:
        return [check.failed(region, "detector", "no GuardDuty detector") for check in CHECKS]
    # GuardDuty allows one detector per account and region.
    detector_id = detector_ids[0]
    detector = guardduty.get_detector(DetectorId=detector_id)
    clients = context.clients
    arn = f"arn:{clients.partition}:guardduty:{region}:{clients.account_id}:detector/{detector_id}"
    return [
        DETECTOR_ENABLED.verdict(
            detector.get("Status") == "ENABLED",
            region,
            arn,
            "enabled",
            f"status {detector.get('Status')}",
        ),
        _s3_protection(context, detector, region, arn),
        _frequency(context, detector, region, arn),
    ]


def _s3_protection(
    context: AuditContext, detector: Mapping[str, Any], region: str, arn: str
) -> CheckResult:
    if not context.spec.guardduty.protections.s3:
        return S3_PROTECTION.skipped(region, arn, "guardduty.protections.s3 is false in the spec")
    return S3_PROTECTION.verdict(
        s3_protection_on(detector), region, arn, f"{S3_FEATURE} enabled", f"{S3_FEATURE} off"
    )


def _frequency(
    context: AuditContext, detector: Mapping[str, Any], region: str, arn: str
) -> CheckResult:
    expected = context.spec.guardduty.finding_publishing_frequency
    actual = detector.get("FindingPublishingFrequency")
    return PUBLISHING_FREQUENCY.verdict(
        actual == expected, region, arn, str(actual), f"{actual}, the spec says {expected}"
    )


_DETECTORS = "arn:{partition}:guardduty:*:{account}:detector/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("guardduty", "ListDetectors", "guardduty:ListDetectors"),
    ApiCall("guardduty", "GetDetector", "guardduty:GetDetector", _DETECTORS),
)


SERVICE = ServiceAudit(
    name="guardduty",
    scope=Scope.REGIONAL,
    probes=(Probe(CHECKS, _detector_probe),),
    skip_reason=lambda context: (
        None if context.spec.guardduty.enabled else "guardduty.enabled is false in the spec"
    ),
    api_calls=API_CALLS,
)
