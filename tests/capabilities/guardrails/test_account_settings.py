"""The Custom::AccountSettings handler against moto, answering a local ResponseURL.

moto implements s3control's account public access block, EBS encryption by default and its
default KMS key, and the IAM password policy; a botocore Stubber injects an AWS error. The
ResponseURL is a real HTTP server on 127.0.0.1 that records each PUT, as S3 would receive it.
"""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from baseline.capabilities.guardrails.functions.account_settings import handler

ACCOUNT = "123456789012"
REGION = "eu-west-1"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/StackSet-guardrails-1a2b/0f9e8d7c"
ALL_SETTINGS = {
    "ServiceToken": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:account-settings",
    "BlockS3PublicAccess": "true",
    "EnableEbsEncryptionByDefault": "true",
    "EbsDefaultKmsKeyId": "",
    "SetPasswordPolicy": "true",
    "MinimumPasswordLength": "14",
    "MaxPasswordAgeDays": "90",
    "PasswordReusePrevention": "24",
}
# S3's four account-level Block Public Access settings, all on (PublicAccessBlockConfiguration).
ALL_FOUR_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
REQUIRED_FIELDS = {"Status", "Reason", "PhysicalResourceId", "StackId", "RequestId"}
REQUIRED_FIELDS |= {"LogicalResourceId", "Data"}


@dataclass
class Received:
    """One request the ResponseURL received."""

    method: str
    path: str
    content_type: str | None
    body: dict[str, Any]
    size: int


@dataclass
class ResponseUrl:
    url: str
    received: list[Received] = field(default_factory=list)
    # Set once a response has been answered (HTTP 200 sent back).
    answered: threading.Event = field(default_factory=threading.Event)

    def only(self) -> Received:
        assert len(self.received) == 1, self.received
        return self.received[0]


@pytest.fixture
def response_url() -> Iterator[ResponseUrl]:
    endpoint = ResponseUrl(url="")

    class Recorder(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            endpoint.received.append(
                Received(
                    method="PUT",
                    path=self.path,
                    content_type=self.headers.get("Content-Type"),
                    body=json.loads(self.rfile.read(length)),
                    size=length,
                )
            )
            self.send_response(200)
            self.end_headers()
            endpoint.answered.set()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    endpoint.url = f"http://127.0.0.1:{server.server_port}/response?X-Amz-Signature=abc"
    # shutdown() waits for the loop's next poll: poll often.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # EBS settings need no AMIs; loading moto's catalogue per test costs seconds.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield


@dataclass
class Context:
    """The part of Lambda's context object the handler uses."""

    remaining_millis: int = 120_000
    log_stream_name: str = "2026/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def event(
    request_type: str,
    url: str,
    properties: dict[str, str] | None = None,
    physical_id: str | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": ALL_SETTINGS["ServiceToken"],
        "ResponseURL": url,
        "StackId": STACK_ID,
        "RequestId": f"{request_type.lower()}-5e6f7a8b",
        "LogicalResourceId": "AccountSettings",
        "ResourceType": "Custom::AccountSettings",
        "ResourceProperties": properties if properties is not None else ALL_SETTINGS,
    }
    if physical_id is not None:
        request["PhysicalResourceId"] = physical_id
    if request_type == "Update":
        request["OldResourceProperties"] = ALL_SETTINGS
    return request


def public_access_block() -> dict[str, bool] | None:
    s3control = boto3.client("s3control", region_name=REGION)
    try:
        configuration: dict[str, bool] = s3control.get_public_access_block(AccountId=ACCOUNT)[
            "PublicAccessBlockConfiguration"
        ]
    except s3control.exceptions.NoSuchPublicAccessBlockConfiguration:
        return None
    return configuration


