"""The baseline's own program for its dev and prod stacks, under the offline mocks."""

import json
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest

from baseline.capabilities.notifications.component import Notifications
from baseline.capabilities.registry import CAPABILITIES
from baseline.completion import CompletedError
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline
from baseline.program import Baseline
from baseline.project import load_stack_file, program_config
from baseline.spec_loader import spec_from_pulumi_config
from baseline.stack import build
from components.policy_evaluation import Request, evaluate
from tests.cli_harness import run_cli
from tests.components_harness import descendants, only
from tests.plan_memo import planned_project

ROOT = Path(__file__).parent.parent


@cache
def planned(stack: str, preview: bool) -> Plan:
    """The repository's program (`__main__.py`) for `stack`, as `baseline preview` plans it: one
    plan per stack and mode for the whole run (tests/plan_memo.py)."""
    return planned_project(load_stack_file(ROOT, stack), preview=preview)


MODES = [pytest.param(True, id="preview"), pytest.param(False, id="update")]


def of_type(plan: Plan, type_token: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_token]


def policy_of(document: str) -> dict:
    return json.loads(document)


def bucket_settings(plan: Plan, type_token: str) -> dict[str, PlannedResource]:
    """Settings resources by the bucket they configure (through the engine's dependency)."""
    by_bucket = {}
    for resource in of_type(plan, type_token):
        (bucket_urn,) = resource.property_dependencies["bucket"]
        by_bucket[bucket_urn] = resource
    return by_bucket


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_bucket_is_encrypted_private_versioned_and_tls_only(stack, preview):
    plan = planned(stack, preview)
    buckets = of_type(plan, "aws:s3/bucket:Bucket")
    assert len(buckets) >= 3
    encryption = bucket_settings(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    blocks = bucket_settings(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    versioning = bucket_settings(plan, "aws:s3/bucketVersioning:BucketVersioning")
    policies = bucket_settings(plan, "aws:s3/bucketPolicy:BucketPolicy")
    for bucket in buckets:
        assert encryption[bucket.urn].inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        flags = (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
        assert all(blocks[bucket.urn].inputs[flag] is True for flag in flags)
        assert versioning[bucket.urn].inputs["versioningConfiguration"]["status"] == "Enabled"
        statements = policy_of(policies[bucket.urn].inputs["policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny"
            and s["Condition"].get("Bool", {}).get("aws:SecureTransport") == "false"
            for s in statements
        ), bucket.name


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_key_rotates_and_every_topic_is_encrypted(stack, preview):
    plan = planned(stack, preview)
    keys = of_type(plan, "aws:kms/key:Key")
    assert keys and all(key.inputs["enableKeyRotation"] is True for key in keys)
    assert all(key.inputs["deletionWindowInDays"] == 30 for key in keys)
    key_arns = {key.outputs["arn"] for key in keys}
    topics = of_type(plan, "aws:sns/topic:Topic")
    assert topics and all(topic.inputs["kmsMasterKeyId"] in key_arns for topic in topics)


def test_prod_has_an_organization_trail_encrypted_with_a_key_of_the_plan():
    plan = planned("prod", False)
    (trail,) = of_type(plan, "aws:cloudtrail/trail:Trail")
    assert trail.inputs["isOrganizationTrail"] is True
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["includeGlobalServiceEvents"] is True
    key_arns = {key.outputs["arn"] for key in of_type(plan, "aws:kms/key:Key")}
    assert trail.inputs["kmsKeyId"] in key_arns
    assert ":111111111111:" in trail.inputs["kmsKeyId"]  # the management account's key


def providers_by_account(plan: Plan) -> dict[str, str]:
    accounts = {}
    for provider in of_type(plan, "pulumi:providers:aws"):
        roles = json.loads(provider.inputs["assumeRoles"])
        account = roles[0]["roleArn"].split(":")[4]
        accounts[account] = f"{provider.urn}::{provider.id}"
    return accounts


def test_prod_deploys_each_thing_from_its_account():
    plan = planned("prod", False)
    provider = providers_by_account(plan)
    management, security, log_archive = (
        provider["111111111111"],
        provider["222222222222"],
        provider["333333333333"],
    )
    expected = {
        "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": management,
        "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": management,
        "aws:macie2/organizationAdminAccount:OrganizationAdminAccount": management,
        "aws:guardduty/detector:Detector": security,
        "aws:securityhub/account:Account": security,
        "aws:macie2/account:Account": security,
        "aws:sns/topic:Topic": security,
        "aws:cloudtrail/trail:Trail": management,
    }
    for type_token, provider_ref in expected.items():
        resources = of_type(plan, type_token)
        assert resources, type_token
        assert {r.provider for r in resources} == {provider_ref}, type_token
    archive = [r for r in of_type(plan, "aws:s3/bucket:Bucket") if r.name.startswith("log-archive")]
    assert archive and {r.provider for r in archive} == {log_archive}


def test_prod_enables_detective_services_for_the_whole_organization():
    plan = planned("prod", False)
    regions = {"us-east-1", "us-west-2", "eu-west-1"}
    configurations = of_type(
        plan, "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
    )
    assert {c.inputs["region"] for c in configurations} == regions
    assert all(c.inputs["autoEnableOrganizationMembers"] == "ALL" for c in configurations)
    s3_features = [
        f
        for f in of_type(
            plan, "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
        )
        if f.inputs["name"] == "S3_DATA_EVENTS"
    ]
    assert {f.inputs["region"] for f in s3_features} == regions
    assert all(f.inputs["autoEnable"] == "ALL" for f in s3_features)
    # Security Hub's central configuration: tests/test_stack_coverage.py.


def test_prod_macie_exports_encrypted_and_scans_on_a_schedule():
    plan = planned("prod", False)
    key_arns = {key.outputs["arn"] for key in of_type(plan, "aws:kms/key:Key")}
    exports = of_type(
        plan, "aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration"
    )
    assert exports and all(e.inputs["s3Destination"]["kmsKeyArn"] in key_arns for e in exports)
    assert of_type(plan, "aws:macie/customDataIdentifier:CustomDataIdentifier")
    (job,) = of_type(plan, "aws:macie2/classificationJob:ClassificationJob")
    assert job.inputs["jobType"] == "SCHEDULED"
    assert job.inputs["scheduleFrequency"]["weeklySchedule"] == "SUNDAY"


def test_prod_records_everything_and_deploys_organization_conformance_packs():
    plan = planned("prod", False)
    recorders = of_type(plan, "aws:cfg/recorder:Recorder")
    # Management, security and log-archive accounts, in each of the three regions.
    assert len(recorders) == 9
    assert all(r.inputs["recordingGroup"]["allSupported"] is True for r in recorders)
    assert of_type(plan, "aws:cfg/deliveryChannel:DeliveryChannel")
    packs = of_type(plan, "aws:cfg/organizationConformancePack:OrganizationConformancePack")
    assert {(p.inputs["name"], p.inputs["region"]) for p in packs} == {
        (pack, region)
        for pack in ("baseline", "s3-operational-best-practices")
        for region in ("us-east-1", "us-west-2", "eu-west-1")
    }
    assert not of_type(plan, "aws:cfg/conformancePack:ConformancePack")


def test_dev_runs_every_detective_service_in_its_one_account():
    plan = planned("dev", True)
    features = of_type(plan, "aws:guardduty/detectorFeature:DetectorFeature")
    assert any(
        f.inputs["name"] == "S3_DATA_EVENTS" and f.inputs["status"] == "ENABLED" for f in features
    )
    for type_token in (
        "aws:securityhub/account:Account",
        "aws:macie2/account:Account",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/conformancePack:ConformancePack",
    ):
        assert of_type(plan, type_token), type_token
    assert not of_type(plan, "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_exports_what_users_look_up(stack):
    outputs = planned(stack, False).stack_outputs
    assert outputs["trail_arn"].startswith("arn:aws:cloudtrail:us-east-1:")
    assert outputs["log_archive_bucket"].startswith("log-archive")
    assert set(outputs["topic_arns"]) >= {"security-alerts"}


@pytest.mark.parametrize(("stack", "config"), [("dev", "dev"), ("prod", "prod")])
def test_the_baseline_passes_its_own_policy_pack(stack, config):
    result = run_cli(
        "preview",
        "--stack",
        stack,
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        f"policies/config/{config}.json",
        "--json",
    )
    document = json.loads(result.stdout)
    mandatory = [v for v in document["violations"] if v["enforcement"] == "mandatory"]
    assert (result.returncode, mandatory) == (0, []), result.stderr
    # The advisories left: prod's reminder that its Shield Advanced subscription is made
    # outside the stack (firewall_manager.shield_advanced.subscription: existing); dev's trail
    # records no S3 data events, which cost (cloudtrail.s3_data_events left off).
    advisories = {
        "prod": {"fms-shield-advanced-subscription-outside-stack"},
        "dev": {"cloudtrail-s3-data-events"},
    }
    assert {v["policy"] for v in document["violations"]} == advisories[stack]
    assert document["summary"]["resources"] > 50
    assert all(
        {"provider", "dependencies", "propertyDependencies"} <= set(r)
        for r in document["resources"]
    )


def test_prod_exports_the_slack_request_url_of_macie_remediation():
    url = planned("prod", False).stack_outputs["macie_slack_request_url"]
    assert url.startswith("https://") and url.endswith("/slack/actions")


def test_prod_runs_firewall_manager_policies_of_every_type_in_every_region():
    plan = planned("prod", False)
    provider = providers_by_account(plan)
    (admin,) = of_type(plan, "aws:fms/adminAccount:AdminAccount")
    assert admin.inputs["accountId"] == "222222222222"
    assert admin.provider == provider["111111111111"]
    policies = of_type(plan, "aws:fms/policy:Policy")
    kinds = {(p.inputs["securityServicePolicyData"]["type"], p.inputs["region"]) for p in policies}
    for kind in (
        "SHIELD_ADVANCED",
        "WAFV2",
        "SECURITY_GROUPS_COMMON",
        "SECURITY_GROUPS_CONTENT_AUDIT",
        "SECURITY_GROUPS_USAGE_AUDIT",
    ):
        assert {region for k, region in kinds if k == kind} == {
            "us-east-1",
            "us-west-2",
            "eu-west-1",
        }
    cloudfront = [
        p for p in policies if p.inputs.get("resourceType") == "AWS::CloudFront::Distribution"
    ]
    assert [p.inputs["region"] for p in cloudfront] == ["us-east-1"]
    waf = next(p for p in policies if p.inputs["securityServicePolicyData"]["type"] == "WAFV2")
    data = json.loads(waf.inputs["securityServicePolicyData"]["managedServiceData"])

    def names(groups):
        return [g["managedRuleGroupIdentifier"]["managedRuleGroupName"] for g in groups]

    assert names(data["preProcessRuleGroups"]) == ["AWSManagedRulesCommonRuleSet"]
    assert names(data["postProcessRuleGroups"]) == ["AWSManagedRulesAmazonIpReputationList"]
    assert data["defaultAction"] == {"type": "ALLOW"}


def test_prod_alarms_on_ddos_and_has_a_notification_channel_per_region():
    plan = planned("prod", False)
    channels = of_type(plan, "aws:cloudformation/stack:Stack")
    assert {c.inputs["region"] for c in channels} == {"us-east-1", "us-west-2", "eu-west-1"}
    assert all("AWS::FMS::NotificationChannel" in c.inputs["templateBody"] for c in channels)
    alarms = [
        a
        for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs.get("metricName") == "DDoSDetected"
    ]
    assert {a.inputs["region"] for a in alarms} == {"us-east-1", "eu-west-1"}
    topic_arns = {t.outputs["arn"] for t in of_type(plan, "aws:sns/topic:Topic")}
    assert all(set(a.inputs["alarmActions"]) <= topic_arns for a in alarms)


def test_prod_deploys_the_account_guardrails_to_its_organizational_units():
    plan = planned("prod", False)
    (stack_set,) = of_type(plan, "aws:cloudformation/stackSet:StackSet")
    assert stack_set.inputs["permissionModel"] == "SERVICE_MANAGED"
    assert stack_set.inputs["autoDeployment"]["enabled"] is True
    instances = of_type(plan, "aws:cloudformation/stackSetInstance:StackSetInstance")
    assert {i.inputs["stackSetInstanceRegion"] for i in instances} == {
        "us-east-1",
        "us-west-2",
        "eu-west-1",
    }
    assert all(
        i.inputs["deploymentTargets"]["organizationalUnitIds"]
        == ["ou-ab12-34cd56ef", "ou-ab12-78gh90ij"]
        for i in instances
    )
    assert stack_set.provider == providers_by_account(plan)["111111111111"]


def test_firewall_manager_is_administered_from_us_east_1_whatever_the_home_region():
    config, secret_keys = program_config(load_stack_file(ROOT, "prod"))
    spec = json.loads(config["security-baseline:baseline"])
    spec["regions"]["home"] = "eu-west-1"
    config = {**config, "aws:region": "eu-west-1", "security-baseline:baseline": json.dumps(spec)}
    plan = run_inline(
        lambda: build(spec_from_pulumi_config()),
        project="security-baseline",
        stack="prod",
        config=config,
        secret_keys=secret_keys,
    )
    (admin,) = of_type(plan, "aws:fms/adminAccount:AdminAccount")
    (provider,) = [
        p for p in of_type(plan, "pulumi:providers:aws") if admin.provider == f"{p.urn}::{p.id}"
    ]
    assert provider.inputs["region"] == "us-east-1"
    assert json.loads(provider.inputs["assumeRoles"])[0]["roleArn"].startswith(
        "arn:aws:iam::111111111111:role/"
    )
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["111111111111"]


def home_notification_policies(plan: Plan, name: str = "notifications") -> list[PlannedResource]:
    """The key and topic policies of the security account's Notifications component `name`."""
    [home] = [
        r for r in of_type(plan, "security-baseline:notifications:Notifications") if r.name == name
    ]
    return [
        r
        for r in descendants(plan, home)
        if r.type in ("aws:kms/key:Key", "aws:sns/topicPolicy:TopicPolicy")
    ]


def publish_request(resource: PlannedResource, role_arn: str) -> Request:
    """The call a role makes to publish: sns:Publish on the topic, or the key use SNS makes."""
    if resource.type == "aws:kms/key:Key":
        return Request(
            "kms:GenerateDataKey",
            resource.outputs["arn"],
            role_arn,
            {
                "aws:PrincipalArn": role_arn,
            },
        )
    return Request(
        "sns:Publish",
        resource.inputs["arn"],
        role_arn,
        {
            "aws:PrincipalArn": role_arn,
            "aws:SecureTransport": "true",
        },
    )


def test_prod_topics_admit_exactly_the_roles_granted_to_publish():
    """The alerts formatter, Macie's finding handler and the remediator (the quarantine role)
    publish; the policies name their real ARNs, no pattern, and admit no other role."""
    plan = planned("prod", False)
    roles = {r.name: r.outputs["arn"] for r in of_type(plan, "aws:iam/role:Role")}
    publishers = {
        roles["alerts-format"],
        roles["macie-remediation-finding-handler"],
        roles["quarantine-remediation"],
    }
    others = set(roles.values()) - publishers
    assert roles["macie-remediation-approval-handler"] in others
    policies = home_notification_policies(plan)
    assert len(policies) == 1 + len(plan.stack_outputs["topic_arns"])
    for resource in policies:
        policy = policy_of(resource.inputs["policy"])
        [grant] = [each for each in policy["Statement"] if each["Sid"] == "AllowPublisherRoles"]
        assert grant["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}
        named = grant["Condition"]["ArnEquals"]["aws:PrincipalArn"]
        assert sorted(named) == sorted(publishers), resource.name
        assert not any("*" in arn or "?" in arn for arn in named)
        for role in publishers:
            assert evaluate(policy, publish_request(resource, role)).allowed, (resource.name, role)
        for role in others:
            decision = evaluate(policy, publish_request(resource, role))
            assert not decision.allowed, (resource.name, role)


def test_prod_regional_topics_admit_services_only():
    plan = planned("prod", False)
    regional = [
        r.name
        for r in of_type(plan, "security-baseline:notifications:Notifications")
        if r.name != "notifications"
    ]
    assert regional
    for name in regional:
        for resource in home_notification_policies(plan, name):
            assert "aws:PrincipalArn" not in resource.inputs["policy"], resource.name


def test_build_completes_the_baseline_and_refuses_later_grants():
    config, secret_keys = program_config(load_stack_file(ROOT, "dev"))
    built: list[Baseline] = []

    def program() -> None:
        baseline = build(spec_from_pulumi_config())
        built.append(baseline)
        # The policies rendered at completion: a grant now could not reach them.
        with pytest.raises(CompletedError):
            baseline.built(Notifications).grant_publish("arn:aws:iam::123456789012:role/late")
        with pytest.raises(CompletedError):
            baseline.completion.add(lambda _failure: None)

    plan = run_inline(
        program, project="security-baseline", stack="dev", config=config, secret_keys=secret_keys
    )
    assert built[0].completion.done
    formatter = only(plan, "aws:iam/role:Role", "alerts-format").outputs["arn"]
    for resource in home_notification_policies(plan):
        assert formatter in resource.inputs["policy"], resource.name


class CapabilityFailed(Exception):
    pass


@pytest.mark.parametrize("failure", [CapabilityFailed, ValueError])
def test_a_capability_that_fails_after_the_topics_fails_the_program_instead_of_hanging(
    monkeypatch, failure
):
    """The topics' policies wait for the completion; a failure before it must still end the
    program, with the failure itself (a ValueError is not reported as the registration that
    the runtime wraps it in)."""

    def fail(baseline: Baseline) -> None:
        baseline.built(Notifications)  # built: its policies wait for the completion
        raise failure("a later capability failed")

    monkeypatch.setattr("baseline.stack.CAPABILITIES", (*CAPABILITIES, SimpleNamespace(build=fail)))
    config, secret_keys = program_config(load_stack_file(ROOT, "dev"))
    with pytest.raises(failure, match=r"^a later capability failed$"):
        run_inline(
            lambda: build(spec_from_pulumi_config()),
            project="security-baseline",
            stack="dev",
            config=config,
            secret_keys=secret_keys,
        )
