"""The account guardrails StackSet template: cfn-lint clean, its structure, its IAM policies.

cfn-lint ships CloudFormation's resource schemas and AWS's rules; parliament knows every IAM
action. Policies are linted with their intrinsic functions resolved as in the home region with
every setting on, where the template grants the most.
"""

import copy
import functools
import json
import re
from typing import Any

import pytest
from cfnlint.decode import decode_str

from baseline.capabilities.guardrails.component import (
    EBS_KMS_KEY_ID,
    HANDLER_PATH,
    OWN_RECORDER_PARAMETERS,
    TAMPER_PATTERN_PLACEHOLDER,
    TEMPLATE_PATH,
    AccountGuardrailsArgs,
    _with_tamper_rules,
    render_template,
    template_parameters,
)
from baseline.capabilities.guardrails.functions.account_settings import handler
from components import event_patterns
from tests.cfn_lint import lint
from tests.policy_documents import lint as lint_policy

LINT_REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1"]
ACCOUNT = "111122223333"
SECURITY_ACCOUNT = "222222222222"
REGION = "eu-west-1"
HOME_REGION = "us-east-1"
SECURITY_BUS_ARN = f"arn:aws:events:{HOME_REGION}:{SECURITY_ACCOUNT}:event-bus/default"
FORWARD_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/StackSet-guardrails-TamperForwardRole-1A2B"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:StackSet-guardrails-LogGroup-1A2B:*"
# Removed from lists, as CloudFormation removes AWS::NoValue.
NO_VALUE = object()


@functools.cache
def decoded_template() -> dict[str, Any]:
    decoded, problems = decode_str(render_template())
    assert not problems
    return dict(decoded)


def template() -> dict[str, Any]:
    return copy.deepcopy(decoded_template())


def resources_of_type(type_name: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in template()["Resources"].items()
        if resource["Type"] == type_name
    }


def references() -> dict[str, Any]:
    """What `Ref` resolves to: the parameters' defaults, and what they have no default for."""
    values = {name: p.get("Default") for name, p in template()["Parameters"].items()}
    values.update(
        {
            "HomeRegion": REGION,
            "ConfigDeliveryBucketName": "log-archive-111122223333",
            "EbsDefaultKmsKeyId": "alias/ebs-default",
            "SecurityAccountId": SECURITY_ACCOUNT,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::Region": REGION,
            "AWS::NoValue": NO_VALUE,
        }
    )
    return values


REMEDIATION_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/StackSet-guardrails-DefaultSecurit-1A2B"
GET_ATT = {
    ("DefaultSecurityGroupRemediationRole", "Arn"): REMEDIATION_ROLE_ARN,
    ("AccountSettingsLogGroup", "Arn"): LOG_GROUP_ARN,
    ("TamperForwardRole", "Arn"): FORWARD_ROLE_ARN,
}


