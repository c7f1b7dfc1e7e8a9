"""Firewall Manager policies as data, and the `managedServiceData` FMS expects for each type.

Pure Python (no Pulumi), so the spec can build these objects and tests can check each JSON
shape against the examples of `SecurityServicePolicyData.ManagedServiceData` in the FMS API
reference. `FirewallManager` (component.py) turns them into resources.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

SHIELD_ADVANCED = "SHIELD_ADVANCED"
WAFV2 = "WAFV2"
SECURITY_GROUPS_COMMON = "SECURITY_GROUPS_COMMON"
SECURITY_GROUPS_CONTENT_AUDIT = "SECURITY_GROUPS_CONTENT_AUDIT"
SECURITY_GROUPS_USAGE_AUDIT = "SECURITY_GROUPS_USAGE_AUDIT"

ALB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CLASSIC_LB = "AWS::ElasticLoadBalancing::LoadBalancer"
ELASTIC_IP = "AWS::EC2::EIP"
CLOUDFRONT = "AWS::CloudFront::Distribution"
API_STAGE = "AWS::ApiGateway::Stage"
EC2_INSTANCE = "AWS::EC2::Instance"
NETWORK_INTERFACE = "AWS::EC2::NetworkInterface"
SECURITY_GROUP = "AWS::EC2::SecurityGroup"

# CloudFront is global: FMS manages its policies from us-east-1.
GLOBAL_POLICY_REGION = "us-east-1"
LOCAL_CIDRS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
AUTOMATIC_RESPONSES = ("BLOCK", "COUNT", "DISABLED", "IGNORED")
AUDIT_DIRECTIONS = ("ALL", "INBOUND", "OUTBOUND")
AUDIT_PROTOCOLS = ("tcp", "udp")
WAF_LOG_STREAM = re.compile(
    r"arn:aws(?:-[a-z]+)*:firehose:([a-z0-9-]+):\d{12}:deliverystream/aws-waf-logs-[\w.-]+"
)
MAX_PORT = 65535
# The RedactedFieldType values the FMS API reference allows in a WAF policy's logging
# configuration (SecurityServicePolicyData.ManagedServiceData), and its limit of 20 fields.
REDACTED_FIELD_TYPES = ("URI", "QUERY_STRING", "HEADER", "METHOD")
MAX_REDACTED_FIELDS = 20
# Always redacted: the request line may carry tokens in its path or query string.
REDACTED_REQUEST_FIELDS = ("METHOD", "QUERY_STRING", "URI")
MAX_REDACTED_HEADERS = MAX_REDACTED_FIELDS - len(REDACTED_REQUEST_FIELDS)


@dataclass(frozen=True)
class PolicyScope:
    """Which accounts and resources a policy covers. Tags combine with AND."""

    include_accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    include_ous: tuple[str, ...] = ()
    exclude_ous: tuple[str, ...] = ()
    resource_tags: Mapping[str, str] = field(default_factory=dict)
    exclude_resource_tags: bool = False

    def __post_init__(self) -> None:
        # FMS ignores ExcludeMap when IncludeMap is set: refuse a scope that reads otherwise.
        if (self.include_accounts or self.include_ous) and (
            self.exclude_accounts or self.exclude_ous
        ):
            raise ValueError("a policy scope lists inclusions or exclusions, not both")


@dataclass(frozen=True)
class ShieldAdvancedOptions:
    """`automatic_response` is the layer-7 DDoS mitigation of CloudFront distributions."""

    policy_type: ClassVar[str] = SHIELD_ADVANCED
    automatic_response: str = "COUNT"

    def __post_init__(self) -> None:
        _require_member("automatic_response", self.automatic_response, AUTOMATIC_RESPONSES)


@dataclass(frozen=True)
class WafOptions:
    """Web ACL rule groups run first and last around the accounts' own rules, and logging."""

    policy_type: ClassVar[str] = WAFV2
    first_rule_groups: tuple[str, ...] = ("AWSManagedRulesCommonRuleSet",)
    last_rule_groups: tuple[str, ...] = ("AWSManagedRulesAmazonIpReputationList",)
    override_customer_web_acl_association: bool = False
    logging_firehose_arns: tuple[str, ...] = ()
    redacted_headers: tuple[str, ...] = ("authorization", "cookie")

    def __post_init__(self) -> None:
        if not self.first_rule_groups and not self.last_rule_groups:
            raise ValueError("a WAF policy needs at least one rule group")
        bad = [arn for arn in self.logging_firehose_arns if not WAF_LOG_STREAM.fullmatch(arn)]
        if bad:
            raise ValueError(
                f"WAF logs go to Firehose streams named aws-waf-logs-*, got {', '.join(bad)}"
            )
        regions = [firehose_region(arn) for arn in self.logging_firehose_arns]
        if len(regions) != len(set(regions)):
            raise ValueError("give at most one WAF log stream per region")
        if len(self.redacted_headers) > MAX_REDACTED_HEADERS:
            raise ValueError(
                f"at most {MAX_REDACTED_HEADERS} redacted headers: with the method, query "
                f"string and URI, FMS takes {MAX_REDACTED_FIELDS} redacted fields"
            )

    def log_destination(self, region: str) -> str | None:
        """The stream in `region`: WAF logs only to a destination in the web ACL's region."""
        for arn in self.logging_firehose_arns:
            if firehose_region(arn) == region:
                return arn
        return None


