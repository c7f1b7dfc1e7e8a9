"""Macie: the account is enabled, so sensitive data in S3 is discovered."""

from __future__ import annotations

from helpers import text
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

ACCOUNT = "aws:macie2/account:Account"


def _validate_enabled(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type == ACCOUNT:
        status = text(args.props, "status", "ENABLED")
        if status != "ENABLED":
            report(f"status is {status}: Macie discovers nothing.", None)


POLICIES = [
    resource_policy(
        name="macie-enabled",
        summary="Amazon Macie must be enabled.",
        validate=_validate_enabled,
        severity=Severity.MEDIUM,
        remediation_steps="Leave status unset (or 'ENABLED') on the aws.macie2.Account.",
    ),
]
