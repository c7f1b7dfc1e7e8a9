"""Services AWS allows once per account and region, which the plan turns on.

What creating each one does when it is on already (each service's API reference):
- Config: one customer-managed recorder and one delivery channel per region.
  PutConfigurationRecorder / PutDeliveryChannel of the same name replace it in place; of
  another name they fail (MaxNumberOfConfigurationRecordersExceededException,
  MaxNumberOfDeliveryChannelsExceededException).
- GuardDuty CreateDetector fails when the region has a detector (BadRequestException).
- Security Hub EnableSecurityHub fails when the account is subscribed (ResourceConflictException).
- Macie EnableMacie fails when Macie is enabled or paused (ConflictException).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code, error_message
from baseline.audit.model import Check, Status
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    collision,
    each_target,
    found,
)
from baseline.preflight.planned import Target

RECORDER = Check("config.recorder", "No Config recorder is in the way of the plan's")
DELIVERY_CHANNEL = Check(
    "config.delivery-channel", "No Config delivery channel is in the way of the plan's"
)
DETECTOR = Check("guardduty.detector", "No GuardDuty detector exists where the plan creates one")
HUB = Check("securityhub.hub", "Security Hub is not on where the plan turns it on")
MACIE_SESSION = Check("macie.session", "Macie is not on where the plan turns it on")


def _config_singleton(
    context: PreflightContext,
    target: Target,
    *,
    check: Check,
    what: str,
    existing: list[Mapping[str, Any]],
    limit_error: str,
) -> list[Finding]:
    # Service-linked recorders (a servicePrincipal) belong to other services and do not count.
    own = [item for item in existing if not item.get("servicePrincipal")]
    planned = str(target.inputs.get("name", "default"))
    if not own:
        return [found(check, Status.PASS, target.place, "-", f"none: the plan creates {planned}")]
    name = str(own[0]["name"])
    if name == planned:
        effect = "replaces it in place, without showing the difference first"
        return [collision(context, check, target, f"{what} {name}", name, effect=effect)]
    reason = (
        f"{what} {name} exists and AWS allows one per region: creating {planned} fails "
        f"({limit_error}); set config.recorder_name: {name} to adopt it"
    )
    return [found(check, Status.FAIL, target.place, f"{what} {name}", reason)]


def _recorder(context: PreflightContext, target: Target) -> list[Finding]:
    config = context.clients(target.account).client("config", target.region)
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    return _config_singleton(
        context,
        target,
        check=RECORDER,
        what="configuration recorder",
        existing=recorders,
        limit_error="MaxNumberOfConfigurationRecordersExceededException",
    )


def _delivery_channel(context: PreflightContext, target: Target) -> list[Finding]:
    config = context.clients(target.account).client("config", target.region)
    channels = config.describe_delivery_channels()["DeliveryChannels"]
    return _config_singleton(
        context,
        target,
        check=DELIVERY_CHANNEL,
        what="delivery channel",
        existing=channels,
        limit_error="MaxNumberOfDeliveryChannelsExceededException",
    )


def _detector(context: PreflightContext, target: Target) -> list[Finding]:
    guardduty = context.clients(target.account).client("guardduty", target.region)
    pages = guardduty.get_paginator("list_detectors").paginate()
    detectors = [detector for page in pages for detector in page["DetectorIds"]]
    if not detectors:
        return [found(DETECTOR, Status.PASS, target.place, "-", "no detector")]
    return [collision(context, DETECTOR, target, f"detector {detectors[0]}", detectors[0])]


def _hub(context: PreflightContext, target: Target) -> list[Finding]:
    securityhub = context.clients(target.account).client("securityhub", target.region)
    try:
        hub = securityhub.describe_hub()
    except ClientError as error:
        # What DescribeHub answers in an account that is not subscribed.
        if error_code(error) == "InvalidAccessException":
            return [found(HUB, Status.PASS, target.place, "-", "not subscribed")]
        raise
    # pulumi-aws docs, securityhub.Account "Import": by the account id.
    return [collision(context, HUB, target, f"hub {hub['HubArn']}", target.account)]


def _macie(context: PreflightContext, target: Target) -> list[Finding]:
    macie = context.clients(target.account).client("macie2", target.region)
    try:
        session = macie.get_macie_session()
    except ClientError as error:
        if _macie_off(error):
            return [found(MACIE_SESSION, Status.PASS, target.place, "-", "Macie is not enabled")]
        raise
    existing = f"Macie ({session.get('status', 'ENABLED')})"
    # The Terraform AWS provider's macie2 account takes the account id as its id.
    return [collision(context, MACIE_SESSION, target, existing, target.account)]


def _macie_off(error: ClientError) -> bool:
    # GetMacieSession without Macie: AccessDeniedException "Macie is not enabled" (as the
    # Terraform AWS provider reads it), or ResourceNotFoundException.
    code = error_code(error)
    if code == "ResourceNotFoundException":
        return True
    return code == "AccessDeniedException" and "not enabled" in error_message(error)


CHECKS = (
    PreflightCheck(
        RECORDER, partial(each_target, RECORDER, "aws:cfg/recorder:Recorder", _recorder)
    ),
    PreflightCheck(
        DELIVERY_CHANNEL,
        partial(
            each_target,
            DELIVERY_CHANNEL,
            "aws:cfg/deliveryChannel:DeliveryChannel",
            _delivery_channel,
        ),
    ),
    PreflightCheck(
        DETECTOR, partial(each_target, DETECTOR, "aws:guardduty/detector:Detector", _detector)
    ),
    PreflightCheck(HUB, partial(each_target, HUB, "aws:securityhub/account:Account", _hub)),
    PreflightCheck(
        MACIE_SESSION, partial(each_target, MACIE_SESSION, "aws:macie2/account:Account", _macie)
    ),
)