def ebs_encryption_by_default(region: str = REGION) -> bool:
    ec2 = boto3.client("ec2", region_name=region)
    return bool(ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"])


def password_policy() -> dict[str, Any] | None:
    iam = boto3.client("iam")
    try:
        policy: dict[str, Any] = iam.get_account_password_policy()["PasswordPolicy"]
    except iam.exceptions.NoSuchEntityException:
        return None
    return policy


def assert_protocol_fields(response: Received, request: dict[str, Any]) -> None:
    assert response.method == "PUT"
    assert response.path == "/response?X-Amz-Signature=abc"
    # The pre-signed URL's signature covers an empty Content-Type.
    assert response.content_type == ""
    assert set(response.body) >= REQUIRED_FIELDS
    for key in ("StackId", "RequestId", "LogicalResourceId"):
        assert response.body[key] == request[key]


def test_create_applies_every_setting_and_answers_success(
    aws: None, response_url: ResponseUrl
) -> None:
    request = event("Create", response_url.url)

    handler.handler(request, Context())

    response = response_url.only()
    assert_protocol_fields(response, request)
    assert response.body["Status"] == "SUCCESS"
    assert response.body["PhysicalResourceId"] == f"account-settings-{ACCOUNT}-{REGION}"
    assert response.body["Data"] == {
        "S3BlockPublicAccess": "true",
        "EbsEncryptionByDefault": "true",
        "EbsDefaultKmsKeyArn": "",
        "PasswordPolicy": "true",
    }
    assert public_access_block() == ALL_FOUR_BLOCKED
    assert ebs_encryption_by_default()
    assert not ebs_encryption_by_default("eu-central-1"), "only the stack's own region"
    assert password_policy() == {
        "MinimumPasswordLength": 14,
        "RequireSymbols": True,
        "RequireNumbers": True,
        "RequireUppercaseCharacters": True,
        "RequireLowercaseCharacters": True,
        "AllowUsersToChangePassword": True,
        "ExpirePasswords": True,
        "MaxPasswordAge": 90,
        "PasswordReusePrevention": 24,
        "HardExpiry": False,
    }


def test_settings_turned_off_are_left_as_they_are(aws: None, response_url: ResponseUrl) -> None:
    # A stack outside the home region: account-wide settings belong to the home region's stack.
    properties = {**ALL_SETTINGS, "BlockS3PublicAccess": "false", "SetPasswordPolicy": "false"}

    handler.handler(event("Create", response_url.url, properties), Context())

    response = response_url.only()
    assert response.body["Status"] == "SUCCESS"
    assert response.body["Data"]["S3BlockPublicAccess"] == "false"
    assert response.body["Data"]["PasswordPolicy"] == "false"
    assert public_access_block() is None
    assert password_policy() is None
    assert ebs_encryption_by_default()


def test_a_default_ebs_key_is_set_and_reported(aws: None, response_url: ResponseUrl) -> None:
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key(Description="EBS default key")["KeyMetadata"]
    kms.create_alias(AliasName="alias/ebs-default", TargetKeyId=key["KeyId"])
    properties = {**ALL_SETTINGS, "EbsDefaultKmsKeyId": "alias/ebs-default"}

    handler.handler(event("Create", response_url.url, properties), Context())

    response = response_url.only()
    assert response.body["Status"] == "SUCCESS"
    assert response.body["Data"]["EbsDefaultKmsKeyArn"] == key["Arn"]


def test_update_applies_the_new_values_under_the_same_physical_id(
    aws: None, response_url: ResponseUrl
) -> None:
    handler.handler(event("Create", response_url.url), Context())
    physical_id = response_url.received[0].body["PhysicalResourceId"]
    stricter = {**ALL_SETTINGS, "MinimumPasswordLength": "20", "MaxPasswordAgeDays": "60"}
    request = event("Update", response_url.url, stricter, physical_id=physical_id)

    handler.handler(request, Context())

    response = response_url.received[1]
    assert_protocol_fields(response, request)
    assert response.body["Status"] == "SUCCESS"
    assert response.body["PhysicalResourceId"] == physical_id
    policy = password_policy()
    assert policy is not None
    assert (policy["MinimumPasswordLength"], policy["MaxPasswordAge"]) == (20, 60)


def test_delete_answers_success_and_keeps_the_hardening(
    aws: None, response_url: ResponseUrl
) -> None:
    handler.handler(event("Create", response_url.url), Context())
    physical_id = response_url.received[0].body["PhysicalResourceId"]
    request = event("Delete", response_url.url, physical_id=physical_id)

    handler.handler(request, Context())

    response = response_url.received[1]
    assert_protocol_fields(response, request)
    assert response.body["Status"] == "SUCCESS"
    assert response.body["PhysicalResourceId"] == physical_id
    assert public_access_block() == ALL_FOUR_BLOCKED
    assert ebs_encryption_by_default()
    policy = password_policy()
    assert policy is not None
    assert policy["MinimumPasswordLength"] == 14


def test_delete_of_a_failed_create_with_invalid_properties_succeeds(
    aws: None, response_url: ResponseUrl
) -> None:
    # CloudFormation deletes a resource whose Create failed; that must not fail in turn.
    broken = {**ALL_SETTINGS, "MinimumPasswordLength": "short"}
    request = event("Delete", response_url.url, broken, physical_id="account-settings-x")

    handler.handler(request, Context())

    assert response_url.only().body["Status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"MinimumPasswordLength": "fourteen"}, "MinimumPasswordLength must be an integer"),
        ({"PasswordReusePrevention": "25"}, "PasswordReusePrevention must be between 1 and 24"),
        ({"BlockS3PublicAccess": "yes"}, "BlockS3PublicAccess must be true or false"),
        ({"EnableEbsEncryptionByDefault": None}, "EnableEbsEncryptionByDefault must be true"),
    ],
)
def test_invalid_properties_fail_with_the_reason_and_change_nothing(
    aws: None, response_url: ResponseUrl, change: dict[str, str | None], reason: str
) -> None:
    properties = {k: v for k, v in {**ALL_SETTINGS, **change}.items() if v is not None}
    request = event("Create", response_url.url, properties)

    handler.handler(request, Context())

    response = response_url.only()
    assert_protocol_fields(response, request)
    assert response.body["Status"] == "FAILED"
    assert reason in response.body["Reason"]
    assert Context.log_stream_name in response.body["Reason"]
    assert response.body["PhysicalResourceId"] == f"account-settings-{ACCOUNT}-{REGION}"
    assert public_access_block() is None
    assert password_policy() is None


