"""SNS: an encrypted topic must admit the AWS services that the stack has publish to it.

A service publishing to a topic encrypted with a KMS key needs the topic policy to allow it
sns:Publish and the key policy to allow it kms:GenerateDataKey* and kms:Decrypt; without them
the messages are dropped at run time, with nothing in the plan to show it (Amazon SNS
Developer Guide, "Encryption at rest" and "Enable compatibility between event sources from
AWS services and encrypted topics"). The AWS managed key alias/aws/sns cannot be given to
them: its policy cannot be changed. Firewall Manager publishes with the role its notification
channel names (FMS API Reference, PutNotificationChannel: the topic's access policy must allow
SnsRoleName to publish). A role of the stack whose inline policy (RolePolicy) allows it
sns:Publish on a topic of the stack by ARN publishes too: the key policy must let it use the
key, by its ARN or by its account under an `aws:PrincipalArn` condition that names it (the
baseline's topics `grant_publish`). A role outside the stack is not seen.

A topic with no access policy of its own keeps SNS's default one, which this policy does not
judge; a key outside the stack is not seen. Conditions in statements are not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from documents import (
    allows_action,
    aws_principal,
    documents_of_resource,
    grants,
    grants_to_role,
    parse,
    service_principal,
    statements,
)
from graph import Undecided, by_type, known, named_targets, values_of
from helpers import as_list, as_mapping, label, names_a_value, text
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ALIAS = "aws:kms/alias:Alias"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
CFN_STACK = "aws:cloudformation/stack:Stack"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
PUBLISHER_TYPES = (EVENT_TARGET, METRIC_ALARM, BUCKET_NOTIFICATION, CFN_STACK, ROLE_POLICY)
TYPES = (TOPIC, TOPIC_POLICY, KEY, KEY_POLICY, ALIAS, ROLE, *PUBLISHER_TYPES)
DOCUMENT = (
    "Amazon SNS Developer Guide: Enable compatibility between event sources from AWS "
    "services and encrypted topics"
)
AWS_MANAGED_SNS_KEY = "alias/aws/sns"
KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
ALARM_ACTIONS = ("alarmActions", "okActions", "insufficientDataActions")
FMS_ROLE = "role/aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"
FMS_CHANNEL = "AWS::FMS::NotificationChannel"
KEY_IDS = ("arn", "keyId", "id")


@dataclass(frozen=True)
class Publisher:
    """Who publishes to a topic: a service principal, or a role ARN. Firewall Manager's role
    must be named as principal; a role of the account may be admitted by its account principal
    under an `aws:PrincipalArn` condition (`by_account`)."""

    principal: str
    is_service: bool
    by_account: bool = False

    def granted(self, document: Mapping[str, Any], action: str) -> bool:
        if self.is_service:
            return grants(document, action, service_principal(self.principal))
        if self.by_account:
            return grants_to_role(document, action, self.principal)
        return grants(document, action, aws_principal(self.principal))


class Stack:
    """The resources of the stack this policy reads, and the policies in force on each."""

    def __init__(self, args: StackValidationArgs) -> None:
        self.found = by_type(args.resources, TYPES)

    def _topics(self, resource: PolicyResource, prop: str, values: Any) -> list[PolicyResource]:
        return named_targets(resource, prop, values, self.found[TOPIC], ("arn", "id"))

    def publishers(self, resource: PolicyResource) -> list[tuple[PolicyResource, Publisher]]:
        """(topic, publisher) pairs for a resource that has a service publish to topics."""
        kind, props = resource.resource_type, resource.props
        if kind == EVENT_TARGET:
            topics = self._topics(resource, "arn", lambda: [props.get("arn")])
            return [(t, Publisher("events.amazonaws.com", True)) for t in topics]
        if kind == METRIC_ALARM:
            topics = [
                t
                for prop in ALARM_ACTIONS
                for t in self._topics(resource, prop, lambda p=prop: values_of(props, p))
            ]
            return [(t, Publisher("cloudwatch.amazonaws.com", True)) for t in topics]
        if kind == BUCKET_NOTIFICATION:
            topics = self._topics(resource, "topics", lambda: _notification_topics(props))
            return [(t, Publisher("s3.amazonaws.com", True)) for t in topics]
        if kind == CFN_STACK and FMS_CHANNEL in text(props, "templateBody"):
            parameters = as_mapping(props.get("parameters"))
            topics = self._topics(resource, "parameters", lambda: [parameters.get("SnsTopicArn")])
            return [(t, Publisher(_fms_role(parameters, t), False)) for t in topics]
        if kind == ROLE_POLICY:
            return self._role_publishers(resource)
        return []

    def _role_publishers(self, policy: PolicyResource) -> list[tuple[PolicyResource, Publisher]]:
        """The topics of the stack a role's inline policy lets it publish to, named by ARN."""
        published = _published_topic_arns(policy.props)
        if not published:
            return []
        roles = named_targets(
            policy, "role", lambda: [policy.props.get("role")], self.found[ROLE], ("name", "id")
        )
        topics = [t for t in self.found[TOPIC] if str(known(t.props, "arn")) in published]
        return [
            (topic, Publisher(str(role.props.get("arn")), False, by_account=True))
            for role in roles
            for topic in topics
        ]

    def key_of(self, topic: PolicyResource) -> PolicyResource | str:
        """The Key resource that encrypts `topic`, or the key id it names outside the stack."""
        keys, aliases = self.found[KEY], self.found[ALIAS]
        named = lambda: [topic.props.get("kmsMasterKeyId")]  # noqa: E731
        for key in named_targets(topic, "kmsMasterKeyId", named, keys, KEY_IDS):
            return key
        for alias in named_targets(topic, "kmsMasterKeyId", named, aliases, ("name", "arn")):
            target = lambda a=alias: [a.props.get("targetKeyId")]  # noqa: E731
            for key in named_targets(alias, "targetKeyId", target, keys, KEY_IDS):
                return key
        return str(topic.props.get("kmsMasterKeyId"))

    def documents(
        self, subject: PolicyResource, attached_type: str, prop: str, ids: tuple[str, ...]
    ) -> list[Mapping[str, Any]]:
        """The policy documents in force on a topic or key: those of the policy resources
        attached to it, which replace the one it was created with, else its own."""
        attached = [
            policy
            for policy in self.found[attached_type]
            if named_targets(policy, prop, partial(values_of, policy.props, prop), [subject], ids)
        ]
        parsed = [parse(f.text) for s in attached or [subject] for f in documents_of_resource(s)]
        return [d for d in parsed if d is not None]


