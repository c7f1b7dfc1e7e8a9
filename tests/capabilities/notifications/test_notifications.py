"""Notifications: encrypted topics, scoped publishers, TLS-only, email and HTTPS subscribers."""

import json

import pulumi
import pytest

from baseline.capabilities.notifications.component import (
    Notifications,
    NotificationsArgs,
    TopicArgs,
)
from baseline.completion import CompletedError, Completion
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
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def notifications_program(topics, publishers=(), **overrides):
    """`topics` may be a function, to build secrets inside the program's own runtime;
    `publishers`: role ARNs granted publishing, before the completion runs."""

    def notifications() -> Notifications:
        given = topics() if callable(topics) else topics
        completion = Completion()
        built = Notifications(
            "alerts", NotificationsArgs(topics=given, **overrides), completion=completion
        )
        for role_arn in publishers:
            built.grant_publish(role_arn)
        completion.run()
        return built

    return exporting(notifications, "topic_arns", "key_arn")


def two_topics():
    return {
        "findings": TopicArgs(emails=("secops@example.com", "oncall@example.com")),
        "compliance": TopicArgs(
            https_endpoints=(pulumi.Output.secret("https://hooks.example.com/T0/abc"),)
        ),
    }


@pytest.mark.parametrize("preview", [True, False])
def test_every_topic_is_encrypted_with_the_components_key(preview):
    plan = plan_of(notifications_program(two_topics), preview=preview)
    key = only(plan, "aws:kms/key:Key")
    topics = of_type(plan, TOPIC)
    assert len(topics) == 2
    assert all(topic.inputs["kmsMasterKeyId"] == key.outputs["arn"] for topic in topics)
    assert plan.stack_outputs["key_arn"] == key.outputs["arn"]
    arns = {topic.name: topic.outputs["arn"] for topic in topics}
    assert plan.stack_outputs["topic_arns"] == {
        "findings": arns["alerts-findings"],
        "compliance": arns["alerts-compliance"],
    }


ALARMS = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"
CLOUDWATCH_SOURCE = {
    "StringEquals": {"aws:SourceAccount": [ACCOUNT]},
    "ArnLike": {"aws:SourceArn": [ALARMS]},
}
FMS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"


def test_the_key_admits_each_publishing_service_under_its_documented_conditions():
    plan = plan_of(notifications_program(two_topics))
    policy = document(only(plan, "aws:kms/key:Key"))
    # SNS developer guide: no source condition is supported for EventBridge-to-encrypted topics.
    eventbridge = statement(policy, "AllowEventBridgePublishing")
    assert principals(eventbridge, "Service") == ["events.amazonaws.com"]
    assert actions(eventbridge) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert "Condition" not in eventbridge
    alarms = statement(policy, "AllowCloudWatchAlarmsPublishing")
    assert principals(alarms, "Service") == ["cloudwatch.amazonaws.com"]
    assert actions(alarms) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert alarms["Condition"] == CLOUDWATCH_SOURCE


def test_the_topic_policy_admits_publishers_as_documented_and_refuses_plain_http():
    plan = plan_of(notifications_program(two_topics))
    for topic in of_type(plan, TOPIC):
        policy_resource = only(plan, "aws:sns/topicPolicy:TopicPolicy", f"{topic.name}-policy")
        assert policy_resource.inputs["arn"] == topic.outputs["arn"]
        policy = document(policy_resource)
        management = statement(policy, "AccountManagesTopic")
        assert principals(management, "AWS") == [ROOT]
        assert "sns:Publish" not in actions(management)
        # EventBridge user guide: no Condition block in a topic policy for EventBridge.
        eventbridge = statement(policy, "AllowEventBridgePublish")
        assert principals(eventbridge, "Service") == ["events.amazonaws.com"]
        assert actions(eventbridge) == {"sns:Publish"}
        assert eventbridge["Resource"] == [topic.outputs["arn"]]
        assert "Condition" not in eventbridge
        alarms = statement(policy, "AllowCloudWatchAlarmsPublish")
        assert principals(alarms, "Service") == ["cloudwatch.amazonaws.com"]
        assert alarms["Condition"] == CLOUDWATCH_SOURCE
        deny = statement(policy, "DenyInsecureTransport")
        assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
        assert actions(deny) == {"sns:Publish", "sns:Subscribe"}
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert {each["Sid"] for each in policy["Statement"]} == {
            "AccountManagesTopic",
            "AllowEventBridgePublish",
            "AllowCloudWatchAlarmsPublish",
            "DenyInsecureTransport",
        }


