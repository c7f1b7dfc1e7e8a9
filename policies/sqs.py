"""SQS: queues encrypt messages at rest with a KMS key.

SSE-SQS (`sqs_managed_sse_enabled`) encrypts with a key SQS owns: encryption at rest (it meets
Security Hub's SQS.1), but no key policy says who may decrypt, no CloudTrail record shows the
key's use, and the key cannot be disabled to cut access to the messages (Amazon SQS Developer
Guide, "Encryption at rest"). So a KMS key is required, as for SNS topics, unless the policy
config sets `allowSseSqs` for stacks whose data may live under an AWS owned key; even then
SSE-SQS must be set explicitly, since the provider leaves an unset value to whatever the queue
already has.
"""

from __future__ import annotations

from helpers import flag, names_a_value
from metadata import resource_policy
from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, Severity

QUEUE = "aws:sqs/queue:Queue"


def _problem(args: ResourceValidationArgs) -> str | None:
    if names_a_value(args.props, "kmsMasterKeyId"):
        return None
    if args.props.get("sqsManagedSseEnabled") is None:
        return "kms_master_key_id is not set: messages are not encrypted with a KMS key."
    if not flag(args.props, "sqsManagedSseEnabled", False):
        return (
            "kms_master_key_id is not set and sqs_managed_sse_enabled is false: messages are "
            "stored unencrypted."
        )
    if flag(args.get_config(), "allowSseSqs", False):
        return None
    return (
        "kms_master_key_id is not set: sqs_managed_sse_enabled encrypts with a key SQS owns, "
        'which no key policy governs (the policy config\'s "allowSseSqs" is off).'
    )


def _validate_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != QUEUE:
        return
    problem = _problem(args)
    if problem is not None:
        report(problem, None)


POLICIES = [
    resource_policy(
        name="sqs-queue-kms-encrypted",
        summary=(
            "SQS queues must encrypt messages at rest with a KMS key (SSE-SQS only where the "
            "policy config allows it)."
        ),
        validate=_validate_encrypted,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Use components.SecureQueue, or set kms_master_key_id on the aws.sqs.Queue to a "
            "customer managed KMS key whose policy lets the sending services (sns, events, s3) "
            "use it."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "allowSseSqs": {
                    "type": "boolean",
                    "default": False,
                    "description": (
                        "Accept queues that set sqs_managed_sse_enabled=True (a key SQS owns) "
                        "instead of a KMS key."
                    ),
                }
            }
        ),
    ),
]
