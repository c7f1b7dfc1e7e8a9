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


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
FORMATTER = "arn:aws:iam::222222222222:role/security-baseline/alerts-format-0a1b2c3"
OTHER_ROLE = "arn:aws:iam::222222222222:role/security-baseline/other-4d5e6f7"
ROLE_USES_KEY = ["kms:GenerateDataKey*", "kms:Decrypt"]
# Key administration without usage: only the statements under test may admit a publisher.
ADMINISTRATION_ONLY = allow(ROOT, ["kms:Describe*", "kms:PutKeyPolicy"])


def by_principal_arn(action: object, *roles: str) -> dict:
    """The account principal, narrowed to `roles` (what Notifications.grant_publish writes)."""
    return {**allow(ROOT, action), "Condition": {"ArnEquals": {"aws:PrincipalArn": list(roles)}}}


def usage_key(*statements: dict) -> PolicyResource:
    props = {"arn": KEY_ARN, "keyId": KEY_ARN.rsplit("/", 1)[1], "id": KEY_ARN.rsplit("/", 1)[1]}
    props["policy"] = document(ADMINISTRATION_ONLY, *statements)
    return resource(KEY, "key", props)


def publishing_role(arn: str = FORMATTER, topic_arn: str = TOPIC_ARN) -> list[PolicyResource]:
    """A role and its inline policy that publishes to `topic_arn`."""
    name = arn.rsplit("/", 1)[1]
    role = resource(ROLE, name, {"arn": arn, "name": name, "id": name})
    policy = resource(
        ROLE_POLICY,
        name,
        {
            "role": name,
            "policy": document(
                {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]}
            ),
        },
        property_dependencies={"role": [role]},
    )
    return [role, policy]


def test_a_role_granted_by_principal_arn_in_both_policies_may_publish():
    k = usage_key(by_principal_arn(ROLE_USES_KEY, OTHER_ROLE, FORMATTER))
    t = topic(k)
    policy = topic_policy(t, by_principal_arn("sns:Publish", FORMATTER))
    assert messages(k, t, policy, *publishing_role()) == []


def test_a_role_named_as_principal_may_publish():
    k = usage_key(allow({"AWS": FORMATTER}, ROLE_USES_KEY))
    t = topic(k)
    assert (
        messages(
            k, t, topic_policy(t, allow({"AWS": FORMATTER}, "sns:Publish")), *publishing_role()
        )
        == []
    )


def test_a_role_not_granted_is_not_admitted_by_the_account_principal():
    k = usage_key(by_principal_arn(ROLE_USES_KEY, OTHER_ROLE))
    t = topic(k)
    policy = topic_policy(t, by_principal_arn("sns:Publish", OTHER_ROLE))
    found = messages(k, t, policy, *publishing_role())
    assert len(found) == 2
    assert all(f"{FORMATTER} publishes to it (for 'alerts-format-0a1b2c3')" in m for m in found)
    assert any("the topic policy does not allow it sns:Publish" in m for m in found)
    assert any("does not allow it kms:GenerateDataKey* and kms:Decrypt" in m for m in found)


def test_a_role_excluded_by_principal_arn_is_not_admitted():
    excluded = {
        **allow(ROOT, ROLE_USES_KEY),
        "Condition": {
            "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/security-baseline/*"}
        },
    }
    k = usage_key(excluded)
    t = topic(k)
    [message] = messages(k, t, *publishing_role())
    assert "does not allow it kms:GenerateDataKey* and kms:Decrypt" in message


def test_a_role_that_publishes_to_no_topic_of_the_stack_is_not_judged():
    k = usage_key()
    t = topic(k)
    elsewhere = "arn:aws:sns:us-east-1:222222222222:elsewhere"
    assert messages(k, t, *publishing_role(topic_arn=elsewhere)) == []


def test_a_role_whose_arn_is_unknown_leaves_the_topic_undecided():
    name = "pending-role"
    response = analyze_stack(
        sns_publishers.POLICIES,
        [
            (KEY, "key", {"arn": KEY_ARN, "policy": document(ADMINISTRATION_ONLY)}, {}),
            (
                TOPIC,
                "alerts",
                {"arn": TOPIC_ARN, "kmsMasterKeyId": KEY_ARN},
                {"kmsMasterKeyId": [urn_of(KEY, "key")]},
            ),
            (ROLE, name, {"arn": UNKNOWN_STRING_VALUE, "name": name}, {}),
            (
                ROLE_POLICY,
                name,
                {
                    "role": name,
                    "policy": document(
                        {"Effect": "Allow", "Action": "sns:Publish", "Resource": TOPIC_ARN}
                    ),
                },
                {"role": [urn_of(ROLE, name)]},
            ),
        ],
    )
    [diagnostic] = response.diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert f"not checked: '{name}'" in diagnostic.message
