"""The pack as a whole: metadata, compliance mapping, config files, imports, and the plugin."""

import ast
import importlib
import json
import re
import subprocess
import sys

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel, PolicyComplianceFramework, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import POLICIES_DIR, REMINDERS, analyze, to_struct

# isort: split

import catalog
import frameworks

PACK_MODULES = sorted(p.stem for p in POLICIES_DIR.glob("*.py"))
# PyYAML (`yaml`) is a requirement of the pulumi SDK itself.
# yaml comes with pulumi (a dependency of the SDK), which the requirements pin.
ALLOWED_THIRD_PARTY = {"pulumi", "pulumi_policy", "yaml"}
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAMES = [p.name for p in catalog.ALL_POLICIES]


def imported_top_level_names(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("module", PACK_MODULES)
def test_pack_imports_only_stdlib_the_sdks_their_yaml_and_itself(module):
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | set(PACK_MODULES)
    imported = set(imported_top_level_names(POLICIES_DIR / f"{module}.py"))
    assert imported <= allowed, imported - allowed


def test_requirements_name_exactly_the_allowed_packages():
    text = (POLICIES_DIR / "requirements.txt").read_text()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == ["pulumi==3.272.0", "pulumi-policy==1.21.0"]


def test_every_policy_module_is_in_the_pack_after_the_exemptions():
    modules_with_policies = {
        name
        for name in PACK_MODULES
        if name != "__main__" and hasattr(importlib.import_module(name), "POLICIES")
    }
    in_pack = {p for name in modules_with_policies for p in importlib.import_module(name).POLICIES}
    assert in_pack == set(catalog.ALL_POLICIES)
    # First: the SDK runs policies in order, and the others honour the exemptions it shares.
    assert catalog.ALL_POLICIES[0].name == "policy-exemptions"
    assert len(NAMES) == len(set(NAMES)) == 39


EVALUATING = [p for p in catalog.ALL_POLICIES if p.name not in REMINDERS]


@pytest.mark.parametrize("policy", catalog.ALL_POLICIES, ids=NAMES)
def test_policy_metadata_is_complete(policy):
    assert KEBAB.match(policy.name)
    assert policy.description and policy.remediation_steps
    assert isinstance(policy.severity, Severity)
    if policy.name in REMINDERS:
        assert policy.framework is None and policy.tags == []
        assert policy.enforcement_level == EnforcementLevel.ADVISORY
        assert not any(frameworks.CONTROLS[policy.name].values())
        return
    assert isinstance(policy.framework, PolicyComplianceFramework)
    assert policy.framework.name and policy.framework.version and policy.framework.reference
    assert policy.tags and all(":" in tag for tag in policy.tags)


@pytest.mark.parametrize("policy", EVALUATING, ids=[p.name for p in EVALUATING])
def test_policy_metadata_comes_from_the_frameworks_table(policy):
    controls = frameworks.CONTROLS[policy.name]
    mapped = [(key, ids) for key, ids in controls.items() if ids]
    assert mapped, "every policy maps to at least one control"
    assert set(controls) == set(frameworks.FRAMEWORKS)
    for key, ids in mapped:
        info = frameworks.FRAMEWORKS[key]
        assert f"{info['short']} {', '.join(ids)}" in policy.description
        assert {f"{info['tag']}:{i}" for i in ids} <= set(policy.tags)
    first_key, first_ids = mapped[0]
    assert policy.framework.name == frameworks.FRAMEWORKS[first_key]["name"]
    assert policy.framework.reference == ", ".join(first_ids)


def test_frameworks_table_names_only_real_policies():
    assert set(frameworks.CONTROLS) == set(NAMES)


def test_frameworks_file_is_plain_data_loadable_without_the_pack():
    tree = ast.parse((POLICIES_DIR / "frameworks.py").read_text())
    loaded = {}
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        assert isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
        assert node.value is not None
        loaded[node.target.id] = ast.literal_eval(node.value)
    assert loaded == {
        "FRAMEWORKS": frameworks.FRAMEWORKS,
        "CONTROLS": frameworks.CONTROLS,
        "CHECKS": frameworks.CHECKS,
        "RESOURCE_TYPES": frameworks.RESOURCE_TYPES,
        "GUARDRAILS": frameworks.GUARDRAILS,
        "CATALOG": frameworks.CATALOG,
        "TITLES": frameworks.TITLES,
    }


@pytest.mark.parametrize(
    ("control", "policy"),
    [
        ("3.2", "cloudtrail-log-file-validation"),
        ("3.6", "kms-key-rotation"),
        ("2.1.1", "s3-bucket-tls-only"),
        ("2.1.4", "s3-bucket-public-access-block"),
        ("5.2", "ec2-security-group-no-public-admin-ports"),
    ],
)
def test_known_cis_v3_recommendations_are_mapped(control, policy):
    assert control in frameworks.CONTROLS[policy]["cis-aws-foundations"]


def test_pulumi_policy_yaml_declares_a_python_pack():
    project = yaml.safe_load((POLICIES_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert project["description"]


def load_config(stack):
    return json.loads((POLICIES_DIR / "config" / f"{stack}.json").read_text())


# Settings that describe the prod stack rather than restate a default: its deploy roles
# (Pulumi.prod.yaml's role_name, the management account's OrganizationAccountAccessRole) and
# its Shield Advanced subscription (firewall_manager.shield_advanced.subscription: existing).
PROD_SETTINGS = {
    ("kms-key-policy-no-lockout", "deployerArns"): [
        "arn:aws:iam::*:role/OrganizationAccountAccessRole",
        "arn:aws:iam::*:role/SecurityBaselineDeployRole",
    ],
    ("fms-shield-advanced-subscription", "subscription"): "existing",
}


@pytest.mark.parametrize(("stack", "level"), [("dev", "advisory"), ("prod", "mandatory")])
def test_config_files_set_one_level_for_all_and_schema_defaults(stack, level):
    config = load_config(stack)
    assert config["all"] == level
    policies = {p.name: p for p in catalog.ALL_POLICIES}
    chosen = PROD_SETTINGS if stack == "prod" else {}
    found = {}
    for name, value in config.items():
        if name == "all" or isinstance(value, str):
            continue
        schema = policies[name].config_schema
        assert schema is not None, name
        assert set(value) - {"enforcementLevel"} <= set(schema.properties), name
        for prop, setting in value.items():
            if prop == "enforcementLevel":
                continue
            if (name, prop) in chosen:
                found[name, prop] = setting
            else:
                assert setting == schema.properties[prop]["default"], (name, prop)
    assert found == chosen


def test_prod_declares_the_shield_subscription_and_keeps_its_reminder_advisory():
    prod = load_config("prod")
    assert prod["fms-shield-advanced-subscription-outside-stack"] == "advisory"
    policy = next(p for p in catalog.ALL_POLICIES if p.name == "fms-shield-advanced-subscription")
    assert policy.config_schema is not None
    assert policy.config_schema.properties["subscription"]["enum"] == ["create", "existing"]


def level(config, name):
    value = config.get(name, config["all"])
    return value if isinstance(value, str) else value.get("enforcementLevel", config["all"])


def test_prod_makes_every_policy_mandatory_but_the_advisory_listings():
    """No policy is turned down for the whole stack (exemptions are per resource); the
    exemptions stay advisory, or each exemption would fail the run it waives a violation in."""
    prod = load_config("prod")
    advisory = {name for name in NAMES if level(prod, name) == "advisory"}
    assert advisory == REMINDERS
    assert {name for name in NAMES if level(prod, name) != "advisory"} == set(NAMES) - REMINDERS
    assert set(prod) <= {"all", *NAMES}
    assert set(load_config("dev")) <= {"all", *NAMES}


@pytest.fixture(scope="module")
def plugin():
    """The pack started as the Pulumi CLI starts it; yields its analyzer stub."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(POLICIES_DIR)],
        cwd=POLICIES_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_plugin_describes_every_policy_mandatory_but_three_advisory_ones(plugin):
    info = plugin.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "security-baseline"
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert set(levels) == set(NAMES)
    assert levels.pop("policy-exemptions") == analyzer_pb2.ADVISORY
    assert levels.pop("fms-shield-advanced-subscription-outside-stack") == analyzer_pb2.ADVISORY
    # Data events cost money: the stack's config decides (prod makes every policy mandatory).
    assert levels.pop("cloudtrail-s3-data-events") == analyzer_pb2.ADVISORY
    assert set(levels.values()) == {analyzer_pb2.MANDATORY}
    kms_window = next(p for p in info.policies if p.name == "kms-key-deletion-window")
    assert "minimumDays" in kms_window.configSchema.properties
    assert all(p.remediation_steps for p in info.policies)
    assert all(p.framework.name for p in info.policies if p.name not in REMINDERS)


def test_plugin_reports_a_violation_over_grpc(plugin):
    request = analyzer_pb2.AnalyzeRequest(
        type="aws:cloudtrail/trail:Trail",
        name="trail",
        urn="urn:pulumi:test::app::aws:cloudtrail/trail:Trail::trail",
        properties=to_struct({"s3BucketName": "logs", "isMultiRegionTrail": True, "kmsKeyId": "k"}),
    )
    diagnostics = {d.policyName: d for d in plugin.Analyze(request).diagnostics}
    assert set(diagnostics) == {"cloudtrail-log-file-validation", "cloudtrail-s3-data-events"}
    assert diagnostics["cloudtrail-log-file-validation"].enforcementLevel == analyzer_pb2.MANDATORY
    assert diagnostics["cloudtrail-s3-data-events"].enforcementLevel == analyzer_pb2.ADVISORY


# Every property the resource policies read, per type; all unknown, as in a preview of new
# resources whose inputs come from other resources' outputs.
PREVIEW_UNKNOWNS = {
    "aws:cloudtrail/trail:Trail": [
        "enableLogFileValidation",
        "isMultiRegionTrail",
        "kmsKeyId",
        "enableLogging",
        "tags",
        "advancedEventSelectors",
        "eventSelectors",
    ],
    "aws:organizations/policy:Policy": ["type", "content"],
    "aws:kms/key:Key": [
        "customerMasterKeySpec",
        "enableKeyRotation",
        "deletionWindowInDays",
        "policy",
    ],
    "aws:kms/keyPolicy:KeyPolicy": ["keyId", "policy"],
    "aws:sns/topic:Topic": ["kmsMasterKeyId", "policy", "tags"],
    "aws:sns/topicPolicy:TopicPolicy": ["arn", "policy"],
    "aws:guardduty/detector:Detector": ["enable", "tags"],
    "aws:guardduty/organizationConfiguration:OrganizationConfiguration": [
        "autoEnableOrganizationMembers"
    ],
    "aws:macie2/account:Account": ["status"],
    "aws:cfg/recorder:Recorder": ["roleArn", "recordingGroup"],
    "aws:ec2/securityGroup:SecurityGroup": ["ingress", "tags"],
    "aws:ec2/securityGroupRule:SecurityGroupRule": [
        "type",
        "protocol",
        "fromPort",
        "toPort",
        "cidrBlocks",
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        "ipProtocol",
        "cidrIpv4",
        "fromPort",
    ],
    "aws:codebuild/project:Project": ["environment", "tags"],
    "aws:iam/role:Role": ["assumeRolePolicy", "inlinePolicies", "tags"],
    "aws:s3/bucketPolicy:BucketPolicy": ["bucket", "policy"],
}


@pytest.mark.parametrize("resource_type", sorted(PREVIEW_UNKNOWNS))
def test_unknown_inputs_give_only_the_sdk_preview_advisory(resource_type):
    props = dict.fromkeys(PREVIEW_UNKNOWNS[resource_type], UNKNOWN_STRING_VALUE)
    response = analyze(catalog.ALL_POLICIES, resource_type, props)
    assert response.diagnostics, "some policy of the pack reads these properties"
    for diagnostic in response.diagnostics:
        assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY, diagnostic.message
        assert "during preview" in diagnostic.message


def test_the_pack_readme_lists_every_setting_of_every_policy():
    readme = (POLICIES_DIR / "README.md").read_text()
    for policy in catalog.ALL_POLICIES:
        for setting in policy.config_schema.properties if policy.config_schema else {}:
            assert f"| `{policy.name}` | `{setting}`" in readme, (policy.name, setting)
