"""one-per-account-and-region: services AWS lets an account enable once per Region."""

import pytest

from tests.policy_harness import by_name, resource, urn_of, validate_stack

# isort: split

import singletons

POLICY = by_name(singletons.POLICIES, "one-per-account-and-region")
SECURITY = "urn:pulumi:prod::baseline::pulumi:providers:aws::security::id-1"
MANAGEMENT = "urn:pulumi:prod::baseline::pulumi:providers:aws::management::id-2"
DOCUMENTS = {
    "aws:cfg/recorder:Recorder": "PutConfigurationRecorder",
    "aws:cfg/deliveryChannel:DeliveryChannel": "PutDeliveryChannel",
    "aws:guardduty/detector:Detector": "CreateDetector",
    "aws:securityhub/account:Account": "EnableSecurityHub",
    "aws:macie2/account:Account": "EnableMacie",
}


def one(resource_type: str, name: str, region: str | None = None, provider: str = SECURITY):
    props = {"region": region} if region else {}
    return resource(
        resource_type, name, props, provider=provider, provider_props={"region": "us-east-1"}
    )


@pytest.mark.parametrize("resource_type", sorted(DOCUMENTS))
def test_two_for_one_provider_and_region_fail_naming_the_api_document(resource_type):
    first, second = one(resource_type, "a"), one(resource_type, "b", "us-east-1")
    [violation] = validate_stack(POLICY, [first, second])
    assert violation.urn == urn_of(resource_type, "b")
    assert "for provider 'id-1' in us-east-1, after 'a'" in violation.message
    assert DOCUMENTS[resource_type] in violation.message


def test_the_same_one_is_the_duplicate_in_either_stack_order():
    recorder = "aws:cfg/recorder:Recorder"
    first, second = one(recorder, "a"), one(recorder, "b", "us-east-1")
    for stack in ([first, second], [second, first]):
        [violation] = validate_stack(POLICY, stack)
        assert violation.urn == urn_of(recorder, "b")
        assert "after 'a'" in violation.message


@pytest.mark.parametrize("resource_type", sorted(DOCUMENTS))
def test_one_per_region_or_per_provider_passes(resource_type):
    per_region = [one(resource_type, "a"), one(resource_type, "b", "eu-west-1")]
    per_account = [
        one(resource_type, "c", "eu-central-1"),
        one(resource_type, "d", "eu-central-1", provider=MANAGEMENT),
    ]
    assert validate_stack(POLICY, per_region + per_account) == []


def test_different_services_do_not_collide():
    resources = [one(t, t.rsplit(":", 1)[1]) for t in DOCUMENTS]
    assert validate_stack(POLICY, resources) == []


def test_resources_of_the_default_provider_share_it():
    recorder = "aws:cfg/recorder:Recorder"
    first, second = (resource(recorder, name, {}) for name in ("a", "b"))
    [violation] = validate_stack(POLICY, [first, second])
    assert "the default provider" in violation.message
