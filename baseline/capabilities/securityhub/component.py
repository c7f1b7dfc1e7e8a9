"""Security Hub: a hub per region, the chosen standards, disabled controls, one aggregation region.

Consolidated control findings (`SECURITY_CONTROL`) are on, so a control is identified by its
security control id (`IAM.1`) and disabled per standard with `StandardsControlAssociation`; the
older `StandardsControl` takes per-standard control ARNs and belongs to the legacy findings format.

Single-account mode configures this account locally: standards subscriptions and disabled
controls in every region.

Organization mode uses CENTRAL configuration (Security Hub user guide, "Understanding central
configuration"): the management account designates the security account in every region, the
security account aggregates findings into the home region, and the organization configuration
of the home region turns CENTRAL, which AWS accepts only once that aggregator exists and only
with auto-enable off (UpdateOrganizationConfiguration: `AutoEnable` false, `AutoEnableStandards`
NONE).
Configuration policies then enable Security Hub with their standards and without their disabled
controls in every account they target (the organization root, OUs, accounts), existing and new,
in the home and linked regions. The security account is one of those accounts: the policies
govern it too, so it keeps no standards subscriptions or control associations of its own; its
hubs stay, as the designation needs Security Hub enabled there first. Nothing here grows with
the number of accounts.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from baseline.capabilities.securityhub.settings import (
    DEFAULT_STANDARDS,
    LINKING_MODES,
    ROOT_TARGET,
    STANDARDS,
    ConfigurationPolicy,
    DisabledControl,
    SecurityHubArgs,
    slug,
    standard_arn,
)
from baseline.capabilities.shared import organization_admin

__all__ = [
    "DEFAULT_STANDARDS",
    "LINKING_MODES",
    "STANDARDS",
    "ConfigurationPolicy",
    "DisabledControl",
    "SecurityHub",
    "SecurityHubArgs",
    "standard_arn",
]


class SecurityHub(pulumi.ComponentResource):
    """Hubs, the finding aggregator, and either local standards or central configuration.

    `opts.provider` is the security account; `management_provider` (organization mode) is the
    management account, which designates the security account as delegated administrator and
    tells the organization's root id.
    """

    accounts: dict[str, aws.securityhub.Account]
    subscriptions: dict[tuple[str, str], aws.securityhub.StandardsSubscription]
    finding_aggregator: aws.securityhub.FindingAggregator
    organization_configuration: aws.securityhub.OrganizationConfiguration | None
    configuration_policies: dict[str, aws.securityhub.ConfigurationPolicy]

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
        admins: dict[str, aws.securityhub.OrganizationAdminAccount] = {}
        for region in args.regions:
            hub = self._hub(name, region)
            self.accounts[region] = hub
            if management_provider is not None and admin_account_id is not None:
                admins[region] = self._admin(
                    name, region, hub, admin_account_id, management_provider
                )
            else:
                self._local_standards(name, region, args, hub)
        # The delegated administrator owns the organization's aggregator: designated first.
        designated = [*self.accounts.values(), *admins.values()]
        self.finding_aggregator = self._aggregator(name, args, designated)
        self.organization_configuration = None
        self.configuration_policies = {}
        if management_provider is not None:
            self._central(name, args, admins[args.home_region], management_provider)
        self.register_outputs(
            {
                "standards_arns": [s.standards_arn for s in self.subscriptions.values()],
                "finding_aggregator_id": self.finding_aggregator.id,
                "configuration_policy_ids": {
                    n: p.id for n, p in self.configuration_policies.items()
                },
            }
        )

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _hub(self, name: str, region: str) -> aws.securityhub.Account:
        return aws.securityhub.Account(
            f"{name}-{region}",
            # Standards are chosen explicitly; the defaults include the outdated CIS 1.2.0.
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
            region=region,
            opts=self._child(),
        )

    def _local_standards(
        self, name: str, region: str, args: SecurityHubArgs, hub: aws.securityhub.Account
    ) -> None:
        for standard in args.standards:
            self.subscriptions[(region, standard)] = aws.securityhub.StandardsSubscription(
                f"{name}-{slug(standard)}-{region}",
                standards_arn=standard_arn(standard, region),
                region=region,
                opts=self._child(depends_on=[hub]),
            )
        for control in args.disabled_controls:
            for standard in args.subscribed(control):
                aws.securityhub.StandardsControlAssociation(
                    f"{name}-{control.control_id}-{slug(standard)}-{region}",
                    security_control_id=control.control_id,
                    standards_arn=standard_arn(standard, region),
                    association_status="DISABLED",
                    updated_reason=control.reason,
                    region=region,
                    opts=self._child(depends_on=[self.subscriptions[(region, standard)]]),
                )

    def _admin(
        self,
        name: str,
        region: str,
        hub: aws.securityhub.Account,
        admin_account_id: str,
        management_provider: pulumi.ProviderResource,
    ) -> aws.securityhub.OrganizationAdminAccount:
        return aws.securityhub.OrganizationAdminAccount(
            f"{name}-admin-{region}",
            admin_account_id=admin_account_id,
            region=region,
            # The hub first: designating an account enables Security Hub there, and the hub
            # resource would then fail with "already subscribed".
            opts=self._child(provider=management_provider, depends_on=[hub]),
        )

    def _aggregator(
        self, name: str, args: SecurityHubArgs, after: list[pulumi.Resource]
    ) -> aws.securityhub.FindingAggregator:
        return aws.securityhub.FindingAggregator(
            f"{name}-aggregator",
            linking_mode=args.linking_mode,
            specified_regions=list(args.linked_regions_besides_home) or None,
            region=args.home_region,
            opts=self._child(depends_on=after),
        )

    def _central(
        self,
        name: str,
        args: SecurityHubArgs,
        home_admin: aws.securityhub.OrganizationAdminAccount,
        management_provider: pulumi.ProviderResource,
    ) -> None:
        home = args.home_region
        self.organization_configuration = aws.securityhub.OrganizationConfiguration(
            f"{name}-organization-{home}",
            auto_enable=False,
            auto_enable_standards="NONE",
            organization_configuration=aws.securityhub.OrganizationConfigurationOrganizationConfigurationArgs(
                configuration_type="CENTRAL"
            ),
            region=home,
            # CENTRAL is accepted only from the delegated administrator, in the region of an
            # existing finding aggregator (pulumi-aws OrganizationConfiguration, "Central
            # Configuration"): neither dependency shows in the inputs.
            opts=self._child(depends_on=[home_admin, self.finding_aggregator]),
        )
        root_id = (
            _root_id(self, management_provider)
            if any(ROOT_TARGET in policy.targets for policy in args.policies)
            else None
        )
        for policy in args.policies:
            self.configuration_policies[policy.name] = self._policy(name, home, policy, root_id)

    def _policy(
        self,
        name: str,
        home: str,
        policy: ConfigurationPolicy,
        root_id: pulumi.Output[str] | None,
    ) -> aws.securityhub.ConfigurationPolicy:
        label = f"{name}-policy-{policy.name}"
        configuration = aws.securityhub.ConfigurationPolicy(
            label,
            name=policy.name,
            description=policy.full_description,
            configuration_policy=aws.securityhub.ConfigurationPolicyConfigurationPolicyArgs(
                service_enabled=True,
                # Standards ARNs of the home region: the policy applies them in linked regions.
                enabled_standard_arns=[standard_arn(s, home) for s in policy.standards],
                # Required even when empty: "Enabled standards and security control
                # configurations must be configured when Security Hub is enabled".
                security_controls_configuration=aws.securityhub.ConfigurationPolicyConfigurationPolicySecurityControlsConfigurationArgs(
                    disabled_control_identifiers=[c.control_id for c in policy.disabled_controls]
                ),
            ),
            region=home,
            opts=self._child(depends_on=[self.organization_configuration]),
        )
        for target in policy.targets:
            aws.securityhub.ConfigurationPolicyAssociation(
                f"{label}-{target}",
                policy_id=configuration.id,
                target_id=root_id if target == ROOT_TARGET and root_id is not None else target,
                region=home,
                opts=self._child(),
            )
        return configuration


def _root_id(
    parent: pulumi.Resource, management_provider: pulumi.ProviderResource
) -> pulumi.Output[str]:
    """The organization root's id (`r-xxxx`), which only the management account may list."""
    organization = aws.organizations.get_organization_output(
        opts=pulumi.InvokeOutputOptions(provider=management_provider, parent=parent)
    )
    return organization.roots.apply(lambda roots: roots[0].id)
