"""Every account, existing and new, in the prod plan: Security Hub's central configuration and
Macie's enrollment; the dev stack (one account) keeps its local configuration.

The plans are those of tests/test_stack.py, built once per session.
"""

from __future__ import annotations

import json
import re

from tests.test_stack import of_type, planned, providers_by_account

SECURITY, MANAGEMENT = "222222222222", "111111111111"
HOME, REGIONS = "us-east-1", {"us-east-1", "us-west-2", "eu-west-1"}
JOB_ACCOUNT = "444444444444"  # the account whose buckets the prod Macie job scans
PROD_STANDARDS = [
    "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
    "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0",
    "arn:aws:securityhub:us-east-1::standards/pci-dss/v/4.0.1",
]
LOCAL_TYPES = (
    "aws:securityhub/standardsSubscription:StandardsSubscription",
    "aws:securityhub/standardsControlAssociation:StandardsControlAssociation",
)


def test_prod_security_hub_organization_configuration_is_central() -> None:
    plan = planned("prod", False)
    (configuration,) = of_type(
        plan, "aws:securityhub/organizationConfiguration:OrganizationConfiguration"
    )
    assert configuration.inputs["region"] == HOME
    assert configuration.inputs["organizationConfiguration"] == {"configurationType": "CENTRAL"}
    assert (configuration.inputs["autoEnable"], configuration.inputs["autoEnableStandards"]) == (
        False,
        "NONE",
    )
    (aggregator,) = of_type(plan, "aws:securityhub/findingAggregator:FindingAggregator")
    assert aggregator.urn in configuration.dependencies


def test_prod_policy_enables_the_three_standards_without_iam6_for_the_whole_organization() -> None:
    plan = planned("prod", False)
    (policy,) = of_type(plan, "aws:securityhub/configurationPolicy:ConfigurationPolicy")
    settings = policy.inputs["configurationPolicy"]
    assert settings["serviceEnabled"] is True
    assert settings["enabledStandardArns"] == PROD_STANDARDS
    assert settings["securityControlsConfiguration"] == {"disabledControlIdentifiers": ["IAM.6"]}
    assert "IAM.6: Hardware MFA for root is replaced by FIDO2" in policy.inputs["description"]
    (association,) = of_type(
        plan, "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"
    )
    assert association.inputs["policyId"] == policy.id
    assert re.fullmatch(r"r-[0-9a-z]{4,32}", association.inputs["targetId"])  # the root


def test_prod_has_no_security_hub_resources_per_member_account() -> None:
    plan = planned("prod", False)
    provider = providers_by_account(plan)
    securityhub = [r for r in plan.resources if r.type.startswith("aws:securityhub/")]
    assert {r.provider for r in securityhub} == {provider[SECURITY], provider[MANAGEMENT]}
    for type_token in (*LOCAL_TYPES, "aws:securityhub/member:Member"):
        assert not of_type(plan, type_token), type_token
    # Hubs and designations per region, then one aggregator, configuration, policy, association.
    assert len(securityhub) == 2 * len(REGIONS) + 4


def test_prod_enrolls_existing_accounts_in_macie_in_every_region() -> None:
    plan = planned("prod", False)
    security = providers_by_account(plan)[SECURITY]
    functions = {
        f.inputs["region"]: f
        for f in of_type(plan, "aws:lambda/function:Function")
        if f.name.startswith("macie-enrollment-")
    }
    assert set(functions) == REGIONS
    assert {f.provider for f in functions.values()} == {security}
    rules = {
        r.inputs["region"]: r.inputs["scheduleExpression"]
        for r in of_type(plan, "aws:cloudwatch/eventRule:EventRule")
        if r.name.startswith("macie-enrollment-")
    }
    assert rules == dict.fromkeys(REGIONS, "rate(1 hour)")
    # The job scans the data lake of 444444444444 in the home region: enrolled there first,
    # and a run that leaves it outside Macie fails and raises the alarm.
    required = functions[HOME].inputs["environment"]["variables"]["REQUIRED_ACCOUNTS"]
    assert required.split(",") == [JOB_ACCOUNT]
    (job,) = of_type(plan, "aws:macie2/classificationJob:ClassificationJob")
    assert job.inputs["region"] == HOME
    job_accounts = {b["accountId"] for b in job.inputs["s3JobDefinition"]["bucketDefinitions"]}
    assert job_accounts == {JOB_ACCOUNT}


def test_prod_alarms_of_macie_enrollment_notify_a_topic_of_their_region() -> None:
    plan = planned("prod", False)
    topics = {
        t.outputs["arn"]: t.inputs.get("region", HOME) for t in of_type(plan, "aws:sns/topic:Topic")
    }
    alarms = [
        a
        for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.name.startswith("macie-enrollment-")
    ]
    assert {a.inputs["region"] for a in alarms} == REGIONS
    for alarm in alarms:
        (topic,) = alarm.inputs["alarmActions"]
        assert topics[topic] == alarm.inputs["region"]


def test_dev_keeps_security_hub_local_and_enrolls_nobody() -> None:
    plan = planned("dev", True)
    subscriptions = of_type(plan, "aws:securityhub/standardsSubscription:StandardsSubscription")
    assert subscriptions  # dev declares no disabled controls: no control associations
    assert not [r for r in plan.resources if "configurationPolic" in r.type]
    assert not [r for r in plan.resources if r.name.startswith("macie-enrollment")]


def test_prod_regional_topics_are_made_once_for_every_capability_that_needs_them() -> None:
    plan = planned("prod", False)
    regional = [
        r.name
        for r in of_type(plan, "security-baseline:notifications:Notifications")
        if r.name.startswith("notifications-security-alerts-")
    ]
    assert sorted(regional) == [
        "notifications-security-alerts-eu-west-1",
        "notifications-security-alerts-us-west-2",
    ]
    topic = {
        t.inputs["region"]: t.outputs["arn"]
        for t in of_type(plan, "aws:sns/topic:Topic")
        if t.name.startswith("notifications-security-alerts-")
    }
    enrollment = {
        a.inputs["region"]: a.inputs["alarmActions"][0]
        for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.name.startswith("macie-enrollment-")
    }
    # Firewall Manager's notification channels (CloudFormation stacks) use the same topics.
    channels = {c.inputs["region"]: c for c in of_type(plan, "aws:cloudformation/stack:Stack")}
    for region in ("us-west-2", "eu-west-1"):
        assert enrollment[region] == topic[region]
        assert topic[region] in json.dumps(channels[region].inputs)
