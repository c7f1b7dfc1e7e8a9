"""GuardDuty: a detector per region with its protection plans, organization-wide if asked.

In organization mode the security account is GuardDuty's delegated administrator: the management
account designates it in every region, and the organization configuration auto-enables GuardDuty
and every chosen protection plan for all member accounts, present and future.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TypeVar

import pulumi
import pulumi_aws as aws

from baseline.capabilities.shared import organization_admin, require_region_list

FINDING_PUBLISHING_FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")

# Protection plan (as the spec names it) -> GuardDuty feature name.
PROTECTION_FEATURES: Mapping[str, str] = {
    "s3": "S3_DATA_EVENTS",
    "eks_audit_logs": "EKS_AUDIT_LOGS",
    "ebs_malware_protection": "EBS_MALWARE_PROTECTION",
    "rds_login_events": "RDS_LOGIN_EVENTS",
    "lambda_network_logs": "LAMBDA_NETWORK_LOGS",
    "runtime_monitoring": "RUNTIME_MONITORING",
}
_ConfigurationArgs = TypeVar("_ConfigurationArgs")
# Runtime monitoring sees nothing without its agents, so GuardDuty manages them too.
RUNTIME_AGENT_CONFIGURATIONS = (
    "EKS_ADDON_MANAGEMENT",
    "ECS_FARGATE_AGENT_MANAGEMENT",
    "EC2_AGENT_MANAGEMENT",
)


@dataclass(frozen=True)
class Protections:
    """Which protection plans run. Every plan is managed explicitly, so off means off."""

    s3: bool = True
    eks_audit_logs: bool = False
    ebs_malware_protection: bool = False
    rds_login_events: bool = False
    lambda_network_logs: bool = False
    runtime_monitoring: bool = False

    def features(self) -> dict[str, bool]:
        """GuardDuty feature name -> enabled."""
        return {PROTECTION_FEATURES[plan.name]: getattr(self, plan.name) for plan in fields(self)}


@dataclass(frozen=True)
class FindingsExport:
    """Where findings are exported: a bucket (and prefix), encrypted with a KMS key.

    AWS requires the key in the bucket's region; the bucket and key policies must let
    guardduty.amazonaws.com write and encrypt.
    """

    bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    prefix: str = "guardduty"


@dataclass(frozen=True)
class FilterCriterion:
    """One condition on a finding field; comparison values are integers or RFC 3339 dates."""

    field: str
    equals: tuple[str, ...] = ()
    not_equals: tuple[str, ...] = ()
    greater_than: str | None = None
    greater_than_or_equal: str | None = None
    less_than: str | None = None
    less_than_or_equal: str | None = None


@dataclass(frozen=True)
class SuppressionFilter:
    """Findings matching every criterion are archived automatically."""

    name: str
    criteria: tuple[FilterCriterion, ...]
    description: str = ""


@dataclass(frozen=True)
class GuardDutyArgs:
    regions: tuple[str, ...]
    finding_publishing_frequency: str = "FIFTEEN_MINUTES"
    protections: Protections = Protections()
    export: FindingsExport | None = None
    suppression_filters: tuple[SuppressionFilter, ...] = ()
    # Organization mode: the (security) account the management account designates.
    delegated_admin_account_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_region_list("GuardDutyArgs", None, self.regions)
        if self.finding_publishing_frequency not in FINDING_PUBLISHING_FREQUENCIES:
            raise ValueError(
                "GuardDutyArgs.finding_publishing_frequency: must be one of "
                f"{', '.join(FINDING_PUBLISHING_FREQUENCIES)}"
            )


class GuardDuty(pulumi.ComponentResource):
    """Detectors, protection plans, findings export and suppression filters in every region.

    `opts.provider` is the security account; `management_provider` (organization mode) is the
    management account, which designates the security account as delegated administrator.
    """

    detectors: dict[str, aws.guardduty.Detector]
    detector_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: GuardDutyArgs,
        management_provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("security-baseline:guardduty:GuardDuty", name, None, opts)
        admin_account_id = organization_admin(args.delegated_admin_account_id, management_provider)
        self.detectors = {}
        for region in args.regions:
            detector = self._detector(name, region, args)
            self.detectors[region] = detector
            self._features(name, region, detector, args.protections)
            if args.export is not None:
                self._publishing_destination(name, region, detector, args.export, args.tags)
            for rank, suppression in enumerate(args.suppression_filters, start=1):
                self._filter(name, region, detector, suppression, rank=rank, tags=args.tags)
            if management_provider is not None and admin_account_id is not None:
                admin = aws.guardduty.OrganizationAdminAccount(
                    f"{name}-admin-{region}",
                    admin_account_id=admin_account_id,
                    region=region,
                    # The detector first: designation can enable GuardDuty in the account itself,
                    # leaving a detector this program does not manage.
                    opts=pulumi.ResourceOptions(
                        parent=self, provider=management_provider, depends_on=[detector]
                    ),
                )
                self._organization_configuration(name, region, detector, admin, args.protections)
        self.detector_ids = {region: d.id for region, d in self.detectors.items()}
        self.register_outputs({"detector_ids": self.detector_ids})

    def _detector(self, name: str, region: str, args: GuardDutyArgs) -> aws.guardduty.Detector:
        return aws.guardduty.Detector(
            f"{name}-{region}",
            enable=True,
            finding_publishing_frequency=args.finding_publishing_frequency,
            region=region,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _features(
        self, name: str, region: str, detector: aws.guardduty.Detector, protections: Protections
    ) -> None:
        for feature, enabled in protections.features().items():
            status = "ENABLED" if enabled else "DISABLED"
            aws.guardduty.DetectorFeature(
                f"{name}-{_slug(feature)}-{region}",
                detector_id=detector.id,
                name=feature,
                status=status,
                additional_configurations=_additional_configurations(
                    feature, aws.guardduty.DetectorFeatureAdditionalConfigurationArgs, status=status
                ),
                region=region,
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _organization_configuration(
        self,
        name: str,
        region: str,
        detector: aws.guardduty.Detector,
        admin: aws.guardduty.OrganizationAdminAccount,
        protections: Protections,
    ) -> None:
        after_admin = pulumi.ResourceOptions(parent=self, depends_on=[admin])
        aws.guardduty.OrganizationConfiguration(
            f"{name}-organization-{region}",
            detector_id=detector.id,
            auto_enable_organization_members="ALL",
            region=region,
            opts=after_admin,
        )
        for feature, enabled in protections.features().items():
            auto_enable = "ALL" if enabled else "NONE"
            aws.guardduty.OrganizationConfigurationFeature(
                f"{name}-organization-{_slug(feature)}-{region}",
                detector_id=detector.id,
                name=feature,
                auto_enable=auto_enable,
                additional_configurations=_additional_configurations(
                    feature,
                    aws.guardduty.OrganizationConfigurationFeatureAdditionalConfigurationArgs,
                    auto_enable=auto_enable,
                ),
                region=region,
                opts=after_admin,
            )

    def _publishing_destination(
        self,
        name: str,
        region: str,
        detector: aws.guardduty.Detector,
        export: FindingsExport,
        tags: Mapping[str, str],
    ) -> None:
        aws.guardduty.PublishingDestination(
            f"{name}-export-{region}",
            detector_id=detector.id,
            destination_type="S3",
            destination_arn=pulumi.Output.concat(export.bucket_arn, "/", export.prefix),
            kms_key_arn=export.kms_key_arn,
            region=region,
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _filter(
        self,
        name: str,
        region: str,
        detector: aws.guardduty.Detector,
        suppression: SuppressionFilter,
        *,
        rank: int,
        tags: Mapping[str, str],
    ) -> None:
        aws.guardduty.Filter(
            f"{name}-filter-{suppression.name}-{region}",
            detector_id=detector.id,
            name=suppression.name,
            description=suppression.description or None,
            action="ARCHIVE",
            rank=rank,
            finding_criteria=aws.guardduty.FilterFindingCriteriaArgs(
                criterions=_criterions(suppression.criteria)
            ),
            region=region,
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self),
        )


def _additional_configurations(
    feature: str, args_type: Callable[..., _ConfigurationArgs], **setting: str
) -> list[_ConfigurationArgs] | None:
    """Runtime Monitoring's agent configurations, each set as the feature itself is."""
    agents = RUNTIME_AGENT_CONFIGURATIONS if feature == "RUNTIME_MONITORING" else ()
    return [args_type(name=agent, **setting) for agent in agents] or None


def _criterions(
    criteria: Sequence[FilterCriterion],
) -> list[aws.guardduty.FilterFindingCriteriaCriterionArgs]:
    return [
        aws.guardduty.FilterFindingCriteriaCriterionArgs(
            field=criterion.field,
            equals=list(criterion.equals) or None,
            not_equals=list(criterion.not_equals) or None,
            greater_than=criterion.greater_than,
            greater_than_or_equal=criterion.greater_than_or_equal,
            less_than=criterion.less_than,
            less_than_or_equal=criterion.less_than_or_equal,
        )
        for criterion in criteria
    ]


def _slug(feature: str) -> str:
    return feature.lower().replace("_", "-")