def resolve(value: Any) -> Any:
    """Intrinsic functions resolved for the home region with every condition true.

    Fn::Sub is resolved with HomeRegion set apart: the home region's bus is in another region
    than this stack's, as for most stack instances.
    """
    if isinstance(value, list):
        items = [resolve(item) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Ref"]:
        return references()[value["Ref"]]
    if list(value) == ["Fn::If"]:
        return resolve(value["Fn::If"][1])
    if list(value) == ["Fn::GetAtt"]:
        return GET_ATT[tuple(value["Fn::GetAtt"])]
    if list(value) == ["Fn::Sub"]:
        names = {**references(), "HomeRegion": HOME_REGION}
        return re.sub(r"\$\{([\w:]+)\}", lambda m: names[m.group(1)], value["Fn::Sub"])
    return {key: resolve(item) for key, item in value.items()}


def lint_findings(text: str, regions: list[str]) -> list[str]:
    matches = lint(text, regions)
    return [f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches]


def test_the_deployed_template_lints_clean_in_every_partition() -> None:
    assert lint_findings(render_template(), LINT_REGIONS) == []


def test_the_shipped_file_lints_clean_before_the_handler_is_embedded() -> None:
    assert lint_findings(TEMPLATE_PATH.read_text(encoding="utf-8"), [REGION]) == []


def test_a_broken_template_does_not_lint_clean() -> None:
    # The check above can fail: a misspelt property is reported.
    broken = render_template().replace("RecordingFrequency: CONTINUOUS", "RecordFrequency: ALL")

    findings = lint_findings(broken, [REGION])
    # Not allowed (E3002), and the property it should have been missing (E3003).
    assert {finding.split()[0] for finding in findings} == {"E3002", "E3003"}
    assert any("RecordFrequency" in finding for finding in findings)


def test_the_function_runs_the_handler_file_inline() -> None:
    [function] = resources_of_type("AWS::Lambda::Function").values()
    properties = function["Properties"]

    assert properties["Runtime"] == "python3.12"
    # CloudFormation writes inline code to index.py.
    assert properties["Handler"] == "index.handler"
    assert properties["Code"]["ZipFile"] == HANDLER_PATH.read_text(encoding="utf-8")
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": "AccountSettingsLogGroup"}}


def test_the_custom_resource_passes_the_handlers_properties() -> None:
    [settings] = resources_of_type("Custom::AccountSettings").values()
    properties = settings["Properties"]

    assert properties["ServiceToken"] == {"Fn::GetAtt": ["AccountSettingsFunction", "Arn"]}
    # Account-wide settings come from the home region's stack only.
    assert properties["BlockS3PublicAccess"] == {
        "Fn::If": ["ApplyS3BlockPublicAccess", "true", "false"]
    }
    assert properties["SetPasswordPolicy"] == {"Fn::If": ["ApplyPasswordPolicy", "true", "false"]}
    given = {k: v for k, v in properties.items() if k not in ("ServiceToken", "ServiceTimeout")}
    resolved = {key: str(value) for key, value in resolve(given).items()}
    parsed = handler.parse_settings(resolved)
    assert parsed.block_s3_public_access and parsed.ebs_encryption_by_default
    assert parsed.ebs_default_kms_key_id == "alias/ebs-default"
    assert parsed.password_policy == handler.PasswordPolicy(14, 90, 24)
    conditions = template()["Conditions"]
    assert conditions["IsHomeRegion"] == {
        "Fn::Equals": [{"Ref": "AWS::Region"}, {"Ref": "HomeRegion"}]
    }
    for condition in ("ApplyS3BlockPublicAccess", "ApplyPasswordPolicy"):
        assert {"Condition": "IsHomeRegion"} in conditions[condition]["Fn::And"]


def test_access_analyzer_is_an_account_analyzer_behind_its_parameter() -> None:
    [analyzer] = resources_of_type("AWS::AccessAnalyzer::Analyzer").values()

    assert analyzer["Properties"]["Type"] == "ACCOUNT"
    assert analyzer["Condition"] == "CreateAccessAnalyzer"
    assert template()["Conditions"]["CreateAccessAnalyzer"] == {
        "Fn::Equals": [{"Ref": "EnableAccessAnalyzer"}, "true"]
    }


def test_the_config_recorder_is_optional_and_records_global_types_in_the_home_region() -> None:
    [recorder] = resources_of_type("AWS::Config::ConfigurationRecorder").values()
    [channel] = resources_of_type("AWS::Config::DeliveryChannel").values()
    parameters = template()["Parameters"]

    assert parameters["EnableConfigRecorder"]["Default"] == "false"
    assert recorder["Condition"] == channel["Condition"] == "CreateConfigRecorder"
    assert recorder["Properties"]["RecordingGroup"] == {
        "AllSupported": True,
        "IncludeGlobalResourceTypes": {"Fn::If": ["IsHomeRegion", True, False]},
    }
    assert channel["DependsOn"] == "ConfigRecorder"
    assert channel["Properties"]["S3BucketName"] == {"Ref": "ConfigDeliveryBucketName"}
    assert channel["Properties"]["S3KeyPrefix"]["Fn::If"][1] == {"Ref": "ConfigDeliveryKeyPrefix"}
    assert channel["Properties"]["S3KmsKeyArn"]["Fn::If"][1] == {"Ref": "ConfigDeliveryKmsKeyArn"}
    rule = template()["Rules"]["ConfigRecorderNeedsDeliveryBucket"]
    assert rule["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ConfigDeliveryBucketName"}, ""]}]
    }


