"""Helpers for the audit tests: a moto server, accounts seeded through it, stubbed clients.

`seed_compliant` builds, with boto3 against the moto endpoint, an account that satisfies the
spec of `tests/fixtures/audit/single` (stack dev) in every region; the `break_*` functions
then take one thing away each, as a drifted account would.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pytest
import yaml

from baseline.audit.model import AuditContext, CheckResult, Status
from baseline.audit.session import AuditSession
from baseline.spec import Spec
from baseline.spec_loader import load_spec

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "audit"
SINGLE = FIXTURES / "single"
ORGANIZATION = FIXTURES / "org"
ACCOUNT = "123456789012"  # moto's default account
HOME = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1")
TRAIL = "security-baseline"
TOPIC = "notifications-security-alerts-1a2b3c4"
LOG_ARCHIVE_BUCKET = "log-archive-0f1e2d3"
QUARANTINE_BUCKET = "quarantine-4c5b6a7"
TRAIL_BUCKET = LOG_ARCHIVE_BUCKET
PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
# Credentials moto accepts; no file of the machine's AWS configuration is read.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    # moto answers 500 for APIs it lacks: retrying them only slows the tests down.
    "AWS_MAX_ATTEMPTS": "1",
}


def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)


# The moto server runs in a process of its own, for the whole session: what it prints (a line
# for each API it lacks) stays out of the output of commands the tests run in process, and the
# server answers while the test's own thread works. It stops when its stdin closes.
_MOTO_SERVER = """
import os, sys
from moto.server import ThreadedMotoServer
from tests.moto_costs import tune_server
tune_server()
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
sys.stdin.read()
os._exit(0)  # nothing to keep: no need to wait for the server's threads
"""


@contextmanager
def moto_endpoint() -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, "-c", _MOTO_SERVER],
        cwd=REPO,  # where `tests` is imported from
        # No test reads AMIs: moto's catalogue (with a snapshot per image) would be loaded for
        # every account and region an EC2 call names, over a second for an organization's.
        env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # werkzeug's request log, moto's errors for APIs it lacks
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


# moto's ids (accounts, organizations, OUs) come from a random generator that its API seeds: each
# test starts from the same seed, so the same seeding makes the same organization, and the same
# stack files (whose plans tests/plan_memo.py then makes once).
MOTO_SEED = 18


def reset(url: str) -> None:
    """Empty the moto server and seed its ids."""
    for path in ("/moto-api/reset", f"/moto-api/seed?a={MOTO_SEED}"):
        request = urllib.request.Request(f"{url}{path}", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@functools.cache
def client(url: str, service: str, region: str = HOME) -> Any:
    """A client of moto's default account (clients hold no state of the server's: one serves
    every test)."""
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


# --- seeding a compliant account -------------------------------------------------------


def seed_compliant(url: str, regions: Sequence[str] = REGIONS) -> None:
    key_arn = seed_key(url)
    seed_account_public_access_block(url)
    seed_bucket(url, LOG_ARCHIVE_BUCKET, "log-archive", key_arn)
    seed_bucket(url, QUARANTINE_BUCKET, "quarantine", key_arn)
    seed_trail(url, key_arn, validation=True)
    seed_topic(url, key_arn)
    for region in regions:
        seed_detector(url, region, s3_protection=True)
        client(url, "securityhub", region).enable_security_hub(EnableDefaultStandards=False)
        seed_recorder(url, region)


def seed_key(url: str, region: str = HOME, alias: str = "security-baseline/trail") -> str:
    kms = client(url, "kms", region)
    key = kms.create_key(Description="baseline key")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def seed_account_public_access_block(url: str) -> None:
    # moto routes S3 Control by path; the account-id host prefix would not resolve locally.
    session = AuditSession(
        boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing"),
        account_id=ACCOUNT,
        partition="aws",
        endpoint_url=url,
    )
    session.client("s3control", HOME).put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK
    )


def tls_only_policy(bucket: str) -> str:
    arn = f"arn:aws:s3:::{bucket}"
    statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def seed_bucket(url: str, bucket: str, role: str, key_arn: str) -> None:
    s3 = client(url, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": "security-baseline:role", "Value": role}]}
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    }
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=tls_only_policy(bucket))
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK)


def seed_trail(url: str, key_arn: str | None, *, validation: bool) -> None:
    cloudtrail = client(url, "cloudtrail")
    extra = {"KmsKeyId": key_arn} if key_arn else {}
    cloudtrail.create_trail(
        Name=TRAIL,
        S3BucketName=TRAIL_BUCKET,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=validation,
        **extra,
    )
    cloudtrail.start_logging(Name=TRAIL)


def seed_topic(url: str, key_arn: str | None, region: str = HOME) -> str:
    attributes = {"KmsMasterKeyId": key_arn} if key_arn else {}
    arn = client(url, "sns", region).create_topic(Name=TOPIC, Attributes=attributes)["TopicArn"]
    return str(arn)


def seed_detector(url: str, region: str, *, s3_protection: bool) -> str:
    status = "ENABLED" if s3_protection else "DISABLED"
    detector = client(url, "guardduty", region).create_detector(
        Enable=True,
        FindingPublishingFrequency="FIFTEEN_MINUTES",
        Features=[{"Name": "S3_DATA_EVENTS", "Status": status}],
    )
    return str(detector["DetectorId"])


def seed_recorder(url: str, region: str) -> None:
    config = client(url, "config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/x",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": LOG_ARCHIVE_BUCKET}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")


# --- drift ---------------------------------------------------------------------------------


def break_trail_validation(url: str) -> None:
    client(url, "cloudtrail").update_trail(Name=TRAIL, EnableLogFileValidation=False)


def break_detector_s3_protection(url: str, region: str = HOME) -> None:
    guardduty = client(url, "guardduty", region)
    for detector_id in guardduty.list_detectors()["DetectorIds"]:
        guardduty.delete_detector(DetectorId=detector_id)
    seed_detector(url, region, s3_protection=False)


def break_macie(url: str, region: str = HOME) -> None:
    client(url, "macie2", region).disable_macie()


def break_topic_encryption(url: str) -> None:
    sns = client(url, "sns")
    sns.set_topic_attributes(
        TopicArn=f"arn:aws:sns:{HOME}:{ACCOUNT}:{TOPIC}",
        AttributeName="KmsMasterKeyId",
        AttributeValue="",
    )


# --- running checks in process -------------------------------------------------------------


# Parsing botocore's service models is most of a client's creation: parse them once.
_MODELS = botocore.loaders.create_loader()


def fake_session(endpoint_url: str | None = None, account_id: str = ACCOUNT) -> AuditSession:
    """A session that calls nothing until a check does (Stubber tests attach to its clients)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _MODELS)
    boto_session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", botocore_session=core
    )
    return AuditSession(
        boto_session, account_id=account_id, partition="aws", endpoint_url=endpoint_url
    )


