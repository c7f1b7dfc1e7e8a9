"""Firewall Manager: the security account as FMS administrator, its policies and DDoS channel.

The management account designates the administrator (`management_provider`); everything
else belongs to the administrator account, which is this component's own provider. Each
spec policy becomes one FMS policy per region and, when it covers CloudFront, one global
policy managed from us-east-1. FMS applies them to every in-scope account of the
organization, present and future.

    fms = FirewallManager("fms", FirewallManagerArgs(
        security_account_id="222222222222",
        management_provider=management,
        regions=("eu-west-1", "us-east-1"),
        policies=(FirewallPolicy("shield", ShieldAdvancedOptions()),),
        notification_topic_arns={"eu-west-1": topic_arn},
    ), opts=pulumi.ResourceOptions(provider=security))

Shield Advanced policies need an active subscription in the administrator account. With
`shield_subscription` the component subscribes that account (a one-year commitment, billed
monthly: AWS Shield pricing) and every Shield policy waits for it; without, the account must
have one already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from baseline.capabilities.firewall_manager.policies import (
    CLOUDFRONT,
    GLOBAL_POLICY_REGION,
    SHIELD_ADVANCED,
    CommonSecurityGroupOptions,
    ContentAuditOptions,
    FirewallPolicy,
    ShieldAdvancedOptions,
    WafOptions,
    audit_rules,
    content_audit_data,
    resource_type_arguments,
    security_groups_common_data,
    shield_advanced_data,
    usage_audit_data,
    wafv2_data,
)
from components.nested_outputs import resolved_apply

NOTIFICATION_CHANNEL_TEMPLATE = (
    Path(__file__).parent / "cloudformation" / "fms_notification_channel.yaml"
)
FMS_SERVICE_LINKED_ROLE = "role/aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"
SHIELD_SUBSCRIPTION_CHOICES = ("existing", "create")


@dataclass(frozen=True)
class ShieldSubscription:
    """A Shield Advanced subscription of the administrator account, created by the component.

    `auto_renew` False lets it lapse after its year, with the Shield policies' protection.
    """

    auto_renew: bool = True


@dataclass(frozen=True)
class FirewallManagerArgs:
    """Arguments of FirewallManager.

    `management_provider` is the organization's management account in us-east-1, where FMS
    accepts the administrator designation. `notification_topic_arns` maps a region to an SNS
    topic of the administrator account in that region: FMS publishes DDoS events of Shield
    Advanced protected resources and non-compliance notices there. `shield_subscription`
    subscribes the administrator account to Shield Advanced through `shield_provider`, the
    administrator account in us-east-1, where Shield's API is (None: the component's provider,
    when it is there).
    """

    security_account_id: str
    management_provider: pulumi.ProviderResource
    regions: Sequence[str]
    policies: Sequence[FirewallPolicy] = ()
    notification_topic_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    shield_subscription: ShieldSubscription | None = None
    shield_provider: pulumi.ProviderResource | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{12}", self.security_account_id):
            raise ValueError(f"security_account_id must be 12 digits: {self.security_account_id}")
        if not self.regions:
            raise ValueError("give at least one region")
        names = [policy.name for policy in self.policies]
        if len(names) != len(set(names)):
            raise ValueError(f"policy names repeat: {names}")
        for policy in self.policies:
            for region in _regions_named_by(policy):
                if region not in self.regions:
                    raise ValueError(
                        f"policy {policy.name} names {region}, which is not among "
                        f"the regions {', '.join(self.regions)}"
                    )
        unknown = sorted(set(self.notification_topic_arns) - set(self.regions))
        if unknown:
            raise ValueError(f"notification topics for regions not managed: {unknown}")


def _regions_named_by(policy: FirewallPolicy) -> tuple[str, ...]:
    options = policy.options
    if isinstance(options, CommonSecurityGroupOptions):
        return tuple(options.primary_security_groups)
    if isinstance(options, ContentAuditOptions):
        return tuple(options.audit_vpcs)
    return ()


def fms_role_arn(topic_arn: str) -> str:
    """The service-linked role FMS publishes with, in the account (and partition) of the topic."""
    _, partition, _, _, account, _ = topic_arn.split(":", 5)
    return f"arn:{partition}:iam::{account}:{FMS_SERVICE_LINKED_ROLE}"


class FirewallManager(pulumi.ComponentResource):
    """FMS administrator, policies per region (plus global CloudFront), DDoS channels."""

    admin_account: aws.fms.AdminAccount
    shield_subscription: aws.shield.Subscription | None
    policies: dict[str, aws.fms.Policy]  # "<name>-<region>", or "<name>-cloudfront"
    audit_security_groups: dict[str, aws.ec2.SecurityGroup]  # "<policy name>/<region>"
    notification_channels: dict[str, aws.cloudformation.Stack]  # by region

    def __init__(
        self, name: str, args: FirewallManagerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:firewall:FirewallManager", name, None, opts)
        self._name = name
        self._args = args
        self.admin_account = aws.fms.AdminAccount(
            f"{name}-admin",
            account_id=args.security_account_id,
            opts=pulumi.ResourceOptions(parent=self, provider=args.management_provider),
        )
        self.shield_subscription = (
            self._shield_subscription(args.shield_subscription)
            if args.shield_subscription is not None
            else None
        )
        self.audit_security_groups = {}
        self.policies = {}
        for policy in args.policies:
            self._policy_everywhere(policy)
        self.notification_channels = {
            region: self._notification_channel(region, topic_arn)
            for region, topic_arn in args.notification_topic_arns.items()
        }
        self.register_outputs(
            {
                "admin_account": self.admin_account.id,
                "policy_ids": {key: policy.id for key, policy in self.policies.items()},
                "notification_channels": {
                    region: stack.id for region, stack in self.notification_channels.items()
                },
            }
        )

    def _shield_subscription(self, subscription: ShieldSubscription) -> aws.shield.Subscription:
        return aws.shield.Subscription(
            f"{self._name}-shield-advanced",
            auto_renew="ENABLED" if subscription.auto_renew else "DISABLED",
            # Destroying the resource would switch renewal off, which AWS allows only in the
            # subscription's last 30 days (pulumi-aws aws.shield.Subscription docs): the
            # commitment outlives the stack, and ending it is a decision of its own.
            skip_destroy=True,
            opts=pulumi.ResourceOptions(parent=self, provider=self._args.shield_provider),
        )

    def _policy_everywhere(self, policy: FirewallPolicy) -> None:
        if policy.regional_types:
            for region in self._policy_regions(policy):
                data = self._regional_data(policy, region)
                self._policy(policy, region, policy.regional_types, data)
        if policy.covers_cloudfront:
            self._policy(policy, GLOBAL_POLICY_REGION, (CLOUDFRONT,), _cloudfront_data(policy))

    def _policy_regions(self, policy: FirewallPolicy) -> Sequence[str]:
        # A replicated primary group exists in given regions only: the policy goes there.
        if isinstance(policy.options, CommonSecurityGroupOptions):
            return tuple(policy.options.primary_security_groups)
        return self._args.regions

    def _regional_data(self, policy: FirewallPolicy, region: str) -> pulumi.Input[dict[str, Any]]:
        options = policy.options
        if isinstance(options, ShieldAdvancedOptions):
            return shield_advanced_data(options, cloudfront=False)
        if isinstance(options, WafOptions):
            destination = self._log_destination(policy.name, options, region)
            return wafv2_data(options, log_destination=destination)
        if isinstance(options, CommonSecurityGroupOptions):
            group = options.primary_security_groups[region]
            return security_groups_common_data(options, security_group_id=group)
        if isinstance(options, ContentAuditOptions):
            return self._content_audit_data(policy.name, options, region)
        return usage_audit_data(options)

    def _log_destination(self, policy_name: str, options: WafOptions, region: str) -> str | None:
        destination = options.log_destination(region)
        if destination is None and options.logging_firehose_arns:
            pulumi.log.warn(
                f"WAF policy {policy_name}: no aws-waf-logs- stream in {region}, "
                "its web ACLs there are not logged",
                resource=self,
            )
        return destination

    def _content_audit_data(
        self, policy_name: str, options: ContentAuditOptions, region: str
    ) -> pulumi.Input[dict[str, Any]]:
        vpc_id = options.audit_vpcs.get(region)
        if vpc_id is None:
            return content_audit_data(options, audit_security_group_id=None)
        group = self._audit_security_group(policy_name, options, region, vpc_id)
        return group.id.apply(
            lambda group_id: content_audit_data(options, audit_security_group_id=group_id)
        )

    def _audit_security_group(
        self, policy_name: str, options: ContentAuditOptions, region: str, vpc_id: str
    ) -> aws.ec2.SecurityGroup:
        name = f"{self._name}-{policy_name}-audit-{region}"
        child = pulumi.ResourceOptions(parent=self)
        group = aws.ec2.SecurityGroup(
            name,
            description=f"Firewall Manager audit group of policy {policy_name}: not attached",
            vpc_id=vpc_id,
            region=region,
            tags=dict(self._args.tags) or None,
            opts=child,
        )
        for index, rule in enumerate(audit_rules(options)):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{index}",
                security_group_id=group.id,
                ip_protocol=rule.protocol,
                from_port=rule.from_port,
                to_port=rule.to_port,
                cidr_ipv6=rule.cidr if rule.ipv6 else None,
                cidr_ipv4=None if rule.ipv6 else rule.cidr,
                region=region,
                opts=child,
            )
        self.audit_security_groups[f"{policy_name}/{region}"] = group
        return group

    def _policy(
        self,
        policy: FirewallPolicy,
        region: str,
        resource_types: Sequence[str],
        data: pulumi.Input[dict[str, Any]],
    ) -> None:
        is_global = CLOUDFRONT in resource_types
        key = f"{policy.name}-cloudfront" if is_global else f"{policy.name}-{region}"
        scope = policy.scope
        self.policies[key] = aws.fms.Policy(
            f"{self._name}-{key}",
            name=f"{policy.name}-cloudfront" if is_global else policy.name,
            region=region,
            security_service_policy_data=aws.fms.PolicySecurityServicePolicyDataArgs(
                type=policy.type,
                managed_service_data=resolved_apply(data, _json_or_none),
            ),
            remediation_enabled=policy.remediation_enabled,
            delete_all_policy_resources=policy.delete_all_policy_resources,
            exclude_resource_tags=scope.exclude_resource_tags,
            resource_tags=dict(scope.resource_tags) or None,
            resource_tag_logical_operator="AND" if scope.resource_tags else None,
            include_map=_account_map(
                aws.fms.PolicyIncludeMapArgs, scope.include_accounts, scope.include_ous
            ),
            exclude_map=_account_map(
                aws.fms.PolicyExcludeMapArgs, scope.exclude_accounts, scope.exclude_ous
            ),
            tags=dict(self._args.tags) or None,
            **resource_type_arguments(resource_types),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self._prerequisites(policy)),
        )

    def _prerequisites(self, policy: FirewallPolicy) -> list[pulumi.Resource]:
        """The designation, and for Shield Advanced policies the subscription they need."""
        if policy.type == SHIELD_ADVANCED and self.shield_subscription is not None:
            return [self.admin_account, self.shield_subscription]
        return [self.admin_account]

    def _notification_channel(
        self, region: str, topic_arn: pulumi.Input[str]
    ) -> aws.cloudformation.Stack:
        return aws.cloudformation.Stack(
            f"{self._name}-notification-channel-{region}",
            template_body=NOTIFICATION_CHANNEL_TEMPLATE.read_text(encoding="utf-8"),
            parameters={
                "SnsTopicArn": topic_arn,
                "SnsRoleName": pulumi.Output.from_input(topic_arn).apply(fms_role_arn),
            },
            region=region,
            tags=dict(self._args.tags) or None,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.admin_account]),
        )


def _cloudfront_data(policy: FirewallPolicy) -> dict[str, Any]:
    options = policy.options
    if isinstance(options, ShieldAdvancedOptions):
        return shield_advanced_data(options, cloudfront=True)
    if isinstance(options, WafOptions):
        return wafv2_data(options, log_destination=options.log_destination(GLOBAL_POLICY_REGION))
    raise TypeError(f"policy {policy.name}: {policy.type} cannot cover CloudFront")


def _json_or_none(data: dict[str, Any]) -> str | None:
    # FMS documents an empty ManagedServiceData for regional Shield Advanced policies.
    return json.dumps(data, sort_keys=True) if data else None


def _account_map(kind: type[Any], accounts: Sequence[str], ous: Sequence[str]) -> Any | None:
    if not accounts and not ous:
        return None
    return kind(accounts=list(accounts) or None, orgunits=list(ous) or None)
