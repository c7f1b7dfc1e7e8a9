"""SNS: topics are KMS-encrypted and their policies never open them to everyone."""

from __future__ import annotations

from documents import no_public_principal
from helpers import requires_value
from metadata import resource_policy
from pulumi_policy import Severity

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"

_validate_kms_encrypted = requires_value(
    TOPIC, "kmsMasterKeyId", "messages are stored unencrypted by KMS"
)
_validate_no_public_principal = no_public_principal(TOPIC, TOPIC_POLICY)


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
