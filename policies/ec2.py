"""EC2: no security group opens remote administration ports to the whole internet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helpers import as_list, as_mapping, number, text
from metadata import resource_policy
from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, Severity

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
DEFAULT_ADMIN_PORTS = (22, 3389)  # SSH, RDP
ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})
ALL_PROTOCOLS = frozenset({"-1", "all"})
PORT_PROTOCOLS = frozenset({"tcp", "udp", "6", "17"})  # other protocols have no ports


@dataclass(frozen=True)
class Ingress:
    where: str
    protocol: str
    from_port: float
    to_port: float
    sources: tuple[str, ...]

    def reached(self, ports: Sequence[int]) -> list[int]:
        """The given ports this rule opens to anywhere."""
        if not ANYWHERE & set(self.sources):
            return []
        if self.protocol in ALL_PROTOCOLS:
            return list(ports)
        if self.protocol not in PORT_PROTOCOLS:
            return []
        return [p for p in ports if self.from_port <= p <= self.to_port]


def _protocol(value: Any) -> str:
    # "6", 6 and 6.0 (numbers travel as doubles) all name TCP.
    name = str(value).strip().lower()
    try:
        return str(int(float(name)))
    except ValueError:
        return name


@dataclass(frozen=True)
class _RuleNames:
    protocol: str
    ipv4: str
    ipv6: str


# Inline rules and aws.ec2.SecurityGroupRule take CIDR lists; aws.vpc rules take one CIDR each.
_EC2_NAMES = _RuleNames("protocol", "cidrBlocks", "ipv6CidrBlocks")
_VPC_NAMES = _RuleNames("ipProtocol", "cidrIpv4", "cidrIpv6")


def _cidrs(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in as_list(value)]


def _ingress(where: str, rule: Mapping[str, Any], names: _RuleNames) -> Ingress:
    return Ingress(
        where=where,
        protocol=_protocol(rule.get(names.protocol)),
        from_port=number(rule, "fromPort", 0),
        to_port=number(rule, "toPort", 65535),
        sources=tuple(_cidrs(rule.get(names.ipv4)) + _cidrs(rule.get(names.ipv6))),
    )


def ingresses(resource_type: str, props: Mapping[str, Any]) -> list[Ingress]:
    """The ingress rules a security group, or a separate rule resource, declares."""
    if resource_type == SECURITY_GROUP:
        rules = as_list(props.get("ingress"))
        return [_ingress(f"ingress[{i}]", as_mapping(r), _EC2_NAMES) for i, r in enumerate(rules)]
    if resource_type == SECURITY_GROUP_RULE and text(props, "type") == "ingress":
        return [_ingress("rule", props, _EC2_NAMES)]
    if resource_type == INGRESS_RULE:
        return [_ingress("rule", props, _VPC_NAMES)]
    return []


def _admin_ports(config: Mapping[str, Any]) -> list[int]:
    return [int(p) for p in as_list(config.get("ports"))] or list(DEFAULT_ADMIN_PORTS)


RULE_TYPES = frozenset({SECURITY_GROUP, SECURITY_GROUP_RULE, INGRESS_RULE})


def _validate_no_public_admin_ports(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in RULE_TYPES:
        return
    ports = _admin_ports(args.get_config())
    for ingress in ingresses(args.resource_type, args.props):
        reached = ingress.reached(ports)
        if reached:
            opened = ", ".join(str(p) for p in reached)
            report(
                f"{ingress.where} allows protocol {ingress.protocol} from "
                f"{', '.join(sorted(ANYWHERE & set(ingress.sources)))} to port {opened}.",
                None,
            )


POLICIES = [
    resource_policy(
        name="ec2-security-group-no-public-admin-ports",
        summary="Security groups must not open remote administration ports to the internet.",
        validate=_validate_no_public_admin_ports,
        severity=Severity.HIGH,
        remediation_steps=(
            "Restrict the rule's source to known CIDR ranges, a prefix list or a security group, "
            "or reach instances through AWS Systems Manager Session Manager instead of SSH/RDP."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "ports": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                    "default": list(DEFAULT_ADMIN_PORTS),
                    "description": "Ports that must not be reachable from 0.0.0.0/0 or ::/0.",
                }
            }
        ),
    ),
]
