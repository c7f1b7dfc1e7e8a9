"""Shield Advanced (organization mode): an active subscription that protects resources.

Shield Advanced is global: its API answers from us-east-1 whatever the client's region.
"""

from __future__ import annotations

from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.capabilities.firewall_manager.audit_scope import (
    FIREWALL_MANAGER_ADMIN,
    firewall_manager_skip,
)

SUBSCRIPTION_ACTIVE = Check(
    "shield.subscription-active", "The Shield Advanced subscription is active"
)
PROTECTED_RESOURCES = Check("shield.protected-resources", "Shield Advanced protects resources")
_NAMED_AT_MOST = 5


def _subscription_probe(context: AuditContext, region: str) -> list[CheckResult]:
    shield = context.clients.client("shield", region)
    state = shield.get_subscription_state()["SubscriptionState"]
    return [
        SUBSCRIPTION_ACTIVE.verdict(
            state == "ACTIVE",
            region,
            f"account {context.clients.account_id}",
            "subscription ACTIVE",
            f"subscription {state}",
        )
    ]


def _protections_probe(context: AuditContext, region: str) -> list[CheckResult]:
    shield = context.clients.client("shield", region)
    pages = shield.get_paginator("list_protections").paginate()
    protected = [item["ResourceArn"] for page in pages for item in page.get("Protections", [])]
    named = ", ".join(protected[:_NAMED_AT_MOST])
    more = f" and {len(protected) - _NAMED_AT_MOST} more" if len(protected) > _NAMED_AT_MOST else ""
    return [
        PROTECTED_RESOURCES.verdict(
            bool(protected),
            region,
            f"account {context.clients.account_id}",
            f"{len(protected)} protected: {named}{more}",
            "no protected resources",
        )
    ]


API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("shield", "GetSubscriptionState", "shield:GetSubscriptionState"),
    ApiCall("shield", "ListProtections", "shield:ListProtections"),
)


SERVICE = ServiceAudit(
    name="shield",
    scope=Scope.ACCOUNT,
    probes=(
        Probe((SUBSCRIPTION_ACTIVE,), _subscription_probe),
        Probe((PROTECTED_RESOURCES,), _protections_probe),
    ),
    skip_reason=firewall_manager_skip,
    # Read in the Firewall Manager administrator account, next to the policies that use it.
    audited_in=(FIREWALL_MANAGER_ADMIN,),
    api_calls=API_CALLS,
)
