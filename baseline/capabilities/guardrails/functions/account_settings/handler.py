"""CloudFormation custom resource `Custom::AccountSettings`: hardening with no resource type.

The StackSet template components/cloudformation/account_guardrails.yaml embeds this file as its
function's inline code (`index.handler`) and runs it in every targeted account and region:
- S3 account-level Block Public Access, all four settings;
- EBS encryption by default, optionally with a default KMS key (an alias works in every region);
- the IAM password policy.

Properties arrive as strings, as CloudFormation passes them. `BlockS3PublicAccess`,
`EnableEbsEncryptionByDefault` and `SetPasswordPolicy` are "true" or "false"; "false" leaves the
setting as it is, never weakens it. `EbsDefaultKmsKeyId` is a key id, ARN or alias, or "" to keep
the account's current default key. `MinimumPasswordLength`, `MaxPasswordAgeDays` and
`PasswordReusePrevention` are integers.

Delete changes nothing: taking an account out of the StackSet's OUs, or deleting the StackSet,
must not reopen public buckets, unencrypted volumes or weak passwords; relaxing them is an
administrator's deliberate act. Every request gets exactly one response on its ResponseURL (the
cfn-response protocol), SUCCESS or FAILED with the reason, also when the function is about to
time out: CloudFormation would otherwise wait an hour for an answer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

# Give up on AWS calls well before the watchdog answers for the function.
CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=15, retries={"max_attempts": 4, "mode": "standard"}
)
WATCHDOG_MARGIN_SECONDS = 5.0
RESPONSE_ATTEMPTS = 3
RESPONSE_TIMEOUT_SECONDS = 10
# CloudFormation rejects a response body over 4,096 bytes (the custom resource response
# documentation); the reason is the only unbounded field, and JSON escapes a non-ASCII character
# into up to 12 bytes, so the reason is cut by the size of the encoded body, not by characters.
RESPONSE_LIMIT_BYTES = 4096
CUT_MARK = "..."
ALL_PUBLIC_ACCESS_BLOCKED = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
FLAGS = {"true": True, "false": False}

Event = Mapping[str, Any]


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int
    max_age_days: int
    reuse_prevention: int


@dataclass(frozen=True)
class AccountSettings:
    block_s3_public_access: bool
    ebs_encryption_by_default: bool
    ebs_default_kms_key_id: str
    password_policy: PasswordPolicy | None


def _flag(properties: Mapping[str, Any], name: str) -> bool:
    value = str(properties.get(name, "")).lower()
    if value not in FLAGS:
        raise ValueError(f"{name} must be true or false, got {properties.get(name)!r}")
    return FLAGS[value]


def _integer(properties: Mapping[str, Any], name: str, low: int, high: int) -> int:
    try:
        value = int(str(properties.get(name)))
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {properties.get(name)!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_settings(properties: Mapping[str, Any]) -> AccountSettings:
    """The resource's properties, checked against the ranges the AWS APIs accept."""
    password_policy = None
    if _flag(properties, "SetPasswordPolicy"):
        password_policy = PasswordPolicy(
            minimum_length=_integer(properties, "MinimumPasswordLength", 6, 128),
            max_age_days=_integer(properties, "MaxPasswordAgeDays", 1, 1095),
            reuse_prevention=_integer(properties, "PasswordReusePrevention", 1, 24),
        )
    return AccountSettings(
        block_s3_public_access=_flag(properties, "BlockS3PublicAccess"),
        ebs_encryption_by_default=_flag(properties, "EnableEbsEncryptionByDefault"),
        ebs_default_kms_key_id=str(properties.get("EbsDefaultKmsKeyId", "")),
        password_policy=password_policy,
    )


def block_s3_public_access(account_id: str, region: str) -> None:
    s3control = boto3.client("s3control", region_name=region, config=CLIENT_CONFIG)
    s3control.put_public_access_block(
        AccountId=account_id, PublicAccessBlockConfiguration=ALL_PUBLIC_ACCESS_BLOCKED
    )


def encrypt_ebs_by_default(region: str, kms_key_id: str) -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name=region, config=CLIENT_CONFIG)
    enabled = ec2.enable_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    data = {"EbsEncryptionByDefault": "true" if enabled else "false"}
    if kms_key_id:
        chosen = ec2.modify_ebs_default_kms_key_id(KmsKeyId=kms_key_id)
        data["EbsDefaultKmsKeyArn"] = chosen["KmsKeyId"]
    return data


def set_password_policy(policy: PasswordPolicy, region: str) -> None:
    iam = boto3.client("iam", region_name=region, config=CLIENT_CONFIG)
    iam.update_account_password_policy(
        MinimumPasswordLength=policy.minimum_length,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=policy.max_age_days,
        PasswordReusePrevention=policy.reuse_prevention,
        HardExpiry=False,
    )


