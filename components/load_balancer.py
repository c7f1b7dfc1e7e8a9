"""ProtectedLoadBalancer: an Application Load Balancer that only speaks TLS, behind AWS WAF.

HTTPS on 443 with a TLS 1.2+ policy; HTTP on 80 only answers with a permanent redirect to
HTTPS. A regional WAFv2 web ACL with AWS's baseline managed rule groups is associated with
the load balancer, invalid headers are dropped, deletion protection is on, and, when the
account subscribes to Shield Advanced, the load balancer is a Shield protected resource.

    web = ProtectedLoadBalancer("orders", ProtectedLoadBalancerArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=tuple(config.require_object("publicSubnetIds")),
        certificate_arn=config.require("certificateArn"),
        target=ForwardTarget(port=8443, egress_cidrs=("10.0.0.0/16",)),
        shield_advanced=True,
    ))
    pulumi.export("url", web.dns_name.apply(lambda name: f"https://{name}"))
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

HTTPS_PORT = 443
HTTP_PORT = 80
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
# Policies whose lowest protocol is TLS 1.2 or 1.3 (TLS13-1-2-*, TLS13-1-3-*, TLS-1-2-*, FS-1-2-*).
_TLS12_POLICY = re.compile(r"ELBSecurityPolicy-(?:TLS13-1-[23]|TLS-1-2|FS-1-2)-[A-Za-z0-9-]+")
DEFAULT_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
ANYWHERE: tuple[str, ...] = ("0.0.0.0/0", "::/0")
DEFAULT_HSTS = "max-age=31536000"
_METRIC_NAME = re.compile(r"[^\w#:.\-/]")


def _validate_cidrs(label: str, cidrs: tuple[str, ...]) -> None:
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr)
        except ValueError as error:
            raise ValueError(f"{label}: {cidr!r} is not a CIDR block ({error})") from error


def _is_ipv6(cidr: str) -> bool:
    return ipaddress.ip_network(cidr).version == 6


@dataclass(frozen=True)
class ForwardTarget:
    """A target group the HTTPS listener forwards to (register targets in it afterwards).

    `egress_cidrs` are where the targets live (the VPC's CIDR): the load balancer's security
    group reaches them there on `port`, and nowhere else.
    """

    egress_cidrs: tuple[str, ...]
    port: int = HTTPS_PORT
    protocol: Literal["HTTP", "HTTPS"] = "HTTPS"
    target_type: Literal["instance", "ip"] = "ip"
    health_check_path: str = "/"

    def __post_init__(self) -> None:
        if not self.egress_cidrs:
            raise ValueError("forward target: name the CIDR blocks where the targets live")
        _validate_cidrs("forward target egress_cidrs", self.egress_cidrs)
        if not 1 <= self.port <= 65535:
            raise ValueError(f"forward target port must be 1-65535, got {self.port}")
        if self.protocol not in ("HTTP", "HTTPS"):
            raise ValueError(f"forward target protocol must be HTTP or HTTPS, not {self.protocol}")
        if not self.health_check_path.startswith("/"):
            raise ValueError("forward target health_check_path must start with '/'")


@dataclass(frozen=True)
class FixedResponse:
    """What the HTTPS listener answers when nothing is forwarded (add listener rules later)."""

    status_code: int = 404
    content_type: Literal[
        "text/plain", "text/css", "text/html", "application/javascript", "application/json"
    ] = "text/plain"
    message_body: str = "Not Found"

    def __post_init__(self) -> None:
        if not 200 <= self.status_code <= 599:
            raise ValueError(f"fixed response status_code must be 2XX-5XX, got {self.status_code}")


@dataclass(frozen=True)
class AccessLogs:
    """Access log delivery to an S3 bucket in the load balancer's region.

    Elastic Load Balancing writes only to SSE-S3 buckets, and the bucket policy must let
    `logdelivery.elasticloadbalancing.amazonaws.com` put objects under `prefix`.
    """

    bucket: pulumi.Input[str]
    prefix: str = ""


@dataclass(frozen=True)
class ProtectedLoadBalancerArgs:
    """Arguments of a ProtectedLoadBalancer; every default is the secure choice.

    `ingress_cidrs` defaults to anywhere (IPv4 and IPv6) for an internet-facing load balancer
    and must be given for an internal one. `shield_advanced=True` says the account subscribes
    to Shield Advanced (a subscription cannot be detected from a preview).
    """

    vpc_id: pulumi.Input[str]
    subnet_ids: tuple[pulumi.Input[str], ...]
    certificate_arn: pulumi.Input[str]
    internal: bool = False
    ingress_cidrs: tuple[str, ...] | None = None
    target: ForwardTarget | FixedResponse = field(default_factory=FixedResponse)
    ssl_policy: str = DEFAULT_SSL_POLICY
    strict_transport_security: str | None = DEFAULT_HSTS
    deletion_protection: bool = True
    access_logs: AccessLogs | None = None
    managed_rule_groups: tuple[str, ...] = DEFAULT_RULE_GROUPS
    shield_advanced: bool = False
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.subnet_ids) < 2:
            raise ValueError("an Application Load Balancer needs subnets in at least two zones")
        if not _TLS12_POLICY.fullmatch(self.ssl_policy):
            raise ValueError(
                f"ssl_policy {self.ssl_policy!r} is not a TLS 1.2+ ELB security policy "
                f"(for example {DEFAULT_SSL_POLICY})"
            )
        if self.internal and self.ingress_cidrs is None:
            raise ValueError("an internal load balancer needs ingress_cidrs (who may reach it)")
        if self.ingress_cidrs is not None:
            if not self.ingress_cidrs:
                raise ValueError("ingress_cidrs is empty: nobody could reach the load balancer")
            _validate_cidrs("ingress_cidrs", self.ingress_cidrs)
        if not self.managed_rule_groups:
            raise ValueError("name at least one AWS managed rule group for the web ACL")

    @property
    def allowed_cidrs(self) -> tuple[str, ...]:
        return self.ingress_cidrs if self.ingress_cidrs is not None else ANYWHERE


def metric_name(*parts: str) -> str:
    """A CloudWatch metric name WAF accepts (letters, digits and `_-#:./`)."""
    return _METRIC_NAME.sub("-", "-".join(parts))[:255]


def visibility(metric: str) -> dict[str, Any]:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric,
        "sampled_requests_enabled": True,
    }


def managed_rules(name: str, groups: tuple[str, ...]) -> list[dict[str, Any]]:
    """One rule per AWS managed rule group, evaluated in the order given, actions kept."""
    return [
        {
            "name": f"AWS-{group}",
            "priority": priority,
            "override_action": {"none": {}},
            "statement": {"managed_rule_group_statement": {"name": group, "vendor_name": "AWS"}},
            "visibility_config": visibility(metric_name(name, group)),
        }
        for priority, group in enumerate(groups)
    ]


def redirect_to_https() -> dict[str, Any]:
    return {
        "type": "redirect",
        "redirect": {"port": str(HTTPS_PORT), "protocol": "HTTPS", "status_code": "HTTP_301"},
    }


def fixed_response_action(response: FixedResponse) -> dict[str, Any]:
    return {
        "type": "fixed-response",
        "fixed_response": {
            "content_type": response.content_type,
            "message_body": response.message_body,
            "status_code": str(response.status_code),
        },
    }


class ProtectedLoadBalancer(pulumi.ComponentResource):
    """An ALB with HTTPS only (HTTP redirected), a WAF web ACL, a tight security group."""

    arn: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    web_acl_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: ProtectedLoadBalancerArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("security-baseline:load_balancer:ProtectedLoadBalancer", name, None, opts)
        self._args = args
        group = self._security_group(name)
        balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            load_balancer_type="application",
            internal=args.internal,
            security_groups=[group.id],
            subnets=list(args.subnet_ids),
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=args.deletion_protection,
            access_logs=_access_logs(args.access_logs),
            region=args.region,
            tags=self._tags,
            opts=self._child,
        )
        default_action, target_group = self._https_default_action(name)
        self._listeners(name, balancer, default_action)
        web_acl = self._web_acl(name, balancer)
        if args.shield_advanced:
            aws.shield.Protection(
                f"{name}-shield", resource_arn=balancer.arn, tags=self._tags, opts=self._child
            )
        self.arn = balancer.arn
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        self.web_acl_arn = web_acl.arn
        self.security_group_id = group.id
        self.target_group_arn = target_group.arn if target_group is not None else None
        self.register_outputs(
            {
                "arn": self.arn,
                "dns_name": self.dns_name,
                "zone_id": self.zone_id,
                "web_acl_arn": self.web_acl_arn,
                "security_group_id": self.security_group_id,
                "target_group_arn": self.target_group_arn,
            }
        )

    @property
    def _child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)

    @property
    def _tags(self) -> dict[str, str] | None:
        return dict(self._args.tags) or None

    def _security_group(self, name: str) -> aws.ec2.SecurityGroup:
        args = self._args
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            description=f"Load balancer {name}: HTTPS and HTTP (redirected) in",
            vpc_id=args.vpc_id,
            region=args.region,
            tags=self._tags,
            opts=self._child,
        )
        for port, label in ((HTTPS_PORT, "https"), (HTTP_PORT, "http")):
            for index, cidr in enumerate(args.allowed_cidrs):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{label}-in-{index}",
                    security_group_id=group.id,
                    description=f"{label.upper()} from {cidr}",
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    **_cidr_argument(cidr),
                    region=args.region,
                    opts=self._child,
                )
        if isinstance(args.target, ForwardTarget):
            for index, cidr in enumerate(args.target.egress_cidrs):
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-targets-out-{index}",
                    security_group_id=group.id,
                    description=f"Targets on port {args.target.port} in {cidr}",
                    ip_protocol="tcp",
                    from_port=args.target.port,
                    to_port=args.target.port,
                    **_cidr_argument(cidr),
                    region=args.region,
                    opts=self._child,
                )
        return group

    def _https_default_action(self, name: str) -> tuple[dict[str, Any], aws.lb.TargetGroup | None]:
        """The HTTPS listener's default action, and the target group it forwards to if any."""
        target = self._args.target
        if isinstance(target, FixedResponse):
            return fixed_response_action(target), None
        group = aws.lb.TargetGroup(
            f"{name}-targets",
            vpc_id=self._args.vpc_id,
            port=target.port,
            protocol=target.protocol,
            target_type=target.target_type,
            health_check={
                "enabled": True,
                "path": target.health_check_path,
                "protocol": target.protocol,
                "matcher": "200-399",
            },
            region=self._args.region,
            tags=self._tags,
            opts=self._child,
        )
        return {"type": "forward", "target_group_arn": group.arn}, group

    def _listeners(
        self, name: str, balancer: aws.lb.LoadBalancer, default_action: dict[str, Any]
    ) -> None:
        args = self._args
        aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            certificate_arn=args.certificate_arn,
            ssl_policy=args.ssl_policy,
            default_actions=[default_action],
            routing_http_response_strict_transport_security_header_value=(
                args.strict_transport_security
            ),
            region=args.region,
            tags=self._tags,
            opts=self._child,
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[redirect_to_https()],
            region=args.region,
            tags=self._tags,
            opts=self._child,
        )

    def _web_acl(self, name: str, balancer: aws.lb.LoadBalancer) -> aws.wafv2.WebAcl:
        args = self._args
        web_acl = aws.wafv2.WebAcl(
            f"{name}-web-acl",
            description=f"AWS managed baseline rules for load balancer {name}",
            scope="REGIONAL",
            default_action={"allow": {}},
            rules=managed_rules(name, args.managed_rule_groups),
            visibility_config=visibility(metric_name(name, "web-acl")),
            region=args.region,
            tags=self._tags,
            opts=self._child,
        )
        aws.wafv2.WebAclAssociation(
            f"{name}-web-acl-association",
            resource_arn=balancer.arn,
            web_acl_arn=web_acl.arn,
            region=args.region,
            opts=self._child,
        )
        return web_acl


def _cidr_argument(cidr: str) -> dict[str, str]:
    return {"cidr_ipv6": cidr} if _is_ipv6(cidr) else {"cidr_ipv4": cidr}


def _access_logs(logs: AccessLogs | None) -> dict[str, Any] | None:
    if logs is None:
        return None
    return {"bucket": logs.bucket, "prefix": logs.prefix, "enabled": True}
