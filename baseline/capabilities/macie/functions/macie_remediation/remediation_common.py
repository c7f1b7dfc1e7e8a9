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
# What post_json sends through; the tests put in one that carries https requests to a local server.
HTTP_TRANSPORT = urllib.request.build_opener()
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


class ConfigurationError(RuntimeError):
    """The function's environment is missing a setting or holds an invalid one."""


class MalformedFindingError(ValueError):
    """The event does not carry a Macie finding this workflow can act on."""


# S3's id of the version an object has when it was written while the bucket was unversioned
# (before versioning was enabled, or while it was suspended): a real version id, not "no version".
NULL_VERSION = "null"


@dataclass(frozen=True)
class AffectedObject:
    """The S3 object version a Macie sensitive-data finding is about."""

    finding_id: str
    bucket: str
    key: str
    # The version Macie scanned; "null" (S3's id) when Macie reported "null" or none at all.
    version_id: str
    named_version: bool  # False: the finding gave no version id, only eTag and size pin it
    etag: str  # without quotes
    size: int | None

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
        size = s3_object.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise MalformedFindingError("resourcesAffected.s3Object.size is not a byte count")
        return cls(
            finding_id=_text(finding.get("id"), "id"),
            bucket=_text(bucket.get("name"), "resourcesAffected.s3Bucket.name"),
            key=_text(s3_object.get("key"), "resourcesAffected.s3Object.key"),
            # Macie reports "" (or "null") for an object written while its bucket was
            # unversioned: S3 keeps that object as version "null", also after versioning is on.
            version_id=version_id or NULL_VERSION,
            named_version=bool(version_id) and version_id != NULL_VERSION,
            etag=_text(s3_object.get("eTag"), "resourcesAffected.s3Object.eTag").strip('"'),
            size=size,
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
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate: no S3 name or Macie id has one
            raise MalformedFindingError(f"the finding's {where} is not valid Unicode") from error
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
        # default=str: a finding read from Macie's API carries datetimes.
        Payload=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
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
    with HTTP_TRANSPORT.open(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
        response.read()
