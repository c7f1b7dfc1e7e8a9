"""SNS: topics are KMS-encrypted and their policies never open them to everyone."""

from __future__ import annotations

from documents import public_grant_messages
from helpers import names_a_value
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"


def _validate_kms_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == TOPIC and not names_a_value(args.props, "kmsMasterKeyId"):
        report("kmsMasterKeyId is not set: messages are stored unencrypted by KMS.", None)


def _validate_no_public_principal(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type in (TOPIC, TOPIC_POLICY):
        for message in public_grant_messages(args.resource_type, args.props):
            report(message, None)


POLICIES = [
    resource_policy(
        name="sns-topic-kms-encrypted",
        summary="SNS topics must encrypt messages at rest with a KMS key.",
        validate=_validate_kms_encrypted,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Set kms_master_key_id on the aws.sns.Topic to a customer managed KMS key whose "
            "policy lets the publishing services (events, cloudwatch) use it."
        ),
    ),
    resource_policy(
        name="sns-topic-policy-no-public-principal",
        summary="SNS topic policies must not allow any principal without an account condition.",
        validate=_validate_no_public_principal,
        severity=Severity.CRITICAL,
        remediation_steps=(
            "Name the principals in the topic policy, or add a condition such as "
            "aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID to every statement that "
            "allows Principal '*'."
        ),
    ),
]
