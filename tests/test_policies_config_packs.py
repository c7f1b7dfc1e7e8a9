"""config-organization-pack-after-recorders, and the CloudFormation templates of StackSets."""

import json

import pytest
from pulumi_policy import PolicyResource

from tests.policy_harness import by_name, resource, urn_of, validate_stack

# isort: split

import config_packs
from cfn_templates import creates, load_template

POLICY = by_name(config_packs.POLICIES, "config-organization-pack-after-recorders")
PACK = "aws:cfg/organizationConformancePack:OrganizationConformancePack"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
STACK_SET = "aws:cloudformation/stackSet:StackSet"
INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"
ROLE = "aws:iam/role:Role"
CFN_RECORDER = "AWS::Config::ConfigurationRecorder"

# The shape of the guardrails StackSet's template (cloudformation/account_guardrails.yaml): a
# recorder behind a switch.
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  EnableConfigRecorder:
    Type: String
    AllowedValues: ["true", "false"]
    Default: "false"
  HomeRegion:
    Type: String
Conditions:
  CreateConfigRecorder: !Equals [!Ref EnableConfigRecorder, "true"]
  IsHomeRegion: !Equals [!Ref "AWS::Region", !Ref HomeRegion]
Resources:
  ConfigRecorderRole:
    Type: AWS::IAM::Role
    Condition: CreateConfigRecorder
    Properties:
      AssumeRolePolicyDocument: {}
  ConfigRecorder:
    Type: AWS::Config::ConfigurationRecorder
    Condition: CreateConfigRecorder
    Properties:
      RoleARN: !GetAtt ConfigRecorderRole.Arn
      RecordingGroup:
        IncludeGlobalResourceTypes: !If [IsHomeRegion, true, false]
"""


def pack(*depends_on, region: str = "us-east-1") -> PolicyResource:
    return resource(
        PACK, f"pack-{region}", {"name": "baseline", "region": region}, dependencies=depends_on
    )


def recorder(region: str = "us-east-1", kind: str = RECORDER) -> PolicyResource:
    return resource(kind, f"recorder-{region}", {"name": "default", "region": region})


def stack_set(enable: str | None, template: str = TEMPLATE) -> PolicyResource:
    parameters = {} if enable is None else {"EnableConfigRecorder": enable}
    return resource(
        STACK_SET,
        "guardrails",
        {"name": "guardrails", "templateBody": template, "parameters": parameters},
    )


def violations(*resources) -> list:
    return validate_stack(POLICY, list(resources))


@pytest.mark.parametrize("kind", [RECORDER, RECORDER_STATUS])
def test_a_pack_that_depends_on_a_recorder_in_its_region_passes(kind):
    r = recorder(kind=kind)
    assert violations(r, pack(r)) == []


def test_a_pack_that_depends_on_no_recorder_fails_naming_the_config_document():
    r = recorder()
    [violation] = violations(r, pack())
    assert violation.urn == urn_of(PACK, "pack-us-east-1")
    assert "depends on no Config recorder in us-east-1" in violation.message
    assert (
        "Managing Conformance Packs Across all Accounts in Your Organization" in violation.message
    )


def test_a_recorder_in_another_region_does_not_count():
    r = recorder("eu-west-1")
    assert len(violations(r, pack(r))) == 1


def test_a_recorder_reached_through_other_dependencies_counts():
    r = recorder()
    role = resource(ROLE, "between", {}, dependencies=[r])
    assert violations(r, role, pack(role)) == []


@pytest.mark.parametrize(("enable", "passes"), [("true", True), ("false", False), (None, False)])
def test_a_stack_set_counts_when_its_parameters_make_the_template_create_recorders(enable, passes):
    s = stack_set(enable)
    assert (violations(s, pack(s)) == []) is passes


def test_a_stack_set_instance_counts_through_its_stack_set_and_its_overrides():
    s = stack_set("false")
    instance = resource(
        INSTANCE,
        "guardrails-us-east-1",
        {
            "stackSetName": "guardrails",
            "stackSetInstanceRegion": "us-east-1",
            "parameterOverrides": {"EnableConfigRecorder": "true"},
        },
        property_dependencies={"stackSetName": [s]},
    )
    assert violations(s, instance, pack(instance)) == []
    assert len(violations(s, instance, pack(instance, region="eu-west-1"))) == 1


def test_templates_in_json_and_yaml_short_form_are_read():
    as_json = json.dumps(
        {
            "Conditions": {"On": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Off"}, "yes"]}]}},
            "Parameters": {"Off": {"Type": "String", "Default": "no"}},
            "Resources": {"R": {"Type": CFN_RECORDER, "Condition": "On"}},
        }
    )
    from_json = load_template(as_json)
    assert from_json is not None
    assert creates(from_json, CFN_RECORDER, {})
    assert not creates(from_json, CFN_RECORDER, {"Off": "yes"})
    template = load_template(TEMPLATE)
    assert template is not None
    recorder_properties = template["Resources"]["ConfigRecorder"]["Properties"]
    assert recorder_properties["RoleARN"] == {"Fn::GetAtt": ["ConfigRecorderRole", "Arn"]}
    assert template["Conditions"]["CreateConfigRecorder"] == {
        "Fn::Equals": [{"Ref": "EnableConfigRecorder"}, "true"]
    }


@pytest.mark.parametrize(
    ("condition", "created"),
    [
        ({"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}, True),  # holds somewhere
        (
            {
                "Fn::And": [
                    {"Fn::Equals": ["a", "b"]},
                    {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]},
                ]
            },
            False,
        ),
        (
            {"Fn::Or": [{"Fn::Equals": ["a", "a"]}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "x"]}]},
            True,
        ),
        ({"Condition": "Loop"}, True),
    ],
)
def test_conditions_that_depend_on_where_the_stack_lands_count_as_holding(condition, created):
    template = {
        "Conditions": {"C": condition, "Loop": {"Condition": "Loop"}},
        "Resources": {"R": {"Type": CFN_RECORDER, "Condition": "C"}},
    }
    assert creates(template, CFN_RECORDER, {}) is created


@pytest.mark.parametrize("body", ["", "[1, 2]", "{not json", "key: [unclosed"])
def test_a_template_that_is_not_an_object_creates_nothing(body):
    assert load_template(body) is None
