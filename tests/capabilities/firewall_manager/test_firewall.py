"""FirewallManager under the offline mocks; managedServiceData against FMS's documented shapes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import botocore.session
import cerberus
import pulumi
import pytest

from baseline.capabilities.firewall_manager import policies as fp
from baseline.capabilities.firewall_manager import section
from baseline.capabilities.firewall_manager.component import (
    NOTIFICATION_CHANNEL_TEMPLATE,
    FirewallManager,
    FirewallManagerArgs,
)
from baseline.preview.model import Plan
from baseline.preview.runner import run_inline
from tests.cfn_lint import lint
from tests.components_harness import of_type
from tests.organization_harness import MANAGEMENT, SECURITY, account_provider, provider_ref

REGIONS = ("eu-west-1", "us-east-1")
FIREHOSE = {
    region: f"arn:aws:firehose:{region}:{SECURITY}:deliverystream/aws-waf-logs-{region}"
    for region in REGIONS
}
TOPIC = f"arn:aws:sns:eu-west-1:{SECURITY}:fms-notifications"
FMS_ROLE = "aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"

POLICIES = (
    fp.FirewallPolicy(
        "shield",
        fp.ShieldAdvancedOptions(),
        scope=fp.PolicyScope(exclude_ous=("ou-ab12-34cd56ef",)),
    ),
    fp.FirewallPolicy(
        "waf",
        fp.WafOptions(
            logging_firehose_arns=(FIREHOSE["eu-west-1"],), redacted_headers=("authorization",)
        ),
        scope=fp.PolicyScope(resource_tags={"env": "prod", "public": "true"}),
        remediation_enabled=False,
    ),
    fp.FirewallPolicy(
        "ids-agent",
        fp.CommonSecurityGroupOptions(
            primary_security_groups={"eu-west-1": "sg-0123456789abcdef0"}
        ),
        scope=fp.PolicyScope(include_accounts=("444444444444",), include_ous=("ou-ab12-11111111",)),
    ),
    fp.FirewallPolicy(
        "sg-audit", fp.ContentAuditOptions(audit_vpcs={"eu-west-1": "vpc-0123456789abcdef0"})
    ),
    fp.FirewallPolicy("sg-usage", fp.UsageAuditOptions(), delete_all_policy_resources=True),
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    def program() -> None:
        management = account_provider("management", MANAGEMENT)
        FirewallManager(
            "fms",
            FirewallManagerArgs(
                security_account_id=SECURITY,
                management_provider=management,
                regions=REGIONS,
                policies=POLICIES,
                notification_topic_arns={"eu-west-1": TOPIC},
            ),
            opts=pulumi.ResourceOptions(provider=account_provider("security", SECURITY)),
        )

    return run_inline(program)


def _policy(plan: Plan, key: str) -> dict[str, Any]:
    return next(r.inputs for r in of_type(plan, "aws:fms/policy:Policy") if r.name == f"fms-{key}")


def _data(plan: Plan, key: str) -> dict[str, Any] | None:
    raw = _policy(plan, key)["securityServicePolicyData"].get("managedServiceData")
    return json.loads(raw) if raw else None


def test_the_management_account_makes_the_security_account_fms_administrator(plan: Plan) -> None:
    (admin,) = of_type(plan, "aws:fms/adminAccount:AdminAccount")
    assert admin.inputs == {"accountId": SECURITY}
    assert admin.provider == provider_ref(plan, "management")


def test_policies_belong_to_the_administrator_and_wait_for_its_designation(plan: Plan) -> None:
    (admin,) = of_type(plan, "aws:fms/adminAccount:AdminAccount")
    for policy in of_type(plan, "aws:fms/policy:Policy"):
        assert policy.provider == provider_ref(plan, "security")
        assert admin.urn in policy.dependencies


def test_one_policy_per_region_plus_global_cloudfront_policies(plan: Plan) -> None:
    keys = {r.name.removeprefix("fms-") for r in of_type(plan, "aws:fms/policy:Policy")}
    assert keys == {
        "shield-eu-west-1",
        "shield-us-east-1",
        "shield-cloudfront",
        "waf-eu-west-1",
        "waf-us-east-1",
        "ids-agent-eu-west-1",
        "sg-audit-eu-west-1",
        "sg-audit-us-east-1",
        "sg-usage-eu-west-1",
        "sg-usage-us-east-1",
    }
    for region in REGIONS:
        assert _policy(plan, f"shield-{region}")["region"] == region
        assert _policy(plan, f"shield-{region}")["name"] == "shield"
    assert _policy(plan, "shield-cloudfront")["region"] == "us-east-1"
    assert _policy(plan, "shield-cloudfront")["name"] == "shield-cloudfront"


def test_shield_advanced_covers_albs_and_eips_per_region_and_cloudfront_globally(
    plan: Plan,
) -> None:
    regional = _policy(plan, "shield-eu-west-1")
    assert regional["securityServicePolicyData"]["type"] == "SHIELD_ADVANCED"
    assert regional["resourceTypeLists"] == [
        "AWS::EC2::EIP",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    ]
    assert "resourceType" not in regional
    assert _data(plan, "shield-eu-west-1") is None  # documented: empty for regional resources
    cloudfront = _policy(plan, "shield-cloudfront")
    assert cloudfront["resourceType"] == "AWS::CloudFront::Distribution"
    assert _data(plan, "shield-cloudfront") == {
        "type": "SHIELD_ADVANCED",
        "automaticResponseConfiguration": {
            "automaticResponseStatus": "ENABLED",
            "automaticResponseAction": "COUNT",
        },
    }


def test_scope_remediation_and_removal_settings(plan: Plan) -> None:
    shield = _policy(plan, "shield-eu-west-1")
    assert shield["excludeMap"] == {"orgunits": ["ou-ab12-34cd56ef"]}
    assert "includeMap" not in shield
    assert (shield["remediationEnabled"], shield["deleteAllPolicyResources"]) == (True, False)
    assert shield["excludeResourceTags"] is False
    waf = _policy(plan, "waf-eu-west-1")
    assert waf["resourceTags"] == {"env": "prod", "public": "true"}
    assert waf["resourceTagLogicalOperator"] == "AND"
    assert waf["remediationEnabled"] is False
    common = _policy(plan, "ids-agent-eu-west-1")
    assert common["includeMap"] == {"accounts": ["444444444444"], "orgunits": ["ou-ab12-11111111"]}
    assert _policy(plan, "sg-usage-us-east-1")["deleteAllPolicyResources"] is True


def test_waf_runs_the_managed_rule_groups_first_and_last_and_logs_redacted(plan: Plan) -> None:
    data = _data(plan, "waf-eu-west-1")
    assert data is not None
    first = [g["managedRuleGroupIdentifier"] for g in data["preProcessRuleGroups"]]
    last = [g["managedRuleGroupIdentifier"] for g in data["postProcessRuleGroups"]]
    assert first == [{"vendorName": "AWS", "managedRuleGroupName": "AWSManagedRulesCommonRuleSet"}]
    assert last == [
        {"vendorName": "AWS", "managedRuleGroupName": "AWSManagedRulesAmazonIpReputationList"}
    ]
    assert all(g["ruleGroupType"] == "ManagedRuleGroup" for g in data["preProcessRuleGroups"])
    assert data["defaultAction"] == {"type": "ALLOW"}
    assert data["overrideCustomerWebACLAssociation"] is False
    assert data["loggingConfiguration"] == {
        "logDestinationConfigs": [FIREHOSE["eu-west-1"]],
        "redactedFields": [
            {"redactedFieldType": "METHOD"},
            {"redactedFieldType": "QUERY_STRING"},
            {"redactedFieldType": "URI"},
            {"redactedFieldType": "HEADER", "redactedFieldValue": "authorization"},
        ],
    }
    assert (
        _policy(plan, "waf-eu-west-1")["resourceType"]
        == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    )


def test_waf_logs_only_where_a_stream_of_that_region_exists(plan: Plan) -> None:
    data = _data(plan, "waf-us-east-1")
    assert data is not None and "loggingConfiguration" not in data


def test_common_security_group_is_replicated_where_it_exists(plan: Plan) -> None:
    assert _data(plan, "ids-agent-eu-west-1") == {
        "type": "SECURITY_GROUPS_COMMON",
        "securityGroups": [{"id": "sg-0123456789abcdef0"}],
        "revertManualSecurityGroupChanges": True,
        "exclusiveResourceSecurityGroupManagement": False,
        "applyToAllEC2InstanceENIs": False,
    }
    assert _policy(plan, "ids-agent-eu-west-1")["resourceType"] == "AWS::EC2::Instance"


def test_content_audit_uses_managed_rules_and_the_audit_group(plan: Plan) -> None:
    (group,) = of_type(plan, "aws:ec2/securityGroup:SecurityGroup")
    assert (group.inputs["vpcId"], group.inputs["region"]) == ("vpc-0123456789abcdef0", "eu-west-1")
    with_group = _data(plan, "sg-audit-eu-west-1")
    assert with_group == {
        "type": "SECURITY_GROUPS_CONTENT_AUDIT",
        "preManagedOptions": [
            {"denyProtocolAllValue": True},
            {"auditSgDirection": {"type": "INBOUND"}},
        ],
        "securityGroups": [{"id": group.id}],
        "securityGroupAction": {"type": "ALLOW"},
    }
    without_vpc = _data(plan, "sg-audit-us-east-1")
    assert without_vpc is not None and "securityGroups" not in without_vpc


def test_the_audit_group_allows_tcp_but_admin_ports_only_from_local_ranges(plan: Plan) -> None:
    rules = {
        (
            r.inputs["ipProtocol"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            r.inputs.get("cidrIpv4") or r.inputs["cidrIpv6"],
        )
        for r in of_type(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    }
    assert rules == {
        ("tcp", 0.0, 21.0, "0.0.0.0/0"),
        ("tcp", 0.0, 21.0, "::/0"),
        ("tcp", 23.0, 3388.0, "0.0.0.0/0"),
        ("tcp", 23.0, 3388.0, "::/0"),
        ("tcp", 3390.0, 65535.0, "0.0.0.0/0"),
        ("tcp", 3390.0, 65535.0, "::/0"),
        *(
            ("tcp", port, port, cidr)
            for port in (22.0, 3389.0)
            for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
        ),
    }


def test_usage_audit_reports_without_deleting_by_default(plan: Plan) -> None:
    assert _data(plan, "sg-usage-eu-west-1") == {
        "type": "SECURITY_GROUPS_USAGE_AUDIT",
        "deleteUnusedSecurityGroups": False,
        "coalesceRedundantSecurityGroups": False,
    }
    assert _policy(plan, "sg-usage-eu-west-1")["resourceType"] == "AWS::EC2::SecurityGroup"


def test_usage_audit_may_delete_after_a_delay() -> None:
    data = fp.usage_audit_data(fp.UsageAuditOptions(delete_unused=True, unused_delay_minutes=120))
    assert data["deleteUnusedSecurityGroups"] is True
    assert data["optionalDelayForUnusedInMinutes"] == 120


def test_the_notification_channel_is_a_stack_of_the_shipped_template(plan: Plan) -> None:
    (stack,) = of_type(plan, "aws:cloudformation/stack:Stack")
    assert stack.provider == provider_ref(plan, "security")
    assert stack.inputs["region"] == "eu-west-1"
    assert stack.inputs["templateBody"] == NOTIFICATION_CHANNEL_TEMPLATE.read_text()
    assert stack.inputs["parameters"] == {
        "SnsTopicArn": TOPIC,
        "SnsRoleName": f"arn:aws:iam::{SECURITY}:role/{FMS_ROLE}",
    }


def test_the_notification_channel_template_passes_cfn_lint() -> None:
    template = NOTIFICATION_CHANNEL_TEMPLATE.read_text()
    assert lint(template, regions=list(REGIONS)) == []
    broken = template.replace("      SnsRoleName: !Ref SnsRoleName\n", "")
    assert any(match.rule.id.startswith("E") for match in lint(broken))


# ManagedServiceData examples of the FMS API reference, as botocore ships its documentation.
def _documented_examples() -> dict[str, list[Any]]:
    model = botocore.session.get_session().get_service_model("fms")
    doc = html.unescape(
        model.shape_for("SecurityServicePolicyData").members["ManagedServiceData"].documentation
    )
    examples: dict[str, list[Any]] = {}
    for match in re.finditer(r'"(\{\s*\\"[^<]*?\})"', doc):
        try:
            example = json.loads(match.group(1).replace('\\"', '"').replace("\\/", "/"))
        except json.JSONDecodeError:
            continue  # a few examples hold placeholders such as true|false
        examples.setdefault(example["type"], []).append(example)
    return examples


# The logging example of earlier editions of the same reference (the current one only shows an
# empty redactedFields list): its keys; the values of its types are no longer the documented ones.
WAF_REDACTED_FIELDS_EXAMPLE = json.loads(
    '{"type":"WAFV2","loggingConfiguration":{"logDestinationConfigs":["arn:aws:firehose:us-west-2:'
    '12345678912:deliverystream/aws-waf-logs-fms-admin-destination"],"redactedFields":'
    '[{"redactedFieldType":"SingleHeader","redactedFieldValue":"Cookies"},{"redactedFieldType":"Method"}]}}'
)


def _documented_redacted_field_types() -> set[str]:
    """The types the reference lists: "The RedactedFieldType must be one of URI, ... or METHOD"."""
    model = botocore.session.get_session().get_service_model("fms")
    doc = model.shape_for("SecurityServicePolicyData").members["ManagedServiceData"].documentation
    (sentence,) = re.findall(r"<code>RedactedFieldType</code> must be one of (.*?)\.</p>", doc)
    return set(re.findall(r"<code>([A-Z_]+)</code>", sentence))


def test_waf_redacts_only_field_types_the_fms_reference_lists() -> None:
    documented = _documented_redacted_field_types()
    assert documented == set(fp.REDACTED_FIELD_TYPES) == {"URI", "QUERY_STRING", "HEADER", "METHOD"}
    options = fp.WafOptions(
        logging_firehose_arns=(FIREHOSE["eu-west-1"],), redacted_headers=("authorization", "x-k")
    )
    fields = fp.wafv2_data(options, log_destination=FIREHOSE["eu-west-1"])["loggingConfiguration"][
        "redactedFields"
    ]
    assert {field["redactedFieldType"] for field in fields} <= documented
    # A header names itself; the other types take no value.
    assert [f.get("redactedFieldValue") for f in fields] == [
        None,
        None,
        None,
        "authorization",
        "x-k",
    ]
    assert all((f["redactedFieldType"] == "HEADER") == ("redactedFieldValue" in f) for f in fields)


def test_waf_takes_at_most_twenty_redacted_fields() -> None:
    headers = tuple(f"x-header-{index}" for index in range(fp.MAX_REDACTED_HEADERS))
    fp.WafOptions(redacted_headers=headers)
    with pytest.raises(ValueError, match="at most 17 redacted headers"):
        fp.WafOptions(redacted_headers=(*headers, "one-more"))
    validator = _validate(
        {
            "firewall_manager": {
                "policies": [
                    {"name": "w", "type": "WAFV2", "waf": {"redacted_headers": [*headers, "x"]}}
                ]
            }
        }
    )
    assert "max length is 17" in json.dumps(validator.errors)


def undocumented(value: Any, documented: list[Any], path: str = "$") -> list[str]:
    """Paths of `value` absent from every documented example, or of another JSON type there."""
    known = [d for d in documented if d is not None]
    if not known:
        return []
    if isinstance(value, dict):
        objects = [d for d in known if isinstance(d, dict)]
        if not objects:
            return [f"{path}: an object, not in the examples"]
        problems = []
        for key, item in value.items():
            seen = [o[key] for o in objects if key in o]
            problems += undocumented(item, seen, f"{path}.{key}") if seen else [f"{path}.{key}"]
        return problems
    if isinstance(value, list):
        elements = [e for d in known if isinstance(d, list) for e in d]
        if not elements and value:
            return [f"{path}: documented only as an empty list"]
        return [
            p
            for index, item in enumerate(value)
            for p in undocumented(item, elements, f"{path}[{index}]")
        ]
    same_type = [
        d
        for d in known
        if type(d) is type(value)
        or (
            isinstance(d, float | int)
            and isinstance(value, float | int)
            and not isinstance(value, bool)
        )
    ]
    return [] if same_type else [f"{path}: {type(value).__name__} unlike the examples"]


BUILT_DATA = {
    "WAFV2": fp.wafv2_data(
        fp.WafOptions(logging_firehose_arns=(FIREHOSE["eu-west-1"],)),
        log_destination=FIREHOSE["eu-west-1"],
    ),
    "SHIELD_ADVANCED": fp.shield_advanced_data(fp.ShieldAdvancedOptions(), cloudfront=True),
    "SECURITY_GROUPS_COMMON": fp.security_groups_common_data(
        fp.CommonSecurityGroupOptions(
            primary_security_groups={"eu-west-1": "sg-0123456789abcdef0"}
        ),
        security_group_id="sg-0123456789abcdef0",
    ),
    "SECURITY_GROUPS_CONTENT_AUDIT": fp.content_audit_data(
        fp.ContentAuditOptions(), audit_security_group_id="sg-0123456789abcdef0"
    ),
    "SECURITY_GROUPS_USAGE_AUDIT": fp.usage_audit_data(
        fp.UsageAuditOptions(delete_unused=True, coalesce_redundant=True)
    ),
}


@pytest.mark.parametrize("policy_type", sorted(BUILT_DATA))
def test_managed_service_data_has_only_documented_keys_and_types(policy_type: str) -> None:
    examples = _documented_examples()[policy_type]
    if policy_type == "WAFV2":
        # First and last rule groups share one structure; the examples only fill the first.
        examples += [{"postProcessRuleGroups": e["preProcessRuleGroups"]} for e in examples]
        examples.append(WAF_REDACTED_FIELDS_EXAMPLE)
    data = BUILT_DATA[policy_type]
    assert data["type"] == policy_type
    assert undocumented(data, examples) == []


def test_the_shape_check_catches_undocumented_keys_and_types() -> None:
    examples = _documented_examples()["SECURITY_GROUPS_USAGE_AUDIT"]
    assert undocumented(
        {"type": "SECURITY_GROUPS_USAGE_AUDIT", "deleteUnused": True}, examples
    ) == ["$.deleteUnused"]
    wrong_type = {"type": "SECURITY_GROUPS_USAGE_AUDIT", "deleteUnusedSecurityGroups": "yes"}
    assert undocumented(wrong_type, examples) == [
        "$.deleteUnusedSecurityGroups: str unlike the examples"
    ]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: fp.PolicyScope(
                include_accounts=("444444444444",), exclude_ous=("ou-ab12-34cd56ef",)
            ),
            "not both",
        ),
        (
            lambda: fp.WafOptions(
                logging_firehose_arns=("arn:aws:firehose:eu-west-1:1:deliverystream/waf",)
            ),
            "aws-waf-logs-",
        ),
        (
            lambda: fp.WafOptions(first_rule_groups=(), last_rule_groups=()),
            "at least one rule group",
        ),
        (fp.CommonSecurityGroupOptions, "primary group"),
        (lambda: fp.ContentAuditOptions(allowed_protocols=("icmp",)), "allowed_protocols"),
        (
            lambda: fp.FirewallPolicy("usage", fp.UsageAuditOptions(), resource_types=(fp.ALB,)),
            "cannot cover",
        ),
        (lambda: fp.FirewallPolicy("bad name!", fp.UsageAuditOptions()), "policy name"),
    ],
)
def test_options_refuse_what_fms_would_refuse(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_args_refuse_regions_the_program_does_not_manage() -> None:
    policy = fp.FirewallPolicy(
        "ids",
        fp.CommonSecurityGroupOptions(
            primary_security_groups={"sa-east-1": "sg-0123456789abcdef0"}
        ),
    )
    with pytest.raises(ValueError, match="sa-east-1"):
        FirewallManagerArgs(
            security_account_id=SECURITY,
            management_provider=None,  # type: ignore[arg-type]  # refused before any use
            regions=REGIONS,
            policies=(policy,),
        )


def test_template_file_is_shipped_with_the_package() -> None:
    assert NOTIFICATION_CHANNEL_TEMPLATE.parent == Path(fp.__file__).parent / "cloudformation"
    assert NOTIFICATION_CHANNEL_TEMPLATE.suffix == ".yaml"


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    validator = cerberus.Validator({"firewall_manager": section.SECTION})
    validator.validate(document)
    return validator


SPEC = {
    "firewall_manager": {
        "enabled": True,
        "policies": [
            {
                "name": "shield",
                "type": "SHIELD_ADVANCED",
                "scope": {"exclude_ous": ["ou-ab12-34cd56ef"]},
            },
            {
                "name": "waf",
                "type": "WAFV2",
                "scope": {"resource_tags": {"env": "prod"}, "exclude_resource_tags": True},
                "waf": {
                    "logging_firehose_arns": [FIREHOSE["eu-west-1"]],
                    "redacted_headers": ["x-api-key"],
                },
            },
            {
                "name": "ids-agent",
                "type": "SECURITY_GROUPS_COMMON",
                "security_groups_common": {
                    "primary_security_groups": {"eu-west-1": "sg-0123456789abcdef0"}
                },
            },
            {
                "name": "sg-audit",
                "type": "SECURITY_GROUPS_CONTENT_AUDIT",
                "remediation_enabled": False,
                "security_groups_content_audit": {"local_only_ports": [22, 3389]},
            },
            {
                "name": "sg-usage",
                "type": "SECURITY_GROUPS_USAGE_AUDIT",
                "delete_all_policy_resources": True,
            },
        ],
    }
}


def test_section_is_off_by_default_with_no_policies() -> None:
    validator = _validate({})
    assert validator.errors == {}
    spec = section.parse(validator.document["firewall_manager"], "security-alerts")
    assert (spec.enabled, spec.notification_topic, spec.policies) == (False, "security-alerts", ())


def test_section_parses_every_policy_type_into_component_policies() -> None:
    validator = _validate(SPEC)
    assert validator.errors == {}
    spec = section.parse(validator.document["firewall_manager"], "security-alerts")
    shield, waf, common, audit, usage = spec.policies
    assert shield.options == fp.ShieldAdvancedOptions()
    assert shield.scope.exclude_ous == ("ou-ab12-34cd56ef",)
    assert shield.covered_types == fp.DEFAULT_RESOURCE_TYPES["SHIELD_ADVANCED"]
    assert (shield.remediation_enabled, shield.delete_all_policy_resources) == (True, False)
    assert waf.options == fp.WafOptions(
        logging_firehose_arns=(FIREHOSE["eu-west-1"],), redacted_headers=("x-api-key",)
    )
    assert (waf.scope.resource_tags, waf.scope.exclude_resource_tags) == ({"env": "prod"}, True)
    assert common.options == fp.CommonSecurityGroupOptions(
        primary_security_groups={"eu-west-1": "sg-0123456789abcdef0"}
    )
    assert audit.options == fp.ContentAuditOptions(local_only_ports=(22, 3389))
    assert audit.remediation_enabled is False
    assert (usage.options, usage.delete_all_policy_resources) == (fp.UsageAuditOptions(), True)
    FirewallManagerArgs(
        security_account_id=SECURITY,
        management_provider=None,  # type: ignore[arg-type]  # only the arguments are checked here
        regions=REGIONS,
        policies=spec.policies,
    )


@pytest.mark.parametrize("key", sorted(section.OPTION_KEY_BY_TYPE.items()))
def test_section_defaults_of_an_empty_options_block_are_the_component_defaults(
    key: tuple[str, str],
) -> None:
    policy_type, options_key = key
    given: dict[str, Any] = (
        {"primary_security_groups": {"eu-west-1": "sg-0123456789abcdef0"}}
        if policy_type == "SECURITY_GROUPS_COMMON"
        else {}
    )
    with_block = _validate(
        {"firewall_manager": {"policies": [{"name": "p", "type": policy_type, options_key: given}]}}
    )
    assert with_block.errors == {}
    parsed = (
        section.parse(with_block.document["firewall_manager"], "security-alerts")
        .policies[0]
        .options
    )
    assert parsed == fp.OPTIONS_BY_TYPE[policy_type](**given)


@pytest.mark.parametrize(
    ("policy", "problem"),
    [
        ({"name": "p", "type": "NETWORK_FIREWALL"}, "unallowed value"),
        ({"name": "p", "type": "WAFV2", "shield": {}}, "options of another policy type"),
        (
            {"name": "p", "type": "WAFV2", "resource_types": ["AWS::EC2::EIP"]},
            "cannot cover AWS::EC2::EIP",
        ),
        ({"name": "p", "type": "SECURITY_GROUPS_COMMON"}, "primary_security_groups: required"),
        (
            {
                "name": "p",
                "type": "WAFV2",
                "scope": {
                    "include_accounts": ["444444444444"],
                    "exclude_ous": ["ou-ab12-34cd56ef"],
                },
            },
            "not both",
        ),
        (
            {
                "name": "p",
                "type": "WAFV2",
                "waf": {
                    "logging_firehose_arns": [
                        "arn:aws:firehose:eu-west-1:222222222222:deliverystream/logs"
                    ]
                },
            },
            "aws-waf-logs-",
        ),
        (
            {
                "name": "p",
                "type": "WAFV2",
                "waf": {
                    "logging_firehose_arns": [FIREHOSE["eu-west-1"], FIREHOSE["eu-west-1"] + "-2"]
                },
            },
            "two log streams in eu-west-1",
        ),
        (
            {
                "name": "p",
                "type": "SECURITY_GROUPS_COMMON",
                "security_groups_common": {"primary_security_groups": {"eu-west-1": "group-1"}},
            },
            "security group id",
        ),
        (
            {
                "name": "p",
                "type": "SECURITY_GROUPS_COMMON",
                "security_groups_common": {
                    "primary_security_groups": {"eu-westish-1": "sg-0123456789abcdef0"}
                },
            },
            "unknown AWS region",
        ),
        (
            {
                "name": "p",
                "type": "SECURITY_GROUPS_CONTENT_AUDIT",
                "security_groups_content_audit": {"local_cidrs": ["10.0.0.0/33"]},
            },
            "CIDR",
        ),
        (
            {
                "name": "p",
                "type": "SECURITY_GROUPS_CONTENT_AUDIT",
                "security_groups_content_audit": {"local_only_ports": [70000]},
            },
            "max value",
        ),
        ({"name": "p", "type": "SECURITY_GROUPS_USAGE_AUDIT", "cleanup": True}, "unknown field"),
        ({"name": "bad name", "type": "SECURITY_GROUPS_USAGE_AUDIT"}, "letters, digits"),
        (
            {"name": "p", "type": "SHIELD_ADVANCED", "scope": {"include_accounts": [123456789012]}},
            "must be of string type",
        ),
    ],
)
def test_section_rejects_what_fms_would_refuse(policy: dict[str, Any], problem: str) -> None:
    validator = _validate({"firewall_manager": {"policies": [policy]}})
    assert problem in json.dumps(validator.errors)


def test_section_rejects_two_policies_of_one_name() -> None:
    policy = {"name": "p", "type": "SECURITY_GROUPS_USAGE_AUDIT"}
    validator = _validate({"firewall_manager": {"policies": [policy, policy]}})
    assert "two policies have the name 'p'" in json.dumps(validator.errors)