def test_firewall_manager_publishes_as_its_service_linked_role_named_as_principal():
    """Firewall Manager developer guide, required permissions for PutNotificationChannel."""
    plan = plan_of(notifications_program(two_topics, firewall_manager_publishes=True))
    key_grant = statement(document(only(plan, "aws:kms/key:Key")), "AllowFirewallManagerPublishing")
    assert principals(key_grant, "AWS") == [FMS_ROLE]
    assert actions(key_grant) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    assert "Condition" not in key_grant
    for topic in of_type(plan, TOPIC):
        policy = document(only(plan, "aws:sns/topicPolicy:TopicPolicy", f"{topic.name}-policy"))
        publish = statement(policy, "AllowFirewallManagerPublish")
        assert principals(publish, "AWS") == [FMS_ROLE]
        assert actions(publish) == {"sns:Publish"}
        assert publish["Resource"] == [topic.outputs["arn"]]
        assert "Condition" not in publish


FORMATTER = f"arn:aws:iam::{ACCOUNT}:role/security-baseline/alerts-format-0a1b2c3"
NOTIFIER = f"arn:aws:iam::{ACCOUNT}:role/quarantine-remediation-4d5e6f7"


def publisher_policies(plan):
    """The key's and every topic's policy, by resource name."""
    return {
        resource.name: document(resource)
        for resource in (
            only(plan, "aws:kms/key:Key"),
            *of_type(plan, "aws:sns/topicPolicy:TopicPolicy"),
        )
    }


