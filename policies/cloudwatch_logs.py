"""CloudWatch Logs: log groups encrypt their events with a KMS key.

CloudWatch Logs always encrypts log data at rest, but without `kms_key_id` under a key it
owns, which no key policy governs: anyone with logs:GetLogEvents reads it, and the key cannot
be withheld (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS";
AWS Config rule cloudwatch-log-group-encrypted).
"""

from __future__ import annotations

from helpers import requires_value
from metadata import resource_policy
from pulumi_policy import Severity

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

_validate_kms_encrypted = requires_value(
    LOG_GROUP,
    "kmsKeyId",
    "log events are encrypted only with a key CloudWatch Logs owns, which no key policy governs",
)


POLICIES = [
    resource_policy(
        name="cloudwatch-log-group-kms-encrypted",
        summary="CloudWatch Logs log groups must encrypt log events with a KMS key.",
        validate=_validate_kms_encrypted,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Use components.SecureLogGroup, or set kms_key_id on the aws.cloudwatch.LogGroup to "
            "a customer managed KMS key whose policy lets logs.<region>.amazonaws.com use it "
            "under the condition kms:EncryptionContext:aws:logs:arn (the log group's ARN)."
        ),
    ),
]