def apply_settings(settings: AccountSettings, account_id: str, region: str) -> dict[str, str]:
    """Apply each managed setting; the returned Data says which ones, as the template reads it."""
    data = {
        "S3BlockPublicAccess": "false",
        "EbsEncryptionByDefault": "false",
        "EbsDefaultKmsKeyArn": "",
        "PasswordPolicy": "false",
    }
    if settings.block_s3_public_access:
        block_s3_public_access(account_id, region)
        data["S3BlockPublicAccess"] = "true"
    if settings.ebs_encryption_by_default:
        data.update(encrypt_ebs_by_default(region, settings.ebs_default_kms_key_id))
    if settings.password_policy is not None:
        set_password_policy(settings.password_policy, region)
        data["PasswordPolicy"] = "true"
    return data


def stack_account_and_region(event: Event) -> tuple[str, str]:
    """From the StackId, `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`."""
    parts = str(event["StackId"]).split(":")
    return parts[4], parts[3]


def physical_resource_id(event: Event) -> str:
    if event.get("PhysicalResourceId"):
        return str(event["PhysicalResourceId"])
    account_id, region = stack_account_and_region(event)
    return f"account-settings-{account_id}-{region}"


class Responder:
    """Sends the one response CloudFormation waits for; later attempts are ignored."""

    def __init__(self, event: Event, log_stream_name: str) -> None:
        self.event = event
        self.log_stream_name = log_stream_name
        self._lock = threading.Lock()
        self._sent = False

    def succeed(self, data: Mapping[str, str]) -> None:
        self._send("SUCCESS", "", data)

    def fail(self, reason: str) -> None:
        self._send("FAILED", reason, {}, suffix=f" (log stream {self.log_stream_name})")

    def _send(self, status: str, reason: str, data: Mapping[str, str], suffix: str = "") -> None:
        with self._lock:
            if self._sent:
                LOGGER.info("already answered; not sending %s", status)
                return
            self._sent = True
        document = {
            "Status": status,
            "Reason": "",
            "PhysicalResourceId": physical_resource_id(self.event),
            "StackId": self.event["StackId"],
            "RequestId": self.event["RequestId"],
            "LogicalResourceId": self.event["LogicalResourceId"],
            "NoEcho": False,
            "Data": dict(data),
        }
        room = RESPONSE_LIMIT_BYTES - len(json.dumps(document).encode())
        document["Reason"] = fitted_reason(reason, suffix, room) if reason else ""
        put_response(str(self.event["ResponseURL"]), json.dumps(document).encode())


def fitted_reason(reason: str, suffix: str, room: int) -> str:
    """`reason + suffix`, the reason cut so that the two take at most `room` bytes in JSON."""
    whole = reason + suffix
    if _json_size(whole) <= room:
        return whole
    budget = room - _json_size(suffix + CUT_MARK)
    kept: list[str] = []
    for character in reason:
        budget -= _json_size(character)
        if budget < 0:
            break
        kept.append(character)
    return "".join(kept) + CUT_MARK + suffix


def _json_size(text: str) -> int:
    """Bytes `text` takes inside a JSON string (json.dumps escapes to ASCII)."""
    return len(json.dumps(text)) - 2


def put_response(url: str, body: bytes) -> None:
    """PUT to the pre-signed S3 URL, whose signature covers an empty Content-Type."""
    request = urllib.request.Request(
        url,
        data=body,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(body))},
    )
    for attempt in range(1, RESPONSE_ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS) as response:
                LOGGER.info("response sent: HTTP %s", response.status)
                return
        except (urllib.error.URLError, OSError) as error:
            LOGGER.warning("sending the response failed (attempt %d): %s", attempt, error)
            time.sleep(attempt)
    LOGGER.error("CloudFormation never received the response")


def _apply_request(event: Event) -> dict[str, str]:
    if event["RequestType"] == "Delete":
        LOGGER.info("Delete: the account keeps its hardening (see the module's docstring)")
        return {}
    settings = parse_settings(event.get("ResourceProperties", {}))
    account_id, region = stack_account_and_region(event)
    return apply_settings(settings, account_id, region)


def handler(event: Event, context: Any) -> None:
    """Lambda entry point for Create, Update and Delete requests."""
    LOGGER.info("%s %s", event.get("RequestType"), json.dumps(event.get("ResourceProperties", {})))
    responder = Responder(event, getattr(context, "log_stream_name", ""))
    seconds_left = context.get_remaining_time_in_millis() / 1000
    watchdog = threading.Timer(
        max(seconds_left - WATCHDOG_MARGIN_SECONDS, 0.1),
        responder.fail,
        args=("the function timed out before the settings were applied",),
    )
    watchdog.start()
    try:
        responder.succeed(_apply_request(event))
    except Exception as error:  # any failure must reach CloudFormation as FAILED
        LOGGER.exception("request failed")
        responder.fail(f"{type(error).__name__}: {error}")
    finally:
        watchdog.cancel()
