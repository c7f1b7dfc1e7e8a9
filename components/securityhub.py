"""Security Hub: a hub per region, the chosen standards, disabled controls, one aggregation region.

Consolidated control findings (`SECURITY_CONTROL`) are on, so a control is identified by its
security control id (`IAM.1`) and disabled per standard with `StandardsControlAssociation`; the
older `StandardsControl` takes per-standard control ARNs and belongs to the legacy findings format.

Organization mode uses Security Hub's LOCAL configuration: the management account designates the
security account in every region, and the organization configuration auto-enables Security Hub
with the default standards for new member accounts. The standards and disabled controls below
apply to the security account itself. (CENTRAL configuration with configuration policies would
push them to every account, but it needs the organization root id and puts every account's
Security Hub settings under policies, which this baseline does not yet model.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components._detective import organization_admin, partition_of, require_region_list

# Standard -> whether its ARN names a region. CIS 1.2.0 predates regional standards ARNs and
# is still a global "ruleset".
STANDARDS: Mapping[str, bool] = {
    "aws-foundational-security-best-practices/v/1.0.0": True,
    "aws-resource-tagging-standard/v/1.0.0": True,
    "cis-aws-foundations-benchmark/v/1.2.0": False,
    "cis-aws-foundations-benchmark/v/1.4.0": True,
    "cis-aws-foundations-benchmark/v/3.0.0": True,
    "nist-800-53/v/5.0.0": True,
    "nist-800-171/v/2.0.0": True,
    "pci-dss/v/3.2.1": True,
    "pci-dss/v/4.0.1": True,
}
DEFAULT_STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
)
LINKING_MODES = ("ALL_REGIONS", "SPECIFIED_REGIONS")


def standard_arn(standard: str, region: str) -> str:
    """The ARN Security Hub publishes for `standard` in `region`."""
    partition = partition_of(region)
    if STANDARDS[standard]:
        return f"arn:{partition}:securityhub:{region}::standards/{standard}"
    return f"arn:{partition}:securityhub:::ruleset/{standard}"


@dataclass(frozen=True)
class DisabledControl:
    """A security control turned off, with the reason auditors will read."""

    control_id: str
    reason: str
    # Empty: every subscribed standard. AWS rejects a standard that does not contain the control.
    standards: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityHubArgs:
    home_region: str
    regions: tuple[str, ...]
    standards: tuple[str, ...] = DEFAULT_STANDARDS
    disabled_controls: tuple[DisabledControl, ...] = ()
    linking_mode: str = "ALL_REGIONS"
    # SPECIFIED_REGIONS: the regions whose findings flow to the home region.
    linked_regions: tuple[str, ...] = ()
    # Organization mode: the (security) account the management account designates.
    delegated_admin_account_id: str | None = None

    def __post_init__(self) -> None:
        require_region_list("SecurityHubArgs", self.home_region, self.regions)
        unknown = [s for s in self.standards if s not in STANDARDS]
        if unknown:
            raise ValueError(f"SecurityHubArgs.standards: unknown standard(s) {', '.join(unknown)}")
        for control in self.disabled_controls:
            _check_disabled_control(control, self.standards)
        if self.linking_mode not in LINKING_MODES:
            raise ValueError(
                f"SecurityHubArgs.linking_mode: must be one of {', '.join(LINKING_MODES)}"
            )
        if (self.linking_mode == "SPECIFIED_REGIONS") != bool(self.linked_regions_besides_home):
            raise ValueError(
                "SecurityHubArgs.linked_regions: regions besides the home region are required "
                "with SPECIFIED_REGIONS, and only then"
            )

    @property
    def linked_regions_besides_home(self) -> tuple[str, ...]:
        # The aggregation region receives the others' findings; it is not one of the linked.
        return tuple(r for r in self.linked_regions if r != self.home_region)

    def subscribed(self, control: DisabledControl) -> tuple[str, ...]:
        return control.standards or self.standards


def _check_disabled_control(control: DisabledControl, standards: tuple[str, ...]) -> None:
    if not control.reason.strip():
        raise ValueError(f"disabled control {control.control_id}: a reason is required")
    missing = [s for s in control.standards if s not in standards]
    if missing:
        raise ValueError(
            f"disabled control {control.control_id}: not subscribed to {', '.join(missing)}"
        )


class SecurityHub(pulumi.ComponentResource):
    """Hubs, standards subscriptions, disabled controls and the finding aggregator.

    `opts.provider` is the security account; `management_provider` (organization mode) is the
    management account, which designates the security account as delegated administrator.
    """

    accounts: dict[str, aws.securityhub.Account]
    subscriptions: dict[tuple[str, str], aws.securityhub.StandardsSubscription]
    finding_aggregator: aws.securityhub.FindingAggregator

    def __init__(
        self,
        name: str,
        args: SecurityHubArgs,
        management_provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("security-baseline:securityhub:SecurityHub", name, None, opts)
        admin_account_id = organization_admin(args.delegated_admin_account_id, management_provider)
        self.accounts = {}
        self.subscriptions = {}
        for region in args.regions:
            hub = self._hub(name, region)
            self.accounts[region] = hub
            for standard in args.standards:
                self.subscriptions[(region, standard)] = self._subscribe(
                    name, region, standard, hub
                )
            for control in args.disabled_controls:
                self._disable(name, region, control, args.subscribed(control))
            if management_provider is not None and admin_account_id is not None:
                self._organization(name, region, hub, admin_account_id, management_provider)
        self.finding_aggregator = self._aggregator(name, args)
        self.register_outputs(
            {
                "standards_arns": [s.standards_arn for s in self.subscriptions.values()],
                "finding_aggregator_id": self.finding_aggregator.id,
            }
        )

    def _hub(self, name: str, region: str) -> aws.securityhub.Account:
        return aws.securityhub.Account(
            f"{name}-{region}",
            # Standards are chosen explicitly below; the defaults include the outdated CIS 1.2.0.
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
            region=region,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _subscribe(
        self, name: str, region: str, standard: str, hub: aws.securityhub.Account
    ) -> aws.securityhub.StandardsSubscription:
        return aws.securityhub.StandardsSubscription(
            f"{name}-{_slug(standard)}-{region}",
            standards_arn=standard_arn(standard, region),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hub]),
        )

    def _disable(
        self, name: str, region: str, control: DisabledControl, standards: tuple[str, ...]
    ) -> None:
        for standard in standards:
            aws.securityhub.StandardsControlAssociation(
                f"{name}-{control.control_id}-{_slug(standard)}-{region}",
                security_control_id=control.control_id,
                standards_arn=standard_arn(standard, region),
                association_status="DISABLED",
                updated_reason=control.reason,
                region=region,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[self.subscriptions[(region, standard)]]
                ),
            )

    def _organization(
        self,
        name: str,
        region: str,
        hub: aws.securityhub.Account,
        admin_account_id: str,
        management_provider: pulumi.ProviderResource,
    ) -> None:
        admin = aws.securityhub.OrganizationAdminAccount(
            f"{name}-admin-{region}",
            admin_account_id=admin_account_id,
            region=region,
            # The hub first: designating an account enables Security Hub there, and the hub
            # resource would then fail with "already subscribed".
            opts=pulumi.ResourceOptions(
                parent=self, provider=management_provider, depends_on=[hub]
            ),
        )
        aws.securityhub.OrganizationConfiguration(
            f"{name}-organization-{region}",
            auto_enable=True,
            # New members get AWS's default standards: NONE would leave them without any checks.
            auto_enable_standards="DEFAULT",
            organization_configuration=aws.securityhub.OrganizationConfigurationOrganizationConfigurationArgs(
                configuration_type="LOCAL"
            ),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[admin]),
        )

    def _aggregator(self, name: str, args: SecurityHubArgs) -> aws.securityhub.FindingAggregator:
        return aws.securityhub.FindingAggregator(
            f"{name}-aggregator",
            linking_mode=args.linking_mode,
            specified_regions=list(args.linked_regions_besides_home) or None,
            region=args.home_region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.accounts.values())),
        )


def _slug(standard: str) -> str:
    """`cis-aws-foundations-benchmark/v/3.0.0` -> `cis-aws-foundations-benchmark-v3.0.0`."""
    return standard.replace("/v/", "-v").replace("/", "-")
