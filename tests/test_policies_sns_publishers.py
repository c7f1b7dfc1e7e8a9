"""sns-encrypted-topic-admits-publishers: services that publish to an encrypted topic may use it."""

import json

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze_stack, by_name, resource, urn_of, validate_stack

# isort: split

import sns_publishers

POLICY = by_name(sns_publishers.POLICIES, "sns-encrypted-topic-admits-publishers")
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ALIAS = "aws:kms/alias:Alias"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
CFN_STACK = "aws:cloudformation/stack:Stack"
KEY_ARN = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC_ARN = "arn:aws:sns:us-east-1:222222222222:alerts"
FMS_ROLE = "arn:aws:iam::222222222222:role/aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"
ROOT = {"AWS": "arn:aws:iam::222222222222:root"}


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: object, actions: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": actions, "Resource": "*"}


ADMINISTRATION = allow(ROOT, "kms:*")


def key(*statements: dict, name: str = "key") -> PolicyResource:
    props = {"arn": KEY_ARN, "keyId": KEY_ARN.rsplit("/", 1)[1], "id": KEY_ARN.rsplit("/", 1)[1]}
    if statements:
        props["policy"] = document(ADMINISTRATION, *statements)
    return resource(KEY, name, props)


def topic(encryption: PolicyResource | None, key_id: str = KEY_ARN) -> PolicyResource:
    deps = {"kmsMasterKeyId": [encryption]} if encryption is not None else {}
    return resource(
        TOPIC,
        "alerts",
        {"arn": TOPIC_ARN, "id": TOPIC_ARN, "kmsMasterKeyId": key_id},
        property_dependencies=deps,
    )


def topic_policy(subject: PolicyResource, *statements: dict) -> PolicyResource:
    return resource(
        TOPIC_POLICY,
        "alerts-policy",
        {"arn": TOPIC_ARN, "policy": document(*statements)},
        property_dependencies={"arn": [subject]},
    )


def event_target(subject: PolicyResource) -> PolicyResource:
    return resource(
        TARGET, "to-alerts", {"arn": TOPIC_ARN}, property_dependencies={"arn": [subject]}
    )


def messages(*resources: PolicyResource) -> list[str]:
    return [v.message for v in validate_stack(POLICY, list(resources))]


EVENTS_USE_KEY = allow({"Service": "events.amazonaws.com"}, ["kms:GenerateDataKey*", "kms:Decrypt"])
EVENTS_PUBLISH = allow({"Service": "events.amazonaws.com"}, "sns:Publish")


def test_an_event_target_on_a_topic_whose_key_and_policy_admit_eventbridge_passes():
    k = key(EVENTS_USE_KEY)
    t = topic(k)
    assert messages(k, t, topic_policy(t, EVENTS_PUBLISH), event_target(t)) == []


def test_a_key_policy_without_the_publishing_service_fails_naming_the_sns_document():
    k = key(allow({"Service": "cloudtrail.amazonaws.com"}, "kms:GenerateDataKey*"))
    t = topic(k)
    [violation] = validate_stack(POLICY, [k, t, topic_policy(t, EVENTS_PUBLISH), event_target(t)])
    assert violation.urn == urn_of(TOPIC, "alerts")
    assert "events.amazonaws.com publishes to it (for 'to-alerts')" in violation.message
    assert "the policy of key 'key' does not allow it kms:GenerateDataKey* and kms:Decrypt" in (
        violation.message
    )
    assert "Enable compatibility between event sources from AWS services and encrypted topics" in (
        violation.message
    )


def test_a_key_with_the_default_key_policy_admits_no_service():
    k = key()
    t = topic(k)
    [message] = messages(k, t, event_target(t))
    assert "key 'key' keeps KMS's default key policy" in message


def test_the_aws_managed_sns_key_cannot_admit_a_service():
    t = topic(None, key_id="alias/aws/sns")
    [message] = messages(t, event_target(t))
    assert "the AWS managed key alias/aws/sns cannot admit it" in message


def test_a_topic_policy_that_does_not_admit_the_service_fails():
    k = key(EVENTS_USE_KEY)
    t = topic(k)
    [message] = messages(k, t, topic_policy(t, allow(ROOT, "sns:*")), event_target(t))
    assert "the topic policy does not allow it sns:Publish" in message


def test_an_unencrypted_topic_is_not_this_policys_concern():
    t = resource(TOPIC, "alerts", {"arn": TOPIC_ARN})
    assert messages(t, topic_policy(t, allow(ROOT, "sns:*")), event_target(t)) == []


def test_an_alarm_names_its_topic_by_value_when_it_has_no_dependency():
    k = key(allow({"Service": "events.amazonaws.com"}, "kms:*"))
    t = topic(k)
    alarm = resource(ALARM, "errors", {"alarmActions": [TOPIC_ARN], "okActions": [TOPIC_ARN]})
    [message] = messages(k, t, alarm)
    assert "cloudwatch.amazonaws.com publishes to it (for 'errors')" in message


