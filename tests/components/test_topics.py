"""EncryptedTopic: its own key, SHA256 signatures, account-scoped publishers, TLS only."""

import pulumi
import pytest

from components import EncryptedTopic, EncryptedTopicArgs, TopicSubscriber
from tests.components_harness import (
    ACCOUNT,
    ROOT,
    by_urn,
    descendants,
    exporting,
    of_type,
    only,
    plan_of,
)
from tests.policy_documents import actions, document, is_secret, lint, plain, principals, statement

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
KEY = "aws:kms/key:Key"
API_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-api"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:work"


def topic_program(args_factory=EncryptedTopicArgs, **overrides):
    """`args_factory` builds the args inside the program, where Outputs can exist."""

    return exporting(
        lambda: EncryptedTopic("events", args_factory(**overrides)), "arn", "name", "key_arn"
    )


@pytest.mark.parametrize("preview", [True, False])
def test_the_topic_is_encrypted_with_its_own_key_and_signs_with_sha256(preview):
    plan = plan_of(topic_program(), preview=preview)
    key = only(plan, KEY)
    topic = only(plan, TOPIC)
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert topic.inputs["signatureVersion"] == 2.0
    assert key.inputs["enableKeyRotation"] is True
    assert plan.stack_outputs == {
        "arn": topic.outputs["arn"],
        "name": topic.outputs["name"],
        "key_arn": key.outputs["arn"],
    }


def test_every_resource_is_a_child_of_the_component():
    plan = plan_of(topic_program(subscribers=(TopicSubscriber("q", "sqs", QUEUE_ARN),)))
    component = only(plan, "security-baseline:topics:EncryptedTopic")
    below = {resource.type for resource in descendants(plan, component)}
    assert {TOPIC, TOPIC_POLICY, SUBSCRIPTION, KEY, "aws:kms/alias:Alias"} <= below
    assert by_urn(plan, only(plan, TOPIC).parent) == component


def test_without_publishers_the_policy_only_lets_the_account_manage_and_refuses_plain_http():
    plan = plan_of(topic_program())
    topic = only(plan, TOPIC)
    policy_resource = only(plan, TOPIC_POLICY)
    assert policy_resource.inputs["arn"] == topic.outputs["arn"]
    policy = document(policy_resource)
    assert [each["Sid"] for each in policy["Statement"]] == [
        "AccountManagesTopic",
        "DenyInsecureTransport",
    ]
    management = statement(policy, "AccountManagesTopic")
    assert principals(management, "AWS") == [ROOT]
    assert "sns:Publish" not in actions(management)
    deny = statement(policy, "DenyInsecureTransport")
    assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
    assert {"sns:Publish", "sns:Subscribe", "sns:SetTopicAttributes"} <= actions(deny)
    assert deny["Resource"] == [topic.outputs["arn"]]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    key_policy = document(only(plan, KEY))
    assert [each["Sid"] for each in key_policy["Statement"]] == ["KeyAdministration"]


