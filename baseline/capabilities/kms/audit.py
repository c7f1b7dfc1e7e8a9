"""KMS: the baseline's keys rotate and no key policy opens them to everyone.

The baseline's keys are the customer managed keys with an alias under
`alias/security-baseline` (what `components.kms.ManagedKey` creates). The home region must
hold some; another region is checked when it holds any.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from baseline.audit.errors import guarded
from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.audit.policies import is_public_grant, statements

KEY_ROTATION = Check("kms.key-rotation", "The baseline's KMS keys rotate automatically")
KEY_POLICY_NOT_PUBLIC = Check(
    "kms.key-policy-not-public", "No baseline KMS key policy grants access to everyone"
)
CHECKS = (KEY_ROTATION, KEY_POLICY_NOT_PUBLIC)
ALIAS_PREFIX = "alias/security-baseline"


def baseline_keys(kms: Any) -> dict[str, list[str]]:
    """Key id -> its aliases under `ALIAS_PREFIX`."""
    keys: dict[str, list[str]] = {}
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page.get("Aliases", []):
            if alias["AliasName"].startswith(ALIAS_PREFIX) and alias.get("TargetKeyId"):
                keys.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    return keys


def _keys_probe(context: AuditContext, region: str) -> list[CheckResult]:
    kms = context.clients.client("kms", region)
    keys = baseline_keys(kms)
    if not keys:
        resource = f"{ALIAS_PREFIX}*"
        if region == context.home_region:
            reason = f"no key with an alias under {ALIAS_PREFIX} in the home region"
            return [check.failed(region, resource, reason) for check in CHECKS]
        return [
            check.skipped(region, resource, "no baseline key in this region") for check in CHECKS
        ]
    clients = context.clients
    results: list[CheckResult] = []
    for key_id, aliases in sorted(keys.items()):
        arn = f"arn:{clients.partition}:kms:{region}:{clients.account_id}:key/{key_id}"
        named = ", ".join(aliases)
        results += guarded(
            [KEY_ROTATION], region, arn, partial(_rotation, kms, key_id, arn, named, region)
        )
        results += guarded(
            [KEY_POLICY_NOT_PUBLIC], region, arn, partial(_policy, kms, key_id, arn, named, region)
        )
    return results


def _rotation(kms: Any, key_id: str, arn: str, aliases: str, region: str) -> list[CheckResult]:
    enabled = kms.get_key_rotation_status(KeyId=key_id).get("KeyRotationEnabled") is True
    return [
        KEY_ROTATION.verdict(
            enabled, region, arn, f"{aliases}: rotation on", f"{aliases}: rotation off"
        )
    ]


def _policy(kms: Any, key_id: str, arn: str, aliases: str, region: str) -> list[CheckResult]:
    policy = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    public = [
        str(statement.get("Sid", f"statement {index}"))
        for index, statement in enumerate(statements(policy))
        if is_public_grant(statement)
    ]
    return [
        KEY_POLICY_NOT_PUBLIC.verdict(
            not public,
            region,
            arn,
            f"{aliases}: no statement allows everyone",
            f"{aliases}: allows everyone without an identity condition in {', '.join(public)}",
        )
    ]


_KEYS = "arn:{partition}:kms:*:{account}:key/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("kms", "ListAliases", "kms:ListAliases"),
    ApiCall("kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus", _KEYS),
    ApiCall("kms", "GetKeyPolicy", "kms:GetKeyPolicy", _KEYS),
)


SERVICE = ServiceAudit(
    name="kms",
    scope=Scope.REGIONAL,
    probes=(Probe(CHECKS, _keys_probe),),
    skip_reason=lambda context: None,
    api_calls=API_CALLS,
)
