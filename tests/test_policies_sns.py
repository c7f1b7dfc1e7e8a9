"""SNS policies: topic encryption and topic policies closed to the public."""

import json

import pytest

from tests.policy_harness import by_name, validate_resource

# isort: split

import sns

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:security-alerts"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def check(name: str, resource_type: str, props: dict) -> list[str]:
    return validate_resource(by_name(sns.POLICIES, name), resource_type, props)


def test_topic_with_kms_key_passes():
    assert check("sns-topic-kms-encrypted", TOPIC, {"kmsMasterKeyId": KEY_ARN}) == []


@pytest.mark.parametrize("props", [{}, {"kmsMasterKeyId": ""}])
def test_topic_without_kms_key_fails(props):
    assert check("sns-topic-kms-encrypted", TOPIC, props) == [
        "kms_master_key_id is not set: messages are stored unencrypted by KMS."
    ]


def publish(principal: object, condition: dict | None = None) -> str:
    statement = {"Sid": "Publish", "Effect": "Allow", "Principal": principal}
    statement |= {"Action": "sns:Publish", "Resource": TOPIC_ARN}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize(
    "policy",
    [
        publish({"Service": "events.amazonaws.com"}),
        publish("*", {"StringEquals": {"aws:SourceAccount": "123456789012"}}),
        publish(
            {"AWS": "*"}, {"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:*:123456789012:*"}}
        ),
    ],
)
@pytest.mark.parametrize("resource_type", [TOPIC, TOPIC_POLICY])
def test_topic_policy_limited_to_a_service_or_account_passes(resource_type, policy):
    assert check("sns-topic-policy-no-public-principal", resource_type, {"policy": policy}) == []


@pytest.mark.parametrize("resource_type", [TOPIC, TOPIC_POLICY])
def test_topic_policy_open_to_anyone_fails(resource_type):
    messages = check(
        "sns-topic-policy-no-public-principal", resource_type, {"policy": publish("*")}
    )
    assert messages == [
        "policy: statement 1 (Sid 'Publish') allows any principal with no account condition."
    ]


def test_topic_policy_given_as_an_object_is_read_too():
    policy = json.loads(publish({"AWS": "*"}))
    assert len(check("sns-topic-policy-no-public-principal", TOPIC_POLICY, {"policy": policy})) == 1


def test_unparsable_topic_policy_is_left_to_iam_policy_valid():
    assert (
        check("sns-topic-policy-no-public-principal", TOPIC_POLICY, {"policy": "{not json"}) == []
    )
