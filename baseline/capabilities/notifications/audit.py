"""SNS: the topics the spec lists are encrypted with KMS.

`Notifications` (component.py) lets Pulumi name each topic: `<component>-<topic>` plus a
seven-hex-digit suffix. A topic of the spec is a deployed topic called exactly its name, or
`...-<name>`, with or without that suffix; a deployed topic that fits several names of the
spec (`alerts` and `security-alerts`) belongs to the longest. The home region must hold each
topic; another region is checked when it holds it. In organization mode the topics live in
the security account.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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

TOPIC_ENCRYPTION = Check("sns.topic-encryption", "The baseline's SNS topics are KMS-encrypted")


def is_topic_of(topic_name: str, spec_name: str) -> bool:
    pattern = rf"(?:.+-)?{re.escape(spec_name)}(?:-[0-9a-f]{{7}})?"
    return re.fullmatch(pattern, topic_name) is not None


def _topics_probe(context: AuditContext, region: str) -> list[CheckResult]:
    sns = context.clients.client("sns", region)
    pages = sns.get_paginator("list_topics").paginate()
    arns = [topic["TopicArn"] for page in pages for topic in page.get("Topics", [])]
    owners = topic_owners(arns, tuple(context.spec.notifications.topics))
    results: list[CheckResult] = []
    for name in context.spec.notifications.topics:
        matching = [arn for arn in arns if owners.get(arn) == name]
        for arn in matching:
            results += guarded(
                [TOPIC_ENCRYPTION], region, arn, partial(_encryption, sns, arn, region)
            )
        if not matching:
            results.append(_absent(context, name, region))
    return results


def topic_owners(arns: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """Topic ARN -> the spec name it belongs to, for the topics that belong to one."""
    owners = {}
    for arn in arns:
        fitting = [name for name in names if is_topic_of(arn.rsplit(":", 1)[-1], name)]
        if fitting:
            owners[arn] = max(fitting, key=len)
    return owners


def _absent(context: AuditContext, name: str, region: str) -> CheckResult:
    elsewhere = context.held_elsewhere("security")
    if elsewhere is not None:
        return TOPIC_ENCRYPTION.skipped(region, name, f"the topics live in {elsewhere}")
    if region == context.home_region:
        return TOPIC_ENCRYPTION.failed(region, name, "no such topic in the home region")
    return TOPIC_ENCRYPTION.skipped(region, name, "no such topic in this region")


def _encryption(sns: Any, arn: str, region: str) -> list[CheckResult]:
    key = sns.get_topic_attributes(TopicArn=arn)["Attributes"].get("KmsMasterKeyId")
    return [
        TOPIC_ENCRYPTION.verdict(
            bool(key), region, arn, f"encrypted with {key}", "not encrypted (no KmsMasterKeyId)"
        )
    ]


_TOPICS = "arn:{partition}:sns:*:{account}:*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("sns", "ListTopics", "sns:ListTopics"),
    ApiCall("sns", "GetTopicAttributes", "sns:GetTopicAttributes", _TOPICS),
)


SERVICE = ServiceAudit(
    name="sns",
    scope=Scope.REGIONAL,
    probes=(Probe((TOPIC_ENCRYPTION,), _topics_probe),),
    skip_reason=lambda context: None,
    api_calls=API_CALLS,
)
