"""Security Hub: the hub in each region, and every standard the spec lists subscribed."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code, guarded
from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.capabilities.securityhub.component import standard_arn

HUB_ENABLED = Check("securityhub.hub-enabled", "Security Hub is enabled")
STANDARDS = Check("securityhub.standards", "Every standard the spec lists is subscribed")
# What DescribeHub answers in an account and region where Security Hub is not enabled.
NOT_ENABLED_CODES = frozenset({"InvalidAccessException", "ResourceNotFoundException"})
# A subscription that is not, or no longer, in effect.
_BROKEN_STATUSES = frozenset({"FAILED", "DELETING"})


def _hub_probe(context: AuditContext, region: str) -> list[CheckResult]:
    securityhub = context.clients.client("securityhub", region)
    clients = context.clients
    hub_arn = f"arn:{clients.partition}:securityhub:{region}:{clients.account_id}:hub/default"
    try:
        hub_arn = securityhub.describe_hub()["HubArn"]
    except ClientError as error:
        if error_code(error) not in NOT_ENABLED_CODES:
            raise
        return [
            HUB_ENABLED.failed(region, hub_arn, "Security Hub is not enabled"),
            STANDARDS.failed(region, hub_arn, "Security Hub is not enabled"),
        ]
    return [
        HUB_ENABLED.passed(region, hub_arn, "enabled"),
        *guarded([STANDARDS], region, hub_arn, partial(_standards, context, securityhub, region)),
    ]


def _standards(context: AuditContext, securityhub: Any, region: str) -> list[CheckResult]:
    pages = securityhub.get_paginator("get_enabled_standards").paginate()
    subscribed: Mapping[str, str] = {
        item["StandardsArn"]: item.get("StandardsStatus", "")
        for page in pages
        for item in page.get("StandardsSubscriptions", [])
    }
    results = []
    for standard in context.spec.securityhub.standards:
        arn = standard_arn(standard, region)
        status = subscribed.get(arn)
        if status is None:
            results.append(STANDARDS.failed(region, arn, "not subscribed"))
        else:
            results.append(
                STANDARDS.verdict(
                    status not in _BROKEN_STATUSES,
                    region,
                    arn,
                    f"subscribed ({status})",
                    f"subscription {status}",
                )
            )
    return results


HUBS = "arn:{partition}:securityhub:*:{account}:hub/default"

DESCRIBE_HUB = ApiCall("securityhub", "DescribeHub", "securityhub:DescribeHub", HUBS)
API_CALLS: tuple[ApiCall, ...] = (
    DESCRIBE_HUB,
    ApiCall("securityhub", "GetEnabledStandards", "securityhub:GetEnabledStandards", HUBS),
)


SERVICE = ServiceAudit(
    name="securityhub",
    scope=Scope.REGIONAL,
    probes=(Probe((HUB_ENABLED, STANDARDS), _hub_probe),),
    skip_reason=lambda context: (
        None if context.spec.securityhub.enabled else "securityhub.enabled is false in the spec"
    ),
    api_calls=API_CALLS,
)