def _published_topic_arns(props: Mapping[str, Any]) -> set[str]:
    """The resources an identity policy allows sns:Publish on, as written (no wildcards)."""
    document = parse(text(props, "policy"))
    if document is None:
        return set()
    published: set[str] = set()
    for each in statements(document):
        if allows_action(each, "sns:Publish"):
            resources = each.get("Resource")
            published.update(
                map(str, [resources] if isinstance(resources, str) else as_list(resources))
            )
    return published


def _notification_topics(props: Mapping[str, Any]) -> list[Any]:
    return [as_mapping(n).get("topicArn") for n in values_of(props, "topics")]


def _fms_role(parameters: Mapping[str, Any], topic: PolicyResource) -> str:
    """The role Firewall Manager publishes with: the channel's SnsRoleName, else its
    service-linked role in the topic's account."""
    role = parameters.get("SnsRoleName")
    if role:
        return str(role)
    parts = str(known(topic.props, "arn") or "").split(":")
    partition, account = (parts[1], parts[4]) if len(parts) > 4 else ("aws", "")
    return f"arn:{partition}:iam::{account}:{FMS_ROLE}"


def _problems(stack: Stack, topic: PolicyResource, publisher: Publisher) -> list[str]:
    """What keeps `publisher` from publishing to the encrypted `topic`."""
    problems = []
    topic_policies = stack.documents(topic, TOPIC_POLICY, "arn", ("arn", "id"))
    if topic_policies and not any(publisher.granted(d, "sns:Publish") for d in topic_policies):
        problems.append("the topic policy does not allow it sns:Publish")
    key = stack.key_of(topic)
    if isinstance(key, str):
        if key == AWS_MANAGED_SNS_KEY or key.endswith(":" + AWS_MANAGED_SNS_KEY):
            problems.append(f"the AWS managed key {AWS_MANAGED_SNS_KEY} cannot admit it")
        return problems
    key_policies = stack.documents(key, KEY_POLICY, "keyId", KEY_IDS)
    if not key_policies:
        problems.append(
            f"key {label(key)} keeps KMS's default key policy, which admits only the "
            "account's IAM principals"
        )
    elif not all(any(publisher.granted(d, a) for d in key_policies) for a in KEY_ACTIONS):
        problems.append(
            f"the policy of key {label(key)} does not allow it kms:GenerateDataKey* and kms:Decrypt"
        )
    return problems