def test_parameters_enforce_the_cis_password_floor_and_the_components_key_formats() -> None:
    parameters = template()["Parameters"]

    assert parameters["MinimumPasswordLength"]["MinValue"] == 14
    assert parameters["PasswordReusePrevention"]["Default"] == 24
    assert parameters["MaxPasswordAgeDays"]["Default"] == 90
    assert parameters["EbsDefaultKmsKeyId"]["AllowedPattern"] == f"({EBS_KMS_KEY_ID.pattern})?"


def test_the_component_sets_exactly_the_templates_parameters() -> None:
    args = AccountGuardrailsArgs(
        organizational_unit_ids=("ou-ab12-cdefgh34",), regions=(REGION,), home_region=REGION
    )

    assert set(template_parameters(args)) == set(template()["Parameters"])


def test_roles_have_generated_names_so_capability_iam_suffices() -> None:
    roles = resources_of_type("AWS::IAM::Role")

    assert set(roles) == {
        "ConfigRecorderRole",
        "AccountSettingsRole",
        "TamperForwardRole",
        "DefaultSecurityGroupRemediationRole",
    }
    assert all("RoleName" not in role["Properties"] for role in roles.values())
    assert "FunctionName" not in template()["Resources"]["AccountSettingsFunction"]["Properties"]


def function_policy() -> dict[str, Any]:
    role = template()["Resources"]["AccountSettingsRole"]["Properties"]
    [policy] = role["Policies"]
    resolved: dict[str, Any] = resolve(policy["PolicyDocument"])
    return resolved


def test_the_function_role_grants_only_what_the_handler_calls() -> None:
    statements = function_policy()["Statement"]

    assert {s["Sid"]: s["Action"] for s in statements} == {
        "WriteOwnLogs": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "BlockS3PublicAccess": "s3:PutAccountPublicAccessBlock",
        "EnableEbsEncryptionByDefault": "ec2:EnableEbsEncryptionByDefault",
        "SetEbsDefaultKmsKey": "ec2:ModifyEbsDefaultKmsKeyId",
        "SetPasswordPolicy": "iam:UpdateAccountPasswordPolicy",
    }
    assert statements[0]["Resource"] == LOG_GROUP_ARN
    handler_source = HANDLER_PATH.read_text(encoding="utf-8")
    for called in (
        "put_public_access_block",
        "enable_ebs_encryption_by_default",
        "modify_ebs_default_kms_key_id",
        "update_account_password_policy",
    ):
        assert f".{called}(" in handler_source


# Parliament rates these actions as permissions management: changing the account's password
# policy and public access block is exactly this function's job.
PERMISSIONS_MANAGEMENT = {"BlockS3PublicAccess", "SetPasswordPolicy"}


def test_the_function_policy_passes_parliament() -> None:
    document = function_policy()
    for each in document["Statement"]:
        single = json.dumps({"Version": document["Version"], "Statement": [each]})
        expected = (
            ["PERMISSIONS_MANAGEMENT_ACTIONS: "] if each["Sid"] in PERMISSIONS_MANAGEMENT else []
        )
        assert lint_policy(single, "identity") == expected, each["Sid"]


@pytest.mark.parametrize(
    "role",
    [
        "ConfigRecorderRole",
        "AccountSettingsRole",
        "TamperForwardRole",
        "DefaultSecurityGroupRemediationRole",
    ],
)
def test_trust_policies_pass_parliament_and_name_this_account(role: str) -> None:
    trust = resolve(template()["Resources"][role]["Properties"]["AssumeRolePolicyDocument"])

    assert lint_policy(json.dumps(trust), "trust") == []
    [statement] = trust["Statement"]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_parliament_would_report_a_misspelt_action() -> None:
    document = function_policy()
    document["Statement"][1]["Action"] = "s3:PutAcountPublicAccessBlock"

    assert any(
        finding.startswith("UNKNOWN_ACTION")
        for finding in lint_policy(json.dumps(document), "identity")
    )


def with_default(text: str, parameter: str, value: str) -> str:
    """`text` with the default of the parameter `parameter` set to `value`."""
    pattern = rf'(\n  {parameter}:\n(?:    .*\n|      .*\n)*?    Default: )"[^"]*"\n'
    given, count = re.subn(pattern, rf'\g<1>"{value}"\n', text)
    assert count == 1, parameter
    return given


