"""What the baseline's Lambda functions share: code archive, runtime and execution role.

role = lambda_role("orders-format", "formats order events", tags, opts)
aws.lambda_.Function(..., runtime=RUNTIME, code=code_archive(FUNCTION_DIR), role=role.arn)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.iam import policy_document, trust_policy

ROLE_PATH = "/security-baseline/"
RUNTIME = "python3.12"


def code_archive(directory: Path, pattern: str = "**/*") -> pulumi.AssetArchive:
    """The files of `directory` matching `pattern`, at their relative paths; no bytecode caches."""
    return pulumi.AssetArchive(
        {
            path.relative_to(directory).as_posix(): pulumi.FileAsset(path)
            for path in sorted(directory.glob(pattern))
            if path.is_file() and "__pycache__" not in path.relative_to(directory).parts
        }
    )


def lambda_role(
    name: str,
    description: str,
    tags: Mapping[str, str] | None,
    opts: pulumi.ResourceOptions,
) -> aws.iam.Role:
    """An execution role that only Lambda may assume; its policy is the caller's to attach."""
    return aws.iam.Role(
        name,
        path=ROLE_PATH,
        description=description,
        assume_role_policy=policy_document(
            [trust_policy("LambdaAssumes", {"Service": "lambda.amazonaws.com"}, {})]
        ),
        tags=tags,
        opts=opts,
    )
