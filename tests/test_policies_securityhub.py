"""securityhub-standards-enabled: every hub subscribes to a standard."""

from tests.policy_harness import resource, urn_of, validate_stack

# isort: split

import securityhub

ACCOUNT = "aws:securityhub/account:Account"
SUBSCRIPTION = "aws:securityhub/standardsSubscription:StandardsSubscription"
CIS_ARN = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0"
POLICY = securityhub.POLICIES[0]


def test_hub_with_a_standard_it_depends_on_passes():
    hub = resource(ACCOUNT, "hub", {"enableDefaultStandards": False})
    cis = resource(SUBSCRIPTION, "cis", {"standardsArn": CIS_ARN}, dependencies=[hub])
    assert validate_stack(POLICY, [hub, cis]) == []


def test_hub_without_any_standard_fails():
    hub = resource(ACCOUNT, "hub", {"enableDefaultStandards": False})
    [violation] = validate_stack(POLICY, [hub])
    assert violation.urn == urn_of(ACCOUNT, "hub")
    assert violation.message == "Security Hub account 'hub' has no StandardsSubscription."


def test_standard_in_another_region_does_not_cover_the_hub():
    hub = resource(ACCOUNT, "hub-eu", {"region": "eu-west-1"})
    cis = resource(SUBSCRIPTION, "cis-us", {"standardsArn": CIS_ARN, "region": "us-east-1"})
    assert len(validate_stack(POLICY, [hub, cis])) == 1


def test_standard_of_the_same_account_and_region_covers_the_hub_without_a_dependency():
    provider = "urn:pulumi:test::app::pulumi:providers:aws::security::prov-id"
    hub = resource(ACCOUNT, "hub-eu", {"region": "eu-west-1"}, provider=provider)
    cis = resource(
        SUBSCRIPTION, "cis-eu", {"standardsArn": CIS_ARN, "region": "eu-west-1"}, provider=provider
    )
    assert validate_stack(POLICY, [hub, cis]) == []


def test_stack_without_security_hub_has_nothing_to_check():
    assert validate_stack(POLICY, [resource("aws:s3/bucket:Bucket", "b", {"bucket": "b"})]) == []


CONFIGURATION_POLICY = "aws:securityhub/configurationPolicy:ConfigurationPolicy"
ASSOCIATION = "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"
HUB_ARN = "arn:aws:securityhub:us-east-1:222222222222:hub/default"


def _central(target: str, *, standards: list[str]) -> list:
    hub = resource(ACCOUNT, "hub", {"arn": HUB_ARN})
    policy = resource(
        CONFIGURATION_POLICY,
        "baseline",
        {"configurationPolicy": {"serviceEnabled": True, "enabledStandardArns": standards}},
    )
    association = resource(
        ASSOCIATION,
        "to-target",
        {"targetId": target, "policyId": "0b1c2d3e-0000-4000-8000-000000000000"},
        property_dependencies={"policyId": [policy]},
    )
    return [hub, policy, association]


def test_a_policy_with_standards_for_the_root_covers_the_hub():
    assert validate_stack(POLICY, _central("r-ab12", standards=[CIS_ARN])) == []


def test_a_policy_with_standards_for_the_hubs_own_account_covers_it():
    assert validate_stack(POLICY, _central("222222222222", standards=[CIS_ARN])) == []


def test_a_policy_for_ous_only_or_without_standards_does_not_cover_the_hub():
    assert len(validate_stack(POLICY, _central("ou-ab12-34cd56ef", standards=[CIS_ARN]))) == 1
    assert len(validate_stack(POLICY, _central("r-ab12", standards=[]))) == 1
