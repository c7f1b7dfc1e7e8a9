"""Helpers for the Macie remediation handler tests: the handlers' modules, moto clients, the
alerts topic read back through a queue, and the recording of the handlers' Lambda invokes.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.paths import FIXTURES, REPO

FUNCTION_DIR = REPO / "baseline/capabilities/macie/functions/macie_remediation"
MACIE_FIXTURES = FIXTURES / "macie"
REGION = "eu-west-1"
REMEDIATOR = "macie-remediator"

# Lambda loads the handlers as top-level modules from the deployed directory; so do the tests.
if str(FUNCTION_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTION_DIR))


def _function_module(name: str) -> ModuleType:
    """One of the handlers' modules, imported the way Lambda imports it."""
    return importlib.import_module(name)


approval_handler = _function_module("approval_handler")
common = _function_module("remediation_common")
finding_handler = _function_module("finding_handler")
quarantine_copy = _function_module("quarantine_copy")
remediator = _function_module("remediator")
slack_review = _function_module("slack_review")


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (MACIE_FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    )
    return loaded


@functools.cache
def client(service: str) -> Any:
    """Test-side clients, made once: creating a boto3 client costs more than most tests."""
    return boto3.client(service, region_name=REGION)


@contextmanager
def lambda_container(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A moto account in REGION, seen by handlers as a fresh Lambda container (no cached
    secrets)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        common.secret_string.cache_clear()
        yield


def alerts_topic_with_reader() -> tuple[str, str]:
    """An SNS topic and the URL of a queue subscribed to it, to read what was published."""
    topic_arn: str = client("sns").create_topic(Name="alerts")["TopicArn"]
    queue_url: str = client("sqs").create_queue(QueueName="alerts-reader")["QueueUrl"]
    queue_arn = client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def published(queue_url: str) -> list[dict[str, Any]]:
    """The subject and decoded message of each notification the reader queue received."""
    messages = (
        client("sqs")
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    envelopes = [json.loads(message["Body"]) for message in messages]
    return [
        {"subject": envelope["Subject"], "message": json.loads(envelope["Message"])}
        for envelope in envelopes
    ]


@contextmanager
def invocations_recorded(record: Callable[..., None]) -> Iterator[None]:
    """Pass every Lambda Invoke the handlers make to `record`, with its request parameters."""
    events = common.aws_client("lambda").meta.events
    events.register("before-call.lambda.Invoke", record)
    yield
    events.unregister("before-call.lambda.Invoke", record)