@functools.cache
def spec_of(project: Path = SINGLE, stack: str = "dev") -> Spec:
    return load_spec(project, stack)


def context_of(session: AuditSession, project: Path = SINGLE, stack: str = "dev") -> AuditContext:
    return AuditContext(spec_of(project, stack), session)


def by_check(results: Sequence[CheckResult], check_id: str) -> list[CheckResult]:
    return [result for result in results if result.check_id == check_id]


def statuses(results: Sequence[CheckResult]) -> dict[str, set[Status]]:
    found: dict[str, set[Status]] = {}
    for result in results:
        found.setdefault(result.check_id, set()).add(result.status)
    return found


def failing(results: Sequence[CheckResult]) -> set[str]:
    return {result.check_id for result in results if result.status is Status.FAIL}


def service_error(operation: str, code: str, message: str, status: int = 400) -> dict[str, Any]:
    """Keyword arguments for `Stubber.add_client_error`."""
    return {
        "method": operation,
        "service_error_code": code,
        "service_message": message,
        "http_status_code": status,
    }


# --- an organization, through the moto server ----------------------------------------------

# The accounts `seed_organization` creates besides the management account (moto's default).
MEMBER_NAMES = ("security", "log-archive", "app-a", "app-b", "app-c")
SPEC_KEY = "security-baseline:baseline"


def seed_organization(url: str) -> tuple[str, dict[str, str]]:
    """An organization managed by moto's default account: its id, and account name -> id
    (the management account is "master", as moto names it)."""
    organizations = client(url, "organizations")
    organization_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    for name in MEMBER_NAMES:
        organizations.create_account(Email=f"{name}@example.com", AccountName=name)
    accounts = {
        account["Name"]: account["Id"] for account in organizations.list_accounts()["Accounts"]
    }
    return str(organization_id), accounts


def client_in(url: str, account_id: str, service: str, region: str = HOME) -> Any:
    """A client of `account_id`: moto keeps one backend per account of assumed credentials."""
    credentials = client(url, "sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/seeding", RoleSessionName="seeding"
    )["Credentials"]
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def seed_organization_trail(url: str, bucket: str = "organization-trail-7a6b5c4") -> None:
    client(url, "s3").create_bucket(Bucket=bucket)
    cloudtrail = client(url, "cloudtrail")
    cloudtrail.create_trail(
        Name=TRAIL, S3BucketName=bucket, IsMultiRegionTrail=True, IsOrganizationTrail=True
    )
    cloudtrail.start_logging(Name=TRAIL)


def prod_project_for(directory: Path, organization_id: str, accounts: dict[str, str]) -> Path:
    """The repository's prod stack, its accounts section pointed at a seeded organization."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    document = yaml.safe_load((REPO / "Pulumi.prod.yaml").read_text())
    section = document["config"][SPEC_KEY]["accounts"]
    section["organization_id"] = organization_id
    section["management"]["id"] = accounts["master"]
    section["security"]["id"] = accounts["security"]
    section["log_archive"]["id"] = accounts["log-archive"]
    text = yaml.dump(document, Dumper=_QuotingDigits, sort_keys=False)
    (directory / "Pulumi.prod.yaml").write_text(text)
    return directory


class _QuotingDigits(yaml.SafeDumper):
    """Account ids stay quoted strings: unquoted, 012345678901 would read as a number."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_QuotingDigits.add_representer(str, _represent_str)