@dataclass(frozen=True)
class CommonSecurityGroupOptions:
    """A primary security group per region, replicated to every in-scope resource."""

    policy_type: ClassVar[str] = SECURITY_GROUPS_COMMON
    primary_security_groups: Mapping[str, str] = field(default_factory=dict)
    revert_manual_changes: bool = True
    exclusive_management: bool = False
    apply_to_all_enis: bool = False

    def __post_init__(self) -> None:
        if not self.primary_security_groups:
            raise ValueError("a common security group policy needs a primary group per region")


@dataclass(frozen=True)
class ContentAuditOptions:
    """Managed audit rules, and an audit group built from protocols and local-only ports.

    In-scope rules must stay within the audit group (action ALLOW): any port of
    `allowed_protocols` from anywhere, except `local_only_ports`, allowed only from
    `local_cidrs`. The audit group needs a VPC of the administrator account per region.
    """

    policy_type: ClassVar[str] = SECURITY_GROUPS_CONTENT_AUDIT
    deny_all_protocols: bool = True
    direction: str = "INBOUND"
    allowed_protocols: tuple[str, ...] = ("tcp",)
    # The admin ports: SSH and RDP stay reachable only from the local ranges.
    local_only_ports: tuple[int, ...] = (22, 3389)
    local_cidrs: tuple[str, ...] = LOCAL_CIDRS
    audit_vpcs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _require_member("direction", self.direction, AUDIT_DIRECTIONS)
        for protocol in self.allowed_protocols:
            _require_member("allowed_protocols", protocol, AUDIT_PROTOCOLS)
        if any(not 0 <= port <= MAX_PORT for port in self.local_only_ports):
            raise ValueError(f"ports are 0-{MAX_PORT}, got {list(self.local_only_ports)}")
        for cidr in self.local_cidrs:
            ipaddress.ip_network(cidr)


@dataclass(frozen=True)
class UsageAuditOptions:
    """Unused and redundant groups are reported; deleting or merging them is opt-in."""

    policy_type: ClassVar[str] = SECURITY_GROUPS_USAGE_AUDIT
    delete_unused: bool = False
    coalesce_redundant: bool = False
    unused_delay_minutes: int = 60


PolicyOptions = (
    ShieldAdvancedOptions
    | WafOptions
    | CommonSecurityGroupOptions
    | ContentAuditOptions
    | UsageAuditOptions
)
OPTIONS_BY_TYPE: dict[str, type[PolicyOptions]] = {
    options.policy_type: options
    for options in (
        ShieldAdvancedOptions,
        WafOptions,
        CommonSecurityGroupOptions,
        ContentAuditOptions,
        UsageAuditOptions,
    )
}
POLICY_TYPES = tuple(OPTIONS_BY_TYPE)