@pytest.mark.parametrize("security_account", ["", SECURITY_ACCOUNT])
def test_the_template_lints_clean_with_and_without_forwarding(security_account: str) -> None:
    given = with_default(render_template(), "SecurityAccountId", security_account)

    assert lint_findings(given, [REGION, "us-gov-west-1"]) == []


def test_the_template_lints_clean_with_accounts_recorded_elsewhere() -> None:
    given = with_default(render_template(), "EnableConfigRecorder", "true")
    given = with_default(given, "OwnConfigRecorderAccount1", SECURITY_ACCOUNT)
    given = with_default(given, "OwnConfigRecorderAccount2", "333333333333")

    assert 'Default: "333333333333"' in given
    assert lint_findings(given, [REGION, "us-gov-west-1"]) == []


def test_the_recorder_is_skipped_in_accounts_recorded_elsewhere_and_only_there() -> None:
    parameters = template()["Parameters"]
    conditions = template()["Conditions"]

    for name in OWN_RECORDER_PARAMETERS:
        assert parameters[name]["Default"] == ""
        assert re.fullmatch(parameters[name]["AllowedPattern"], SECURITY_ACCOUNT)
        assert not re.fullmatch(parameters[name]["AllowedPattern"], "12345")
    # Only Ref in the condition functions: what the template reference allows in Fn::Equals.
    assert conditions["HasOwnConfigRecorder"] == {
        "Fn::Or": [
            {"Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": name}]}
            for name in OWN_RECORDER_PARAMETERS
        ]
    }
    assert conditions["CreateConfigRecorder"] == {
        "Fn::And": [
            {"Fn::Equals": [{"Ref": "EnableConfigRecorder"}, "true"]},
            {"Fn::Not": [{"Condition": "HasOwnConfigRecorder"}]},
        ]
    }
    recorder_resources = {
        name
        for name, resource in template()["Resources"].items()
        if resource.get("Condition") == "CreateConfigRecorder"
    }
    # The recorder goes; every other guardrail of the account stays.
    assert recorder_resources == {"ConfigRecorderRole", "ConfigRecorder", "ConfigDeliveryChannel"}


def tamper_rules() -> dict[str, dict[str, Any]]:
    return resources_of_type("AWS::Events::Rule")


def test_a_forwarding_rule_per_tamper_pattern_with_the_security_accounts_pattern() -> None:
    rules = tamper_rules()

    assert {name: rule["Properties"]["EventPattern"] for name, rule in rules.items()} == {
        f"TamperForwardRule{service.capitalize()}": event_patterns.tamper_pattern(service)
        for service in event_patterns.TAMPER_CALLS
    }
    deployed = sorted(
        json.dumps(rule["Properties"]["EventPattern"], sort_keys=True) for rule in rules.values()
    )
    expected = sorted(
        json.dumps(pattern, sort_keys=True) for pattern in event_patterns.tamper_patterns().values()
    )
    assert deployed == expected
    # Nothing of the placeholder rule is left behind.
    assert "TamperForwardRule" not in template()["Resources"]
    assert 'tamper_patterns()"' not in render_template()


def test_each_rule_sends_to_the_security_accounts_home_bus_with_the_forwarding_role() -> None:
    for name, rule in tamper_rules().items():
        properties = resolve(rule["Properties"])
        assert rule["Condition"] == "ForwardTamperEvents", name
        assert properties["State"] == "ENABLED"
        assert "EventBusName" not in properties
        assert properties["Targets"] == [
            {"Id": "security-account-bus", "Arn": SECURITY_BUS_ARN, "RoleArn": FORWARD_ROLE_ARN}
        ]


def test_forwarding_needs_a_security_account_other_than_this_one() -> None:
    parameter = template()["Parameters"]["SecurityAccountId"]
    condition = template()["Conditions"]["ForwardTamperEvents"]["Fn::And"]

    assert parameter["Default"] == ""
    assert re.fullmatch(parameter["AllowedPattern"], SECURITY_ACCOUNT)
    assert not re.fullmatch(parameter["AllowedPattern"], "12345")
    assert {"Fn::Not": [{"Fn::Equals": [{"Ref": "SecurityAccountId"}, ""]}]} in condition
    assert {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AWS::AccountId"}, {"Ref": "SecurityAccountId"}]}]
    } in condition
    assert template()["Resources"]["TamperForwardRole"]["Condition"] == "ForwardTamperEvents"