def _publishers_by_topic(
    stack: Stack, undecided: Undecided
) -> dict[tuple[str, str], tuple[PolicyResource, Publisher, list[PolicyResource]]]:
    """Each encrypted topic and publisher, with the resources that make it publish there."""
    grouped: dict[tuple[str, str], tuple[PolicyResource, Publisher, list[PolicyResource]]] = {}

    def collect(resource: PolicyResource) -> None:
        for topic, publisher in stack.publishers(resource):
            if names_a_value(topic.props, "kmsMasterKeyId"):
                key = (topic.urn, publisher.principal)
                _, _, resources = grouped.setdefault(key, (topic, publisher, []))
                if resource not in resources:  # an alarm may name a topic in several actions
                    resources.append(resource)

    for kind in PUBLISHER_TYPES:
        for resource in stack.found[kind]:
            undecided.judge(resource, partial(collect, resource))
    return grouped


def _report_problems(
    stack: Stack,
    topic: PolicyResource,
    publisher: Publisher,
    resources: list[PolicyResource],
    report: ReportViolation,
) -> None:
    sources = ", ".join(label(r) for r in resources[:3]) + (", ..." if len(resources) > 3 else "")
    for problem in _problems(stack, topic, publisher):
        report(
            f"encrypted topic {label(topic)}: {publisher.principal} publishes to it "
            f"(for {sources}) but {problem}, so its messages are lost ({DOCUMENT}).",
            topic.urn,
        )


def _validate_publishers_admitted(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    undecided = Undecided()
    for topic, publisher, resources in _publishers_by_topic(stack, undecided).values():
        undecided.judge(
            topic, partial(_report_problems, stack, topic, publisher, resources, report)
        )
    undecided.settle()


POLICIES = [
    stack_policy(
        name="sns-encrypted-topic-admits-publishers",
        summary=(
            "An encrypted SNS topic must let the services and roles that publish to it in the "
            "stack (EventBridge targets, CloudWatch alarms, S3 notifications, Firewall Manager "
            "channels, roles whose inline policy allows sns:Publish on it) publish, in its "
            "topic policy, and use its customer managed key, in the key policy "
            f"({DOCUMENT}; FMS API Reference, PutNotificationChannel)."
        ),
        validate=_validate_publishers_admitted,
        severity=Severity.HIGH,
        remediation_steps=(
            "Encrypt the topic with a customer managed key whose policy allows "
            "kms:GenerateDataKey* and kms:Decrypt to the publishing service principal "
            "(events.amazonaws.com, cloudwatch.amazonaws.com, s3.amazonaws.com) or, for a "
            "Firewall Manager channel, to its SnsRoleName (the AWSServiceRoleForFMS role); "
            "allow the same principal sns:Publish in the topic policy, with aws:SourceAccount "
            "or aws:SourceArn conditions as the service documents. For a role of the account, "
            "name it, or the account root with an ArnEquals aws:PrincipalArn condition naming "
            "it (the baseline's Notifications.grant_publish)."
        ),
    ),
]
