"""codebuild-no-plaintext-aws-credentials."""

import pytest

from tests.policy_harness import validate_resource

# isort: split

import codebuild

PROJECT = "aws:codebuild/project:Project"
POLICY = codebuild.POLICIES[0]


def project(*variables: dict) -> dict:
    environment = {
        "computeType": "BUILD_GENERAL1_SMALL",
        "image": "aws/codebuild/standard:7.0",
        "type": "LINUX_CONTAINER",
        "environmentVariables": list(variables),
    }
    return {"serviceRole": "arn:aws:iam::123456789012:role/build", "environment": environment}


@pytest.mark.parametrize(
    "variables",
    [
        [],
        [{"name": "STAGE", "value": "prod"}],
        [{"name": "AWS_ACCESS_KEY_ID", "value": "/ci/key-id", "type": "PARAMETER_STORE"}],
        [{"name": "AWS_SECRET_ACCESS_KEY", "value": "ci/secret:key", "type": "SECRETS_MANAGER"}],
    ],
)
def test_project_without_plaintext_credentials_passes(variables):
    assert validate_resource(POLICY, PROJECT, project(*variables)) == []


@pytest.mark.parametrize(
    "variable",
    [
        {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE", "type": "PLAINTEXT"},
        {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
    ],
)
def test_plaintext_credentials_fail_without_echoing_the_value(variable):
    [message] = validate_resource(POLICY, PROJECT, project(variable))
    assert message == f"environment variable {variable['name']} is PLAINTEXT."
    assert variable["value"] not in message