def test_an_aws_error_fails_the_request_with_its_message(
    aws: None, response_url: ResponseUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam = boto3.client("iam", region_name=REGION)
    stubber = Stubber(iam)
    stubber.add_client_error(
        "update_account_password_policy",
        service_error_code="AccessDenied",
        service_message="denied by a service control policy",
        http_status_code=403,
    )
    stubber.activate()
    real_client = boto3.client

    def client(service: str, **kwargs: Any) -> Any:
        return iam if service == "iam" else real_client(service, **kwargs)

    monkeypatch.setattr(handler.boto3, "client", client)

    handler.handler(event("Create", response_url.url), Context())

    response = response_url.only()
    assert response.body["Status"] == "FAILED"
    assert "AccessDenied" in response.body["Reason"]
    assert "denied by a service control policy" in response.body["Reason"]
    stubber.assert_no_pending_responses()


def test_a_stack_in_another_account_fails_instead_of_hanging(
    aws: None, response_url: ResponseUrl
) -> None:
    # moto refuses a public access block for an account other than the caller's.
    request = event("Create", response_url.url)
    request["StackId"] = STACK_ID.replace(ACCOUNT, "210987654321")

    handler.handler(request, Context())

    response = response_url.only()
    assert response.body["Status"] == "FAILED"
    assert response.body["PhysicalResourceId"] == f"account-settings-210987654321-{REGION}"


def test_the_watchdog_answers_failed_before_lambda_times_out(
    response_url: ResponseUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stuck(*args: Any) -> dict[str, str]:
        # Still at work when the watchdog answers; it succeeds only after that answer (or after
        # 10 s, when its success, then the only response, fails the test).
        response_url.answered.wait(timeout=10)
        return {}

    monkeypatch.setattr(handler, "apply_settings", stuck)
    seconds_before_the_watchdog = 0.2
    context = Context(
        remaining_millis=int((handler.WATCHDOG_MARGIN_SECONDS + seconds_before_the_watchdog) * 1000)
    )

    handler.handler(event("Create", response_url.url), context)

    # The late success after the watchdog's answer is not sent: one response only.
    response = response_url.only()
    assert response.body["Status"] == "FAILED"
    assert "timed out" in response.body["Reason"]


def test_an_unreachable_response_url_is_retried_then_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(handler.time, "sleep", pauses.append)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    closed_port = server.server_port
    server.server_close()

    request = event("Delete", f"http://127.0.0.1:{closed_port}/response", physical_id="settings")

    handler.handler(request, Context())

    assert len(pauses) == handler.RESPONSE_ATTEMPTS
    assert "CloudFormation never received the response" in caplog.text


@pytest.mark.parametrize(
    "character", ["ü", "\U0001f512", "\\", "a"], ids=["2-byte", "astral", "escaped", "ascii"]
)
def test_a_long_failure_reason_is_cut_to_cloudformations_4096_bytes(
    aws: None, response_url: ResponseUrl, character: str
) -> None:
    properties = {**ALL_SETTINGS, "BlockS3PublicAccess": character * 5000}

    handler.handler(event("Create", response_url.url, properties), Context())

    response = response_url.only()
    assert response.body["Status"] == "FAILED"
    assert response.size <= 4096
    assert response.size > 3900  # cut close to the limit, not far below it
    reason = response.body["Reason"]
    assert reason.startswith("ValueError: BlockS3PublicAccess must be true or false")
    assert reason.endswith(f"... (log stream {Context.log_stream_name})")