# The resource types FMS accepts per policy type (API reference, Policy.ResourceType).
ALLOWED_RESOURCE_TYPES: dict[str, frozenset[str]] = {
    SHIELD_ADVANCED: frozenset({ALB, CLASSIC_LB, ELASTIC_IP, CLOUDFRONT}),
    WAFV2: frozenset({ALB, API_STAGE, CLOUDFRONT}),
    SECURITY_GROUPS_COMMON: frozenset({EC2_INSTANCE, NETWORK_INTERFACE, ALB, CLASSIC_LB}),
    SECURITY_GROUPS_CONTENT_AUDIT: frozenset({SECURITY_GROUP, NETWORK_INTERFACE, EC2_INSTANCE}),
    SECURITY_GROUPS_USAGE_AUDIT: frozenset({SECURITY_GROUP}),
}
DEFAULT_RESOURCE_TYPES: dict[str, tuple[str, ...]] = {
    SHIELD_ADVANCED: (ALB, ELASTIC_IP, CLOUDFRONT),
    WAFV2: (ALB,),
    SECURITY_GROUPS_COMMON: (EC2_INSTANCE,),
    SECURITY_GROUPS_CONTENT_AUDIT: (SECURITY_GROUP,),
    SECURITY_GROUPS_USAGE_AUDIT: (SECURITY_GROUP,),
}


