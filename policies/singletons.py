"""One per account and Region: services that AWS lets an account enable only once there.

AWS Config allows one configuration recorder and one delivery channel per account per Region
(AWS Config API Reference: PutConfigurationRecorder, PutDeliveryChannel); GuardDuty one
detector (GuardDuty API Reference: CreateDetector); Security Hub and Macie are enabled once
(EnableSecurityHub: ResourceConflictException; EnableMacie: ConflictException). A second one
in the same stack fails at deploy time. The account is the provider's (one provider per
account); the Region is the resource's `region` argument, else its provider's.
"""

from __future__ import annotations

from functools import partial

from graph import Undecided, by_type, region_of
from helpers import label, python_type
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

SINGLETONS = {
    "aws:cfg/recorder:Recorder": "AWS Config API Reference: PutConfigurationRecorder",
    "aws:cfg/deliveryChannel:DeliveryChannel": "AWS Config API Reference: PutDeliveryChannel",
    "aws:guardduty/detector:Detector": "Amazon GuardDuty API Reference: CreateDetector",
    "aws:securityhub/account:Account": "AWS Security Hub API Reference: EnableSecurityHub",
    "aws:macie2/account:Account": "Amazon Macie API Reference: EnableMacie",
}
# A resource without a provider of its own (offline, the engine's default provider is not
# sent) shares the stack's default provider with every other such resource.
DEFAULT_PROVIDER = "the default provider"


def placement(resource: PolicyResource) -> tuple[str, str, str]:
    """(provider URN, provider name, Region) of a resource; its `region` argument wins over
    its provider's."""
    provider = resource.provider
    region_name = region_of(resource) or "the provider's default Region"
    if provider is None:
        return "", DEFAULT_PROVIDER, region_name
    return provider.urn, f"provider '{provider.name}'", region_name


def _record(
    resource: PolicyResource,
    seen: dict[tuple[str, str, str], PolicyResource],
    report: ReportViolation,
) -> None:
    provider_urn, provider, region = placement(resource)
    first = seen.setdefault((resource.resource_type, provider_urn, region), resource)
    if first is not resource:
        report(
            f"{label(resource)} is a second {python_type(resource.resource_type)} for "
            f"{provider} in {region}, after {label(first)}: AWS allows one per account and "
            f"Region ({SINGLETONS[resource.resource_type]}).",
            resource.urn,
        )


def _validate_one_per_account_region(args: StackValidationArgs, report: ReportViolation) -> None:
    seen: dict[tuple[str, str, str], PolicyResource] = {}
    undecided = Undecided()
    for resources in by_type(args.resources, SINGLETONS).values():
        # The engine registers resources concurrently, so stack order changes from run to run:
        # judged in URN order, the same one of two is named the duplicate every time.
        for resource in sorted(resources, key=lambda r: r.urn):
            undecided.judge(resource, partial(_record, resource, seen, report))
    undecided.settle()


POLICIES = [
    stack_policy(
        name="one-per-account-and-region",
        summary=(
            "A stack must not declare two Config recorders, delivery channels, GuardDuty "
            "detectors, Security Hub accounts or Macie accounts for the same provider and "
            "Region, which AWS allows once per account and Region (AWS Config API Reference: "
            "PutConfigurationRecorder, PutDeliveryChannel; GuardDuty: CreateDetector; Security "
            "Hub: EnableSecurityHub; Macie: EnableMacie)."
        ),
        validate=_validate_one_per_account_region,
        severity=Severity.HIGH,
        remediation_steps=(
            "Declare each of these once per account and Region: give the duplicates a "
            "different region= or provider, or remove them; to manage one that exists already, "
            "import it instead of creating it."
        ),
    ),
]