def test_named_publishers_get_the_topic_and_the_key_under_their_documented_conditions():
    plan = plan_of(
        topic_program(
            publisher_services=("events.amazonaws.com", "s3.amazonaws.com"),
            publisher_role_arns=(API_ROLE,),
        )
    )
    topic_arn = only(plan, TOPIC).outputs["arn"]
    policy = document(only(plan, TOPIC_POLICY))
    this_account = {"StringEquals": {"aws:SourceAccount": [ACCOUNT]}}
    eventbridge = statement(policy, "AllowEventBridgePublish")
    assert principals(eventbridge, "Service") == ["events.amazonaws.com"]
    assert actions(eventbridge) == {"sns:Publish"}
    assert eventbridge["Resource"] == [topic_arn]
    assert "Condition" not in eventbridge  # EventBridge user guide: no Condition blocks
    s3 = statement(policy, "AllowS3Publish")
    assert principals(s3, "Service") == ["s3.amazonaws.com"]
    assert s3["Condition"] == this_account
    roles = statement(policy, "AllowPublisherRoles")
    assert principals(roles, "AWS") == [ROOT]
    assert roles["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [API_ROLE]}}
    key_policy = document(only(plan, KEY))
    eventbridge_key = statement(key_policy, "AllowEventBridgePublishing")
    assert actions(eventbridge_key) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert "Condition" not in eventbridge_key
    assert statement(key_policy, "AllowS3Publishing")["Condition"] == this_account
    role_key = statement(key_policy, "AllowPublisherRoles")
    assert actions(role_key) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert role_key["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [API_ROLE]}}


def test_the_deployer_keeps_administering_the_topic_key():
    deployer = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    key_policy = document(only(plan_of(topic_program(key_deployer_arns=(deployer,))), KEY))
    assert principals(statement(key_policy, "DeployerKeyAdministration"), "AWS") == [deployer]


def test_policies_lint_clean():
    plan = plan_of(
        topic_program(publisher_services=("events.amazonaws.com",), publisher_role_arns=(API_ROLE,))
    )
    assert lint(only(plan, TOPIC_POLICY).inputs["policy"], "resource") == []
    assert lint(only(plan, KEY).inputs["policy"], "key") == []


def test_a_given_key_is_used_and_no_key_is_created():
    given = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    plan = plan_of(topic_program(kms_key_arn=given))
    assert of_type(plan, KEY) == []
    assert only(plan, TOPIC).inputs["kmsMasterKeyId"] == given
    assert plan.stack_outputs["key_arn"] == given


@pytest.mark.parametrize("preview", [True, False])
def test_subscribers_from_the_args_and_added_later_with_https_endpoints_secret(preview):
    def program() -> None:
        topic = EncryptedTopic(
            "events",
            EncryptedTopicArgs(
                subscribers=(
                    TopicSubscriber("ops", "email", "ops@example.com"),
                    TopicSubscriber(
                        "hook", "https", pulumi.Output.secret("https://hooks.example.com/T/x")
                    ),
                )
            ),
        )
        topic.subscribe(TopicSubscriber("work", "sqs", QUEUE_ARN))

    plan = plan_of(program, preview=preview)
    topic_arn = only(plan, TOPIC).outputs["arn"]
    subscriptions = {s.name: s.inputs for s in of_type(plan, SUBSCRIPTION)}
    assert set(subscriptions) == {"events-ops", "events-hook", "events-work"}
    assert all(inputs["topic"] == topic_arn for inputs in subscriptions.values())
    assert subscriptions["events-work"]["protocol"] == "sqs"
    assert subscriptions["events-work"]["endpoint"] == QUEUE_ARN
    assert subscriptions["events-ops"]["endpoint"] == "ops@example.com"
    hook = subscriptions["events-hook"]["endpoint"]
    assert is_secret(hook)
    assert plain(hook) == "https://hooks.example.com/T/x"


def test_args_refuse_what_would_weaken_or_break_the_topic():
    with pytest.raises(ValueError, match="protocol 'http' is not one of"):
        TopicSubscriber("plain", "http", "http://example.com")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="starts with https://"):
        TopicSubscriber("hook", "https", "http://example.com")
    with pytest.raises(ValueError, match="not IAM role ARNs"):
        EncryptedTopicArgs(publisher_role_arns=("orders-api",))
    with pytest.raises(ValueError, match="service principals"):
        EncryptedTopicArgs(publisher_services=("123456789012",))
    with pytest.raises(ValueError, match="subscriber names repeat"):
        EncryptedTopicArgs(
            subscribers=(
                TopicSubscriber("a", "sqs", QUEUE_ARN),
                TopicSubscriber("a", "lambda", "x"),
            )
        )
    with pytest.raises(ValueError, match="FIFO topics are not supported"):
        EncryptedTopicArgs(topic_name="orders.fifo")
