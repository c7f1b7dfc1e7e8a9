"""tags-no-sensitive-data and provider-default-tags-no-sensitive-data: emails, card numbers,
AWS keys in tag values, the resource's own or its provider's defaults."""

import json
from pathlib import Path

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from baseline.project import load_stack_file
from baseline.spec_loader import CONFIG_KEY
from tests.policy_harness import analyze, by_name, validate_resource

# isort: split

import tags

POLICY = by_name(tags.POLICIES, "tags-no-sensitive-data")
DEFAULT_TAGS = by_name(tags.POLICIES, "provider-default-tags-no-sensitive-data")
BUCKET = "aws:s3/bucket:Bucket"
PROVIDER = "pulumi:providers:aws"


def test_policy_takes_the_pack_default_mandatory_level():
    # False positives are exempted per resource in the pack config, not by an advisory level.
    assert POLICY.enforcement_level is None


@pytest.mark.parametrize(
    "value",
    [
        "platform-team",
        "123456789012",  # an account id
        "1700000000000",  # epoch milliseconds
        "4111111111111112",  # 16 digits, not Luhn-valid
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # a git commit id
        "arn:aws:iam::123456789012:role/app",
        "AROAEXAMPLEID1234567",  # a role id is not a credential
    ],
)
def test_ordinary_tag_values_pass(value):
    assert validate_resource(POLICY, BUCKET, {"tags": {"Owner": value}}) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jane.doe@example.com", "an email address"),
        ("card 4111 1111 1111 1111 on file", "a payment card number"),
        ("378282246310005", "a payment card number"),
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("ASIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "an AWS secret access key"),
    ],
)
def test_sensitive_tag_values_are_reported_without_the_value(value, kind):
    [message] = validate_resource(POLICY, BUCKET, {"tags": {"Contact": value, "Team": "data"}})
    assert message == f"tag 'Contact' looks like it holds {kind}."
    assert value not in message


def test_list_shaped_tags_are_checked():
    asg_tags = [{"key": "Owner", "value": "ops@example.com", "propagateAtLaunch": True}]
    assert validate_resource(POLICY, "aws:autoscaling/group:Group", {"tags": asg_tags}) == [
        "tag 'Owner' looks like it holds an email address."
    ]


def test_luhn_check():
    assert tags.luhn_valid("4111111111111111")
    assert not tags.luhn_valid("4111111111111112")


def provider_props(default_tags: dict) -> dict:
    # As the engine hands them over: the SDK serializes a provider's nested config to JSON.
    return {"region": "us-east-1", "defaultTags": json.dumps({"tags": default_tags})}


def test_provider_default_tags_with_a_team_handle_pass():
    props = provider_props({"Owner": "platform-security", "Environment": "prod"})
    assert validate_resource(DEFAULT_TAGS, PROVIDER, props) == []


@pytest.mark.parametrize(
    "default_tags",
    [
        json.dumps({"tags": {"Owner": "platform-security@example.com"}}),
        {"tags": {"Owner": "platform-security@example.com"}},  # an SDK sending the object
    ],
)
def test_an_email_in_provider_default_tags_is_reported_once_on_the_provider(default_tags):
    assert validate_resource(DEFAULT_TAGS, PROVIDER, {"defaultTags": default_tags}) == [
        "default_tags tag 'Owner' looks like it holds an email address: the provider puts it "
        "on every resource it creates."
    ]


def test_default_tags_are_not_read_on_other_types_nor_tags_on_providers():
    # A resource's own tags are the other policy's; a provider has no tags of its own.
    emails = {"Owner": "ops@example.com"}
    assert validate_resource(DEFAULT_TAGS, BUCKET, {"tags": emails, **provider_props(emails)}) == []
    assert validate_resource(POLICY, PROVIDER, provider_props(emails)) == []


def test_a_provider_without_default_tags_or_with_malformed_ones_passes():
    assert validate_resource(DEFAULT_TAGS, PROVIDER, {"region": "us-east-1"}) == []
    assert validate_resource(DEFAULT_TAGS, PROVIDER, {"defaultTags": "{not json"}) == []


def test_unknown_default_tags_are_left_to_the_sdk_preview_advisory():
    response = analyze([DEFAULT_TAGS], PROVIDER, {"defaultTags": UNKNOWN_STRING_VALUE})
    [diagnostic] = response.diagnostics
    assert "during preview" in diagnostic.message


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_baselines_own_tags_hold_nothing_sensitive(stack):
    """The spec's tags become every provider's default_tags: a team handle, not an email."""
    spec = load_stack_file(Path(__file__).parent.parent, stack).config[CONFIG_KEY]
    values = dict(spec.get("tags", {}))
    assert values, stack
    found = {key: kinds for key, value in values.items() if (kinds := tags.sensitive_kinds(value))}
    assert found == {}