def test_many_publishers_of_one_service_are_reported_once_per_topic():
    k = key()
    t = topic(k)
    targets = [
        resource(TARGET, f"rule-{n}", {"arn": TOPIC_ARN}, property_dependencies={"arn": [t]})
        for n in range(5)
    ]
    [message] = messages(k, t, *targets)
    assert "(for 'rule-0', 'rule-1', 'rule-2', ...)" in message


def test_a_key_policy_resource_replaces_the_keys_own_policy():
    k = key(EVENTS_USE_KEY)
    t = topic(k)
    replacement = resource(
        KEY_POLICY,
        "key-policy",
        {"keyId": k.props["keyId"], "policy": document(ADMINISTRATION)},
        property_dependencies={"keyId": [k]},
    )
    [message] = messages(k, replacement, t, event_target(t))
    assert "does not allow it kms:GenerateDataKey* and kms:Decrypt" in message


def test_a_topic_encrypted_through_an_alias_is_checked_against_the_aliased_key():
    k = key(allow({"Service": "s3.amazonaws.com"}, ["kms:GenerateDataKey", "kms:Decrypt"]))
    alias = resource(
        ALIAS,
        "alias",
        {"name": "alias/alerts", "targetKeyId": k.props["keyId"]},
        property_dependencies={"targetKeyId": [k]},
    )
    t = topic(alias, key_id="alias/alerts")
    notification = resource(
        NOTIFICATION,
        "uploads",
        {"bucket": "b", "topics": [{"topicArn": TOPIC_ARN, "events": ["s3:ObjectCreated:*"]}]},
        property_dependencies={"topics": [t]},
    )
    assert messages(k, alias, t, notification) == []
    events_only = key(EVENTS_USE_KEY)
    [message] = messages(events_only, alias, t, notification)
    assert "s3.amazonaws.com publishes to it (for 'uploads')" in message


FMS_TEMPLATE = "Resources:\n  Channel:\n    Type: AWS::FMS::NotificationChannel\n"


def fms_channel(subject: PolicyResource) -> PolicyResource:
    return resource(
        CFN_STACK,
        "fms-channel",
        {
            "templateBody": FMS_TEMPLATE,
            "parameters": {"SnsTopicArn": TOPIC_ARN, "SnsRoleName": FMS_ROLE},
        },
        property_dependencies={"parameters": [subject]},
    )


def test_a_firewall_manager_channel_needs_its_role_named_in_both_policies():
    k = key(allow({"AWS": FMS_ROLE}, ["kms:GenerateDataKey*", "kms:Decrypt"]))
    t = topic(k)
    assert (
        messages(k, t, topic_policy(t, allow({"AWS": FMS_ROLE}, "sns:Publish")), fms_channel(t))
        == []
    )


def test_the_account_root_with_a_principal_arn_condition_does_not_admit_the_fms_role():
    k = key(allow({"AWS": FMS_ROLE}, ["kms:GenerateDataKey*", "kms:Decrypt"]))
    t = topic(k)
    by_condition = {
        **allow(ROOT, "sns:Publish"),
        "Condition": {"ArnEquals": {"aws:PrincipalArn": FMS_ROLE}},
    }
    [message] = messages(k, t, topic_policy(t, by_condition), fms_channel(t))
    assert f"{FMS_ROLE} publishes to it (for 'fms-channel')" in message
    assert "the topic policy does not allow it sns:Publish" in message


@pytest.mark.parametrize("publisher", ["target", "alarm"])
def test_an_unknown_publisher_is_set_aside_and_the_rest_still_checked(publisher):
    response = analyze_stack(
        sns_publishers.POLICIES,
        [
            (KEY, "key", {"arn": KEY_ARN, "policy": document(ADMINISTRATION)}, {}),
            (
                TOPIC,
                "alerts",
                {"arn": TOPIC_ARN, "kmsMasterKeyId": KEY_ARN},
                {"kmsMasterKeyId": [urn_of(KEY, "key")]},
            ),
            (TARGET, "known", {"arn": TOPIC_ARN}, {"arn": [urn_of(TOPIC, "alerts")]}),
            (
                TARGET if publisher == "target" else ALARM,
                "pending",
                {"arn": UNKNOWN_STRING_VALUE, "alarmActions": [UNKNOWN_STRING_VALUE]},
                {},
            ),
        ],
    )
    levels = sorted(d.enforcementLevel for d in response.diagnostics)
    assert levels == [analyzer_pb2.ADVISORY, analyzer_pb2.MANDATORY]
    advisory = next(d for d in response.diagnostics if d.enforcementLevel == analyzer_pb2.ADVISORY)
    assert "not checked: 'pending'" in advisory.message
