"""The `guardrails` section of the spec: account settings fanned out by a StackSet.

    guardrails:
      enabled: true
      organizational_units: [ou-ab12-cdefgh34, ou-ab12-ijklmn56]
      regions: [eu-west-1, eu-central-1]   # absent: the spec's enabled regions
      config_recorder: true                # false only where something else records
      close_default_security_groups: true  # a Config rule and its remediation (CIS 5.4)
      password_policy: {minimum_length: 16}

Organization mode only: a service-managed StackSet deploys to every account of the OUs (the
management account excepted), now and later. `regions` must include the home region, where
the account-wide settings are applied.

`close_default_security_groups`: every VPC's default security group kept without rules, in
every account and region of the StackSet, by an AWS Config rule whose automatic remediation
removes them (new VPCs included). Workloads that rely on the default group's rules lose them:
give them security groups of their own first. It needs a Config recorder in each account.

`config_recorder` absent: on whenever organization conformance packs or Firewall Manager are
declared, which both need AWS Config recording in every account they cover; off otherwise.
Accounts whose recorders the program creates itself (security, log-archive) are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.config import section as config
from baseline.capabilities.guardrails.component import (
    CALL_AS,
    EBS_KMS_KEY_ID,
    ORGANIZATIONAL_UNIT_ID,
)
from baseline.schema_rules import (
    ErrorCallback,
    aws_region,
    matches,
    nested_error,
    no_duplicates,
)

_PASSWORD_POLICY = {
    "minimum_length": {"type": "integer", "min": 14, "max": 128, "default": 14},
    "max_age_days": {"type": "integer", "min": 1, "max": 1095, "default": 90},
    "reuse_prevention": {"type": "integer", "min": 1, "max": 24, "default": 24},
}

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": False},
    "organizational_units": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "string",
            "check_with": matches(
                ORGANIZATIONAL_UNIT_ID.pattern,
                "an OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx)",
            ),
        },
        "check_with": no_duplicates,
    },
    "regions": {
        "type": "list",
        "nullable": True,
        "default": None,
        "minlength": 1,
        "schema": {"type": "string", "check_with": aws_region},
        "check_with": no_duplicates,
    },
    "access_analyzer": {"type": "boolean", "default": True},
    # None: `recorder_needed` (see `parse`).
    "config_recorder": {"type": "boolean", "nullable": True, "default": None},
    "s3_block_public_access": {"type": "boolean", "default": True},
    "ebs_encryption_by_default": {"type": "boolean", "default": True},
    "ebs_default_kms_key_id": {
        "type": "string",
        "nullable": True,
        "default": None,
        "check_with": matches(
            EBS_KMS_KEY_ID.pattern, "a KMS key id, key ARN, alias (alias/name) or alias ARN"
        ),
    },
    "close_default_security_groups": {"type": "boolean", "default": True},
    "password_policy": {"type": "dict", "default": {}, "schema": _PASSWORD_POLICY},
    "call_as": {"type": "string", "allowed": CALL_AS, "default": "SELF"},
    "failure_tolerance_percentage": {"type": "integer", "min": 0, "max": 100, "default": 0},
    "max_concurrent_percentage": {"type": "integer", "min": 1, "max": 100, "default": 25},
}


def _targets_when_enabled(field: Any, value: Any, error: ErrorCallback) -> None:
    if (
        isinstance(value, Mapping)
        and value.get("enabled")
        and not value.get("organizational_units")
    ):
        message = "at least one OU is required when guardrails are enabled"
        nested_error(error, (field, "organizational_units"), message)


# The rules of the `guardrails` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _targets_when_enabled,
}


@dataclass(frozen=True)
class PasswordPolicySpec:
    minimum_length: int
    max_age_days: int
    reuse_prevention: int


@dataclass(frozen=True)
class GuardrailsSpec:
    enabled: bool
    organizational_units: tuple[str, ...]
    # None: the spec's enabled regions.
    regions: tuple[str, ...] | None
    access_analyzer: bool
    config_recorder: bool
    s3_block_public_access: bool
    ebs_encryption_by_default: bool
    ebs_default_kms_key_id: str | None
    close_default_security_groups: bool
    password_policy: PasswordPolicySpec
    call_as: str
    failure_tolerance_percentage: int
    max_concurrent_percentage: int


def parse(document: Mapping[str, Any], recorder_needed: bool) -> GuardrailsSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass.

    `recorder_needed`: other sections need Config recording in every member account, which the
    StackSet's recorder then gives unless `config_recorder` says otherwise.
    """
    regions = document["regions"]
    config_recorder = document["config_recorder"]
    policy = document["password_policy"]
    return GuardrailsSpec(
        enabled=document["enabled"],
        organizational_units=tuple(document["organizational_units"]),
        regions=tuple(regions) if regions is not None else None,
        access_analyzer=document["access_analyzer"],
        config_recorder=recorder_needed if config_recorder is None else config_recorder,
        s3_block_public_access=document["s3_block_public_access"],
        ebs_encryption_by_default=document["ebs_encryption_by_default"],
        ebs_default_kms_key_id=document["ebs_default_kms_key_id"],
        close_default_security_groups=document["close_default_security_groups"],
        password_policy=PasswordPolicySpec(
            minimum_length=policy["minimum_length"],
            max_age_days=policy["max_age_days"],
            reuse_prevention=policy["reuse_prevention"],
        ),
        call_as=document["call_as"],
        failure_tolerance_percentage=document["failure_tolerance_percentage"],
        max_concurrent_percentage=document["max_concurrent_percentage"],
    )


def parse_in_spec(document: Mapping[str, Any], spec_document: Mapping[str, Any]) -> GuardrailsSpec:
    """The section; by default the StackSet records Config when the spec needs every member
    account recorded: for organization conformance packs, and for Firewall Manager."""
    packs = config.parse(spec_document["config"])
    recorder_needed = spec_document.get("accounts") is not None and (
        (packs.enabled and packs.has_packs) or spec_document["firewall_manager"]["enabled"]
    )
    return parse(document, recorder_needed)
