"""Helpers for the findings-import tests: the scanner fixtures, moto's account, offline clients."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.paths import FIXTURES

SCANNERS = FIXTURES / "scanners"
REGION = "eu-west-1"
# The tool that reads each fixture.
FIXTURE_TOOLS = {
    "dependency-check.json": "dependency-check",
    "zap.json": "zap",
    "sonarqube.json": "sonarqube",
    "sarif-bandit.json": "sarif",
    "sarif-semgrep.json": "sarif",
    "sarif-codeql.json": "sarif",
}
# Credentials moto accepts, and the region the importer runs in.
MOTO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def load(name: str) -> Any:
    return json.loads((SCANNERS / name).read_text())


@contextmanager
def moto_account(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto's account in REGION, with no profile of the machine's AWS configuration read."""
    for name, value in MOTO_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


@functools.cache
def offline_client(service_name: str) -> Any:
    """A client with fixed credentials, for botocore's Stubber: it never reaches AWS or moto.

    One per service for the session: making a client costs more than most tests, and a client
    keeps nothing of a test once its `Stubber` is closed (the importer registers no handler)."""
    return boto3.client(
        service_name,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