@dataclass(frozen=True)
class FirewallPolicy:
    """One policy of the spec; FMS gets a copy per region, and one global for CloudFront."""

    name: str
    options: PolicyOptions
    scope: PolicyScope = field(default_factory=PolicyScope)
    resource_types: tuple[str, ...] = ()
    remediation_enabled: bool = True
    delete_all_policy_resources: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", self.name):
            raise ValueError(f"policy name {self.name!r}: 1-100 letters, digits, '_', '.' or '-'")
        allowed = ALLOWED_RESOURCE_TYPES[self.type]
        wrong = sorted(set(self.resource_types) - allowed)
        if wrong:
            raise ValueError(
                f"policy {self.name}: {self.type} cannot cover {', '.join(wrong)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )

    @property
    def type(self) -> str:
        return self.options.policy_type

    @property
    def covered_types(self) -> tuple[str, ...]:
        return self.resource_types or DEFAULT_RESOURCE_TYPES[self.type]

    @property
    def regional_types(self) -> tuple[str, ...]:
        return tuple(kind for kind in self.covered_types if kind != CLOUDFRONT)

    @property
    def covers_cloudfront(self) -> bool:
        return CLOUDFRONT in self.covered_types


def firehose_region(arn: str) -> str:
    return arn.split(":")[3]


def resource_type_arguments(types: Sequence[str]) -> dict[str, Any]:
    """FMS takes one type as `resource_type`; several only as a list (never a list of one)."""
    if len(types) == 1:
        return {"resource_type": types[0]}
    return {"resource_type_lists": sorted(types)}


def shield_advanced_data(options: ShieldAdvancedOptions, *, cloudfront: bool) -> dict[str, Any]:
    """Empty for regional resources, as FMS documents; CloudFront adds automatic response."""
    if not cloudfront:
        return {}
    response: dict[str, str]
    if options.automatic_response in ("BLOCK", "COUNT"):
        response = {
            "automaticResponseStatus": "ENABLED",
            "automaticResponseAction": options.automatic_response,
        }
    else:
        response = {"automaticResponseStatus": options.automatic_response}
    return {"type": SHIELD_ADVANCED, "automaticResponseConfiguration": response}


def _managed_rule_group(name: str) -> dict[str, Any]:
    return {
        "ruleGroupType": "ManagedRuleGroup",
        "managedRuleGroupIdentifier": {"vendorName": "AWS", "managedRuleGroupName": name},
        "overrideAction": {"type": "NONE"},
        "excludeRules": [],
        "sampledRequestsEnabled": True,
    }


def _redacted_fields(headers: Sequence[str]) -> list[dict[str, str]]:
    """FMS's redacted fields: a type of REDACTED_FIELD_TYPES, and a HEADER's name as its value."""
    fields = [{"redactedFieldType": kind} for kind in REDACTED_REQUEST_FIELDS]
    fields.extend(
        {"redactedFieldType": "HEADER", "redactedFieldValue": header} for header in headers
    )
    return fields


def wafv2_data(options: WafOptions, *, log_destination: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": WAFV2,
        "preProcessRuleGroups": [_managed_rule_group(g) for g in options.first_rule_groups],
        "postProcessRuleGroups": [_managed_rule_group(g) for g in options.last_rule_groups],
        "defaultAction": {"type": "ALLOW"},
        "overrideCustomerWebACLAssociation": options.override_customer_web_acl_association,
        "sampledRequestsEnabledForDefaultActions": True,
    }
    if log_destination is not None:
        data["loggingConfiguration"] = {
            "logDestinationConfigs": [log_destination],
            "redactedFields": _redacted_fields(options.redacted_headers),
        }
    return data


def security_groups_common_data(
    options: CommonSecurityGroupOptions, *, security_group_id: str
) -> dict[str, Any]:
    return {
        "type": SECURITY_GROUPS_COMMON,
        "securityGroups": [{"id": security_group_id}],
        "revertManualSecurityGroupChanges": options.revert_manual_changes,
        "exclusiveResourceSecurityGroupManagement": options.exclusive_management,
        "applyToAllEC2InstanceENIs": options.apply_to_all_enis,
    }


def content_audit_data(
    options: ContentAuditOptions, *, audit_security_group_id: str | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": SECURITY_GROUPS_CONTENT_AUDIT,
        "preManagedOptions": [
            {"denyProtocolAllValue": options.deny_all_protocols},
            {"auditSgDirection": {"type": options.direction}},
        ],
    }
    if audit_security_group_id is not None:
        data["securityGroups"] = [{"id": audit_security_group_id}]
        data["securityGroupAction"] = {"type": "ALLOW"}
    return data


def usage_audit_data(options: UsageAuditOptions) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": SECURITY_GROUPS_USAGE_AUDIT,
        "deleteUnusedSecurityGroups": options.delete_unused,
        "coalesceRedundantSecurityGroups": options.coalesce_redundant,
    }
    if options.delete_unused:
        data["optionalDelayForUnusedInMinutes"] = options.unused_delay_minutes
    return data


@dataclass(frozen=True)
class AuditRule:
    """One ingress rule of a content-audit security group."""

    protocol: str
    from_port: int
    to_port: int
    cidr: str

    @property
    def ipv6(self) -> bool:
        return ipaddress.ip_network(self.cidr).version == 6


def _open_ranges(closed_ports: Sequence[int]) -> list[tuple[int, int]]:
    ranges, start = [], 0
    for port in sorted(set(closed_ports)):
        if port > start:
            ranges.append((start, port - 1))
        start = port + 1
    if start <= MAX_PORT:
        ranges.append((start, MAX_PORT))
    return ranges


def audit_rules(options: ContentAuditOptions) -> tuple[AuditRule, ...]:
    """The audit group's rules: what a compliant security group rule may allow."""
    rules = [
        AuditRule(protocol, low, high, anywhere)
        for protocol in options.allowed_protocols
        for low, high in _open_ranges(options.local_only_ports)
        for anywhere in ("0.0.0.0/0", "::/0")
    ]
    rules.extend(
        AuditRule(protocol, port, port, cidr)
        for protocol in options.allowed_protocols
        for port in sorted(set(options.local_only_ports))
        for cidr in options.local_cidrs
    )
    return tuple(rules)


def _require_member(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
