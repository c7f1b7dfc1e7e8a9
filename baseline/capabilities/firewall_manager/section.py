"""The `firewall_manager` section of the spec.

Off by default: Firewall Manager needs an organization and a Shield Advanced subscription.
The program creates each policy in every enabled region, and once more in us-east-1 for
CloudFront when the policy covers it.

Firewall Manager's Shield Advanced policies need a subscription in the administrator (security)
account. `existing` (the default) says it has one; `create` subscribes it, which commits the
organization to a year at 3,000 USD a month (AWS Shield pricing), so it also takes
`acknowledge_one_year_commitment: true`.

firewall_manager:
  enabled: true
  notification_topic: security-alerts
  shield_advanced: {subscription: create, acknowledge_one_year_commitment: true}
  service_linked_role: create   # or existing: the account has AWSServiceRoleForFMS already
  policies:
    - {name: shield, type: SHIELD_ADVANCED, scope: {exclude_ous: [ou-ab12-34cd56ef]}}
    - name: waf
      type: WAFV2
      waf:
        logging_firehose_arns:
          - arn:aws:firehose:eu-west-1:222222222222:deliverystream/aws-waf-logs-org
    - name: ids-agent
      type: SECURITY_GROUPS_COMMON
      security_groups_common: {primary_security_groups: {eu-west-1: sg-0123456789abcdef0}}
    - {name: sg-audit, type: SECURITY_GROUPS_CONTENT_AUDIT, remediation_enabled: false}
    - {name: sg-usage, type: SECURITY_GROUPS_USAGE_AUDIT, remediation_enabled: false}
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from baseline.capabilities.config.recorders import (
    SERVICE_LINKED_ROLE_CHOICES,
    ServiceLinkedRoleChoice,
)
from baseline.capabilities.firewall_manager.component import (
    SHIELD_SUBSCRIPTION_CHOICES,
    ShieldSubscription,
)
from baseline.capabilities.firewall_manager.policies import (
    ALLOWED_RESOURCE_TYPES,
    AUDIT_DIRECTIONS,
    AUDIT_PROTOCOLS,
    AUTOMATIC_RESPONSES,
    MAX_PORT,
    MAX_REDACTED_HEADERS,
    OPTIONS_BY_TYPE,
    POLICY_TYPES,
    SECURITY_GROUPS_COMMON,
    WAF_LOG_STREAM,
    CommonSecurityGroupOptions,
    ContentAuditOptions,
    FirewallPolicy,
    PolicyOptions,
    PolicyScope,
    ShieldAdvancedOptions,
    UsageAuditOptions,
    WafOptions,
    firehose_region,
)
from baseline.capabilities.notifications import section as notifications
from baseline.schema_rules import (
    ErrorCallback,
    aws_region,
    matches,
    nested_error,
    no_duplicates,
    unique,
)

# The spec key of each policy type's options.
OPTION_KEYS: dict[type[Any], str] = {
    ShieldAdvancedOptions: "shield",
    WafOptions: "waf",
    CommonSecurityGroupOptions: "security_groups_common",
    ContentAuditOptions: "security_groups_content_audit",
    UsageAuditOptions: "security_groups_usage_audit",
}
OPTION_KEY_BY_TYPE = {options.policy_type: key for options, key in OPTION_KEYS.items()}


def _default(options: type[Any], name: str) -> Any:
    """The dataclass default, as YAML holds it: one source for both."""
    declared = next(f for f in fields(options) if f.name == name)
    value = declared.default
    return list(value) if isinstance(value, tuple) else value


def _cidr(field: Any, value: Any, error: ErrorCallback) -> None:
    try:
        ipaddress.ip_network(value)
    except ValueError:
        error(field, f"must be a CIDR range (10.0.0.0/8), got {value!r}")


def _one_stream_per_region(field: Any, value: Any, error: ErrorCallback) -> None:
    regions = [firehose_region(arn) for arn in value if WAF_LOG_STREAM.fullmatch(str(arn))]
    for region in sorted({r for r in regions if regions.count(r) > 1}):
        error(field, f"two log streams in {region}: WAF logs to one destination per region")


def _strings(pattern: str, description: str, default: list[str]) -> dict[str, Any]:
    return {
        "type": "list",
        "default": default,
        "schema": {"type": "string", "check_with": matches(pattern, description)},
        "check_with": no_duplicates,
    }


_ACCOUNT_IDS = _strings(r"\d{12}", "a 12-digit account id (quoted)", [])
_OU_IDS = _strings(
    r"ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32}",
    "an OU id (ou-xxxx-xxxxxxxx) or root id",
    [],
)
_RULE_GROUP = r"[A-Za-z0-9_-]{1,128}"
_HEADER = r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}"


def _regional(value_pattern: str, description: str) -> dict[str, Any]:
    return {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "check_with": aws_region},
        "valuesrules": {"type": "string", "check_with": matches(value_pattern, description)},
    }


def _include_or_exclude(field: Any, value: Any, error: ErrorCallback) -> None:
    if (value.get("include_accounts") or value.get("include_ous")) and (
        value.get("exclude_accounts") or value.get("exclude_ous")
    ):
        error(field, "lists inclusions or exclusions, not both: FMS ignores exclusions then")


_SCOPE = {
    "include_accounts": _ACCOUNT_IDS,
    "exclude_accounts": _ACCOUNT_IDS,
    "include_ous": _OU_IDS,
    "exclude_ous": _OU_IDS,
    # A resource must carry every tag (AND) to be included, or excluded.
    "resource_tags": {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "regex": r"(?!aws:)[\w\s.:/=+\-@]{1,128}"},
        "valuesrules": {"type": "string", "regex": r"[\w\s.:/=+\-@]{0,256}"},
    },
    "exclude_resource_tags": {"type": "boolean", "default": False},
}

_OPTIONS: dict[str, dict[str, Any]] = {
    "shield": {
        "automatic_response": {
            "type": "string",
            "allowed": AUTOMATIC_RESPONSES,
            "default": _default(ShieldAdvancedOptions, "automatic_response"),
        },
    },
    "waf": {
        "first_rule_groups": _strings(
            _RULE_GROUP, "a managed rule group name", _default(WafOptions, "first_rule_groups")
        ),
        "last_rule_groups": _strings(
            _RULE_GROUP, "a managed rule group name", _default(WafOptions, "last_rule_groups")
        ),
        "override_customer_web_acl_association": {"type": "boolean", "default": False},
        "logging_firehose_arns": {
            **_strings(WAF_LOG_STREAM.pattern, "a Firehose stream ARN named aws-waf-logs-*", []),
            "check_with": [no_duplicates, _one_stream_per_region],
        },
        # With method, query string and URI, at most 20 redacted fields.
        "redacted_headers": {
            **_strings(_HEADER, "an HTTP header name", _default(WafOptions, "redacted_headers")),
            "maxlength": MAX_REDACTED_HEADERS,
        },
    },
    "security_groups_common": {
        "primary_security_groups": _regional(r"sg-[0-9a-f]{8,17}", "a security group id"),
        "revert_manual_changes": {"type": "boolean", "default": True},
        "exclusive_management": {"type": "boolean", "default": False},
        "apply_to_all_enis": {"type": "boolean", "default": False},
    },
    "security_groups_content_audit": {
        "deny_all_protocols": {"type": "boolean", "default": True},
        "direction": {
            "type": "string",
            "allowed": AUDIT_DIRECTIONS,
            "default": _default(ContentAuditOptions, "direction"),
        },
        "allowed_protocols": {
            "type": "list",
            "minlength": 1,
            "default": _default(ContentAuditOptions, "allowed_protocols"),
            "schema": {"type": "string", "allowed": AUDIT_PROTOCOLS},
            "check_with": no_duplicates,
        },
        "local_only_ports": {
            "type": "list",
            "maxlength": 10,
            "default": _default(ContentAuditOptions, "local_only_ports"),
            "schema": {"type": "integer", "min": 0, "max": MAX_PORT},
        },
        "local_cidrs": {
            "type": "list",
            "minlength": 1,
            "default": _default(ContentAuditOptions, "local_cidrs"),
            "schema": {"type": "string", "check_with": _cidr},
            "check_with": no_duplicates,
        },
        "audit_vpcs": _regional(r"vpc-[0-9a-f]{8,17}", "a VPC id"),
    },
    "security_groups_usage_audit": {
        "delete_unused": {"type": "boolean", "default": False},
        "coalesce_redundant": {"type": "boolean", "default": False},
        "unused_delay_minutes": {
            "type": "integer",
            "min": 0,
            "max": 525600,
            "default": _default(UsageAuditOptions, "unused_delay_minutes"),
        },
    },
}


def _policy_is_consistent(field: Any, value: Any, error: ErrorCallback) -> None:
    kind = value.get("type")
    if kind not in POLICY_TYPES:
        return
    own = OPTION_KEY_BY_TYPE[kind]
    for key in sorted(set(_OPTIONS) & set(value) - {own}):
        error(field, f"{key}: options of another policy type than {kind} (use {own})")
    allowed = ALLOWED_RESOURCE_TYPES[kind]
    resource_types = value.get("resource_types")
    for resource_type in resource_types if isinstance(resource_types, list) else []:
        if isinstance(resource_type, str) and resource_type not in allowed:
            error(field, f"{kind} cannot cover {resource_type} ({', '.join(sorted(allowed))})")
    options = value.get(own)
    groups = options.get("primary_security_groups") if isinstance(options, Mapping) else None
    if kind == SECURITY_GROUPS_COMMON and not groups:
        error(field, f"{own}.primary_security_groups: required, a primary group per region")


_POLICY = {
    "name": {
        "type": "string",
        "required": True,
        "check_with": matches(
            r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", "1 to 100 letters, digits, _ . or -"
        ),
    },
    "type": {"type": "string", "required": True, "allowed": POLICY_TYPES},
    "scope": {
        "type": "dict",
        "default": {},
        "schema": _SCOPE,
        "check_with": _include_or_exclude,
    },
    # Absent: the type's defaults (Shield Advanced: ALBs, Elastic IPs and CloudFront).
    "resource_types": {
        "type": "list",
        "minlength": 1,
        "schema": {
            "type": "string",
            "allowed": sorted(set().union(*ALLOWED_RESOURCE_TYPES.values())),
        },
        "check_with": no_duplicates,
    },
    "remediation_enabled": {"type": "boolean", "default": True},
    # Removing a policy keeps what it created (web ACLs, security groups) unless asked.
    "delete_all_policy_resources": {"type": "boolean", "default": False},
    **{key: {"type": "dict", "schema": rules} for key, rules in _OPTIONS.items()},
}

_SHIELD_ADVANCED = {
    "subscription": {
        "type": "string",
        "allowed": SHIELD_SUBSCRIPTION_CHOICES,
        "default": "existing",
    },
    "acknowledge_one_year_commitment": {"type": "boolean", "default": False},
    # Renewal lapses into no DDoS protection (and no Shield policies) a year later.
    "auto_renew": {"type": "boolean", "default": True},
}

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": False},
    "shield_advanced": {"type": "dict", "default": {}, "schema": _SHIELD_ADVANCED},
    # `existing`: the security account has AWSServiceRoleForFMS already (AWS refuses a second).
    "service_linked_role": {
        "type": "string",
        "allowed": SERVICE_LINKED_ROLE_CHOICES,
        "default": "create",
    },
    # Absent: the first topic of notifications.
    "notification_topic": {
        "type": "string",
        "check_with": matches(r"[a-z][a-z0-9-]{0,63}", "a topic name of the notifications"),
    },
    "policies": {
        "type": "list",
        "default": [],
        "schema": {"type": "dict", "schema": _POLICY, "check_with": _policy_is_consistent},
        "check_with": unique("name", "policies"),
    },
}


def _commitment_acknowledged(field: Any, value: Any, error: ErrorCallback) -> None:
    shield = value.get("shield_advanced") if isinstance(value, Mapping) else None
    if (
        isinstance(shield, Mapping)
        and shield.get("subscription") == "create"
        and shield.get("acknowledge_one_year_commitment") is not True
    ):
        message = (
            "must be true to subscribe: Shield Advanced commits the organization to one year "
            "at 3,000 USD a month plus data transfer (AWS Shield pricing)"
        )
        nested_error(error, (field, "shield_advanced", "acknowledge_one_year_commitment"), message)


# The rules of the `firewall_manager` key itself.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _commitment_acknowledged,
}


@dataclass(frozen=True)
class FirewallManagerSpec:
    enabled: bool
    notification_topic: str
    policies: tuple[FirewallPolicy, ...]
    # None: the administrator account has its Shield Advanced subscription already.
    shield_subscription: ShieldSubscription | None
    service_linked_role: ServiceLinkedRoleChoice


def parse(document: Mapping[str, Any], default_topic: str) -> FirewallManagerSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    shield = document["shield_advanced"]
    return FirewallManagerSpec(
        enabled=document["enabled"],
        notification_topic=document.get("notification_topic", default_topic),
        policies=tuple(_policy(item) for item in document["policies"]),
        shield_subscription=(
            ShieldSubscription(auto_renew=shield["auto_renew"])
            if shield["subscription"] == "create"
            else None
        ),
        service_linked_role=document["service_linked_role"],
    )


def _policy(item: Mapping[str, Any]) -> FirewallPolicy:
    scope = item["scope"]
    return FirewallPolicy(
        name=item["name"],
        options=_options(item),
        scope=PolicyScope(
            include_accounts=tuple(scope["include_accounts"]),
            exclude_accounts=tuple(scope["exclude_accounts"]),
            include_ous=tuple(scope["include_ous"]),
            exclude_ous=tuple(scope["exclude_ous"]),
            resource_tags=dict(scope["resource_tags"]),
            exclude_resource_tags=scope["exclude_resource_tags"],
        ),
        resource_types=tuple(item.get("resource_types") or ()),
        remediation_enabled=item["remediation_enabled"],
        delete_all_policy_resources=item["delete_all_policy_resources"],
    )


def _options(item: Mapping[str, Any]) -> PolicyOptions:
    options = OPTIONS_BY_TYPE[item["type"]]
    given = item.get(OPTION_KEY_BY_TYPE[item["type"]], {})
    converted: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in given.items()
    }
    return options(**converted)


def parse_in_spec(
    document: Mapping[str, Any], spec_document: Mapping[str, Any]
) -> FirewallManagerSpec:
    """The section, its notification topic by default the notifications section's first."""
    return parse(document, notifications.parse(spec_document["notifications"]).default_topic)