def forward_policy() -> dict[str, Any]:
    role = template()["Resources"]["TamperForwardRole"]["Properties"]
    [policy] = role["Policies"]
    resolved: dict[str, Any] = resolve(policy["PolicyDocument"])
    return resolved


def test_the_forwarding_role_may_put_events_on_the_security_bus_only() -> None:
    document = forward_policy()

    assert document["Statement"] == [
        {
            "Sid": "ForwardToSecurityAccountBus",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": SECURITY_BUS_ARN,
        }
    ]
    assert lint_policy(json.dumps(document), "identity") == []
    trust = template()["Resources"]["TamperForwardRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}


def test_a_broken_tamper_placeholder_is_refused() -> None:
    # The rendering finds the placeholder exactly once, or fails instead of shipping no rules.
    shipped = TEMPLATE_PATH.read_text(encoding="utf-8")
    assert shipped.count(TAMPER_PATTERN_PLACEHOLDER) == 1
    with pytest.raises(ValueError):
        _with_tamper_rules(
            shipped.replace(TAMPER_PATTERN_PLACEHOLDER, "EventPattern: {}").splitlines(True)
        )


def test_default_security_groups_are_kept_closed_by_a_config_rule_and_its_remediation() -> None:
    resources = template()["Resources"]
    rule = resources["DefaultSecurityGroupClosedRule"]
    remediation = resources["DefaultSecurityGroupRemediation"]

    assert template()["Parameters"]["CloseDefaultSecurityGroups"]["Default"] == "true"
    assert rule["Condition"] == remediation["Condition"] == "CloseDefaultSecurityGroupsInRegion"
    assert rule["Properties"]["Source"] == {
        "Owner": "AWS",
        "SourceIdentifier": "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    }
    properties = remediation["Properties"]
    assert properties["ConfigRuleName"] == {"Ref": "DefaultSecurityGroupClosedRule"}
    assert properties["TargetId"] == "AWSConfigRemediation-RemoveVPCDefaultSecurityGroupRules"
    assert properties["Automatic"] is True
    assert resolve(properties["Parameters"]) == {
        "AutomationAssumeRole": {"StaticValue": {"Values": [REMEDIATION_ROLE_ARN]}},
        "GroupId": {"ResourceValue": {"Value": "RESOURCE_ID"}},
    }


def test_the_rule_waits_for_the_stacks_recorder_when_the_stack_creates_one() -> None:
    description = template()["Resources"]["DefaultSecurityGroupClosedRule"]["Properties"][
        "Description"
    ]

    condition, with_recorder, without = description["Fn::If"]
    assert condition == "CreateConfigRecorder"
    assert "${ConfigRecorder}" in with_recorder["Fn::Sub"]
    assert "ConfigRecorder" not in json.dumps(without)


def test_the_remediation_role_may_only_run_the_runbook_and_revoke_rules() -> None:
    role = template()["Resources"]["DefaultSecurityGroupRemediationRole"]["Properties"]
    [policy] = role["Policies"]
    document = resolve(policy["PolicyDocument"])

    assert {s["Sid"]: s["Action"] for s in document["Statement"]} == {
        "FollowTheRunbook": ["ssm:StartAutomationExecution", "ssm:GetAutomationExecution"],
        "ReadSecurityGroups": "ec2:DescribeSecurityGroups",
        "RevokeSecurityGroupRules": [
            "ec2:RevokeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
        ],
    }
    revoke = document["Statement"][2]
    assert revoke["Resource"] == f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/*"
    assert lint_policy(json.dumps(document), "identity") == []


def test_closing_default_security_groups_can_be_switched_off() -> None:
    args = AccountGuardrailsArgs(
        organizational_unit_ids=("ou-ab12-cdefgh34",),
        regions=(REGION,),
        home_region=REGION,
        close_default_security_groups=False,
    )

    assert template_parameters(args)["CloseDefaultSecurityGroups"] == "false"
    given = with_default(render_template(), "CloseDefaultSecurityGroups", "false")
    assert lint_findings(given, [REGION]) == []
