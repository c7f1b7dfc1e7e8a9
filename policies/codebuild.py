"""CodeBuild: AWS credentials never sit in plaintext environment variables."""

from __future__ import annotations

from helpers import as_list, as_mapping, text
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

PROJECT = "aws:codebuild/project:Project"
CREDENTIAL_VARIABLES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})


def _validate_no_plaintext_credentials(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    if args.resource_type != PROJECT:
        return
    for environment in as_list(args.props.get("environment")):
        for variable in as_list(as_mapping(environment).get("environmentVariables")):
            name = text(as_mapping(variable), "name")
            # CodeBuild treats a variable without a type as PLAINTEXT.
            kind = text(as_mapping(variable), "type", "PLAINTEXT")
            if name in CREDENTIAL_VARIABLES and kind == "PLAINTEXT":
                report(f"environment variable {name} is PLAINTEXT.", None)


POLICIES = [
    resource_policy(
        name="codebuild-no-plaintext-aws-credentials",
        summary="CodeBuild projects must not hold AWS credentials in plaintext variables.",
        validate=_validate_no_plaintext_credentials,
        severity=Severity.CRITICAL,
        remediation_steps=(
            "Remove AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the project and grant access "
            "through its service_role; if a key is unavoidable, store it in Secrets Manager or "
            "Parameter Store and use type SECRETS_MANAGER or PARAMETER_STORE. Rotate any key "
            "that was exposed."
        ),
    ),
]
