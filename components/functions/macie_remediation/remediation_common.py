"""What the Macie remediation functions share: AWS clients, secrets, notifications, HTTP, findings.

Standard library and boto3 only: this file runs in the AWS Lambda Python runtime.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

LOGGER = logging.getLogger("macie_remediation")
LOGGER.setLevel(logging.INFO)

# The Slack button that approves a quarantine; the approval handler looks for this action id.
REMEDIATE_ACTION_ID = "remediate_finding"

HTTP_TIMEOUT_SECONDS = 10
SNS_SUBJECT_LIMIT = 100
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


class ConfigurationError(RuntimeError):
    """The function's environment is missing a setting or holds an invalid one."""


class MalformedFindingError(ValueError):
    """The event does not carry a Macie finding this workflow can act on."""


@dataclass(frozen=True)
class AffectedObject:
    """The S3 object version a Macie sensitive-data finding is about."""

    finding_id: str
    bucket: str
    key: str
    version_id: str | None  # None: the finding names no version (unversioned bucket)

    @classmethod
    def from_finding(cls, finding: object) -> AffectedObject:
        if not isinstance(finding, Mapping):
            raise MalformedFindingError("the finding is not a JSON object")
        resources = _mapping(finding.get("resourcesAffected"), "resourcesAffected")
        bucket = _mapping(resources.get("s3Bucket"), "resourcesAffected.s3Bucket")
        s3_object = _mapping(resources.get("s3Object"), "resourcesAffected.s3Object")
        version_id = s3_object.get("versionId")
        if version_id is not None and not isinstance(version_id, str):
            raise MalformedFindingError("resourcesAffected.s3Object.versionId is not a string")
        return cls(
            finding_id=_text(finding.get("id"), "id"),
            bucket=_text(bucket.get("name"), "resourcesAffected.s3Bucket.name"),
            key=_text(s3_object.get("key"), "resourcesAffected.s3Object.key"),
            # Macie reports "" for objects in unversioned buckets; S3 calls that version "null".
            version_id=version_id if version_id and version_id != "null" else None,
        )

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedFindingError(f"the finding has no {where} object")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedFindingError(f"the finding has no {where}")
    return value


def remediation_finding(finding: Mapping[str, Any]) -> dict[str, Any]:
    """The finding in the shape the remediator takes: enough to act without another lookup."""
    return {
        "id": finding["id"],
        "type": finding["type"],
        "severity": finding["severity"],
        "resourcesAffected": finding["resourcesAffected"],
    }


def required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set")
    return value


@functools.cache
def aws_client(service: str) -> Any:
    """One client per service and container: creating clients is slow, reusing them is safe."""
    return boto3.client(service, config=_CLIENT_CONFIG)


@functools.cache
def secret_string(secret_arn: str) -> str:
    """A secret's value, read once per container so that warm invocations skip Secrets Manager.

    A rotated secret reaches a container when Lambda starts a new one.
    """
    value = aws_client("secretsmanager").get_secret_value(SecretId=secret_arn).get("SecretString")
    if not value:
        raise ConfigurationError(f"secret {secret_arn} holds no string value")
    return str(value)


def invoke_async(function_name: str, payload: Mapping[str, Any]) -> None:
    response = aws_client("lambda").invoke(
        FunctionName=function_name,
        InvocationType="Event",
        Payload=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
    )
    if response.get("StatusCode") != 202:
        raise RuntimeError(
            f"asynchronous invoke of {function_name} returned status {response.get('StatusCode')}"
        )


def notify(topic_arn: str, subject: str, message: Mapping[str, Any]) -> None:
    """Publish to SNS; subjects are fixed ASCII text so they always meet SNS's subject rules."""
    aws_client("sns").publish(
        TopicArn=topic_arn,
        Subject=subject[:SNS_SUBJECT_LIMIT],
        Message=json.dumps(message, indent=2, ensure_ascii=False, default=str),
    )


def post_json(url: str, body: Mapping[str, Any]) -> None:
    """POST a JSON document; any HTTP error or non-2xx status raises an OSError subclass."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        response.read()
