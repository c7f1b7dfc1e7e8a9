"""AWS services that publish to an encrypted SNS topic, each under the conditions it documents.

A publishing service needs `sns:Publish` in the topic policy and `kms:GenerateDataKey*` plus
`kms:Decrypt` in the topic key's policy (SNS encrypts with the publisher's permissions). The
conditions differ by service, and a condition the service does not send fails its publish
silently: EventBridge, for one, supports none.

    statements = publish_statements(topic_arn, ("events.amazonaws.com",), context)
    grants = publisher_key_grants(("events.amazonaws.com",), context)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi

from components.iam import AwsContext, Conditions, Statement, statement
from components.kms import KeyGrant

EVENTBRIDGE = "events.amazonaws.com"
CLOUDWATCH = "cloudwatch.amazonaws.com"
PUBLISH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")

# EventBridge user guide, "Amazon SNS permissions": no Condition blocks in the topic policy.
# SNS developer guide, "Configure AWS KMS permissions for AWS services": aws:SourceAccount,
# aws:SourceArn and aws:SourceOrgID in the key policy are not supported for EventBridge.
_EVENTBRIDGE_UNCONDITIONED = (
    "EventBridge user guide, Amazon SNS permissions; SNS developer guide, Configure AWS KMS "
    "permissions for AWS services: no source condition for EventBridge-to-encrypted topics"
)


def _sid_part(service: str) -> str:
    known = {EVENTBRIDGE: "EventBridge", CLOUDWATCH: "CloudWatchAlarms"}
    if service in known:
        return known[service]
    name = service.split(".", maxsplit=1)[0]
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", name))


def source_conditions(
    service: str, account_id: pulumi.Input[str], alarm_arns: pulumi.Input[str]
) -> Conditions:
    """The documented conditions of `service` publishing for `account_id` (EventBridge: none).

    `alarm_arns`: the account's CloudWatch alarms in the topic's region (alarms publish only to
    topics of their own region).
    """
    if service == EVENTBRIDGE:
        return {}
    account = {"StringEquals": {"aws:SourceAccount": [account_id]}}
    if service == CLOUDWATCH:
        # aws:SourceArn is the alarm (SNS developer guide, Configure AWS KMS permissions for AWS
        # services; AWS re:Post, "SNS notifications for a CloudWatch alarm").
        return {**account, "ArnLike": {"aws:SourceArn": [alarm_arns]}}
    # SNS developer guide, Configure AWS KMS permissions for AWS services: aws:SourceAccount.
    return account


def _alarms(context: AwsContext) -> str:
    return context.arn("cloudwatch", "alarm:*")


def publish_statements(
    topic_arn: str, services: Sequence[str], context: AwsContext
) -> list[Statement]:
    """One `sns:Publish` statement per service, each with that service's own conditions."""
    return [
        statement(
            f"Allow{_sid_part(service)}Publish",
            principal={"Service": [service]},
            actions=["sns:Publish"],
            resources=[topic_arn],
            conditions=source_conditions(service, context.account_id, _alarms(context)),
        )
        for service in services
    ]


def publisher_key_grants(
    services: Sequence[str], context: pulumi.Output[AwsContext]
) -> tuple[KeyGrant, ...]:
    """What each publishing service needs of the topic's key, under its own conditions."""
    account_id = context.apply(lambda ctx: ctx.account_id)
    alarms = context.apply(_alarms)
    return tuple(
        KeyGrant(
            sid=f"Allow{_sid_part(service)}Publishing",
            principals=(service,),
            actions=PUBLISH_KEY_ACTIONS,
            conditions=source_conditions(service, account_id, alarms),
            unconditioned_because=_EVENTBRIDGE_UNCONDITIONED if service == EVENTBRIDGE else "",
        )
        for service in services
    )