def test_granted_roles_publish_named_exactly_under_the_account_principal():
    plan = plan_of(notifications_program(two_topics, publishers=(FORMATTER, NOTIFIER, FORMATTER)))
    policies = publisher_policies(plan)
    assert len(policies) == 3
    for name, policy in policies.items():
        grant = statement(policy, "AllowPublisherRoles")
        assert principals(grant, "AWS") == [ROOT], name
        # Each role once, in the order granted; no pattern, so no role that was not granted.
        assert grant["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [FORMATTER, NOTIFIER]}}
        assert "*" not in "".join(grant["Condition"]["ArnEquals"]["aws:PrincipalArn"])
    key_grant = statement(policies["alerts-key-key"], "AllowPublisherRoles")
    assert actions(key_grant) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    for topic in of_type(plan, TOPIC):
        publish = statement(policies[f"{topic.name}-policy"], "AllowPublisherRoles")
        assert actions(publish) == {"sns:Publish"}
        assert publish["Resource"] == [topic.outputs["arn"]]


def test_without_grants_no_role_may_publish():
    for policy in publisher_policies(plan_of(notifications_program(two_topics))).values():
        assert "AllowPublisherRoles" not in {each["Sid"] for each in policy["Statement"]}
        assert "aws:PrincipalArn" not in json.dumps(policy)


def test_a_grant_after_the_completion_fails_instead_of_going_unheard():
    def late_grant() -> None:
        completion = Completion()
        built = Notifications(
            "alerts", NotificationsArgs(topics=two_topics()), completion=completion
        )
        completion.run()
        built.grant_publish(FORMATTER)

    with pytest.raises(CompletedError, match="grant_publish after the completion"):
        plan_of(late_grant)


class LaterFailure(Exception):
    pass


def test_an_abandoned_completion_fails_the_policies_with_its_error():
    def failing() -> None:
        completion = Completion()
        built = Notifications(
            "alerts", NotificationsArgs(topics=two_topics()), completion=completion
        )
        built.grant_publish(FORMATTER)
        completion.abandon(LaterFailure("a later capability failed"))

    # No policy is rendered from part of the grants, and the program ends.
    with pytest.raises(Exception, match="a later capability failed"):
        plan_of(failing)


def test_a_grant_names_a_role():
    def bad_grant() -> None:
        completion = Completion()
        built = Notifications(
            "alerts", NotificationsArgs(topics=two_topics()), completion=completion
        )
        try:
            built.grant_publish(f"arn:aws:iam::{ACCOUNT}:role/alerts-format-*")
        except ValueError as error:
            completion.abandon(error)
            raise

    with pytest.raises(ValueError, match="not IAM role ARNs"):
        plan_of(bad_grant)


def test_without_firewall_manager_its_role_is_named_nowhere():
    plan = plan_of(notifications_program(two_topics))
    for resource in (
        only(plan, "aws:kms/key:Key"),
        *of_type(plan, "aws:sns/topicPolicy:TopicPolicy"),
    ):
        assert "AWSServiceRoleForFMS" not in plain(resource.inputs["policy"])


def test_alarms_of_the_topics_region_only():
    plan = plan_of(notifications_program(two_topics, region="eu-west-1"))
    alarms = statement(document(only(plan, "aws:kms/key:Key")), "AllowCloudWatchAlarmsPublishing")
    assert alarms["Condition"]["ArnLike"] == {
        "aws:SourceArn": [f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:*"]
    }


def test_the_deployer_keeps_administering_the_topics_key():
    deployer = f"arn:aws:iam::{ACCOUNT}:role/deploy"
    plan = plan_of(notifications_program(two_topics, key_deployer_arns=(deployer,)))
    policy = document(only(plan, "aws:kms/key:Key"))
    assert principals(statement(policy, "DeployerKeyAdministration"), "AWS") == [deployer]


@pytest.mark.parametrize("preview", [True, False])
def test_email_and_https_subscribers_with_https_endpoints_kept_secret(preview):
    plan = plan_of(notifications_program(two_topics), preview=preview)
    topics = {topic.name: topic.outputs["arn"] for topic in of_type(plan, TOPIC)}
    subscriptions = of_type(plan, SUBSCRIPTION)
    emails = {
        (s.inputs["topic"], s.inputs["endpoint"])
        for s in subscriptions
        if s.inputs["protocol"] == "email"
    }
    assert emails == {
        (topics["alerts-findings"], "secops@example.com"),
        (topics["alerts-findings"], "oncall@example.com"),
    }
    (https,) = [s for s in subscriptions if s.inputs["protocol"] == "https"]
    assert https.inputs["topic"] == topics["alerts-compliance"]
    assert is_secret(https.inputs["endpoint"])
    assert plain(https.inputs["endpoint"]) == "https://hooks.example.com/T0/abc"


def test_a_plain_https_endpoint_is_made_secret():
    plan = plan_of(
        notifications_program({"ops": TopicArgs(https_endpoints=("https://hooks.example.com/x",))})
    )
    assert is_secret(only(plan, SUBSCRIPTION).inputs["endpoint"])


def test_subscription_names_do_not_depend_on_list_order():
    first = plan_of(
        notifications_program({"ops": TopicArgs(emails=("a@example.com", "b@example.com"))})
    )
    second = plan_of(
        notifications_program({"ops": TopicArgs(emails=("b@example.com", "a@example.com"))})
    )
    names = [
        {(s.name, s.inputs["endpoint"]) for s in of_type(plan, SUBSCRIPTION)}
        for plan in (first, second)
    ]
    assert names[0] == names[1]
    assert all("@" not in name for name, _ in names[0])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: NotificationsArgs(topics={}), "at least one topic"),
        (lambda: NotificationsArgs(topics={"bad name": TopicArgs()}), "topic names"),
        (lambda: TopicArgs(emails=("not-an-address",)), "not email addresses"),
        (lambda: TopicArgs(emails=("a@example.com", "A@example.com")), "repeat"),
    ],
)
def test_arguments_aws_would_refuse_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(notifications_program(two_topics, region="sa-east-1"))
    component = only(plan, "security-baseline:notifications:Notifications")
    children = descendants(plan, component)
    assert all(by_urn(plan, child.parent) in [component, *children] for child in children)
    custom = [child for child in children if child.custom]
    assert len(custom) == 2 + 2 + 3 + 2  # topics, policies, subscriptions, key and alias
    assert all(child.inputs["region"] == "sa-east-1" for child in custom)
    assert all(
        topic.outputs["arn"].startswith("arn:aws:sns:sa-east-1:") for topic in of_type(plan, TOPIC)
    )


def test_topic_and_key_policies_pass_parliament():
    plan = plan_of(
        notifications_program(
            two_topics,
            firewall_manager_publishes=True,
            publishers=(FORMATTER,),
            key_administrator_arns=(f"arn:aws:iam::{ACCOUNT}:role/key-admin",),
            key_deployer_arns=(f"arn:aws:iam::{ACCOUNT}:role/deploy",),
        )
    )
    for policy in of_type(plan, "aws:sns/topicPolicy:TopicPolicy"):
        assert lint(policy.inputs["policy"], "resource") == []
    assert lint(only(plan, "aws:kms/key:Key").inputs["policy"], "key") == []
