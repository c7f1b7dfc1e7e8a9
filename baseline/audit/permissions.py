"""Every AWS API call the audit makes, with the IAM action and resources it needs.

This table is the single source of the auditor's IAM policy: `read_permissions()` is what
`components.AuditorRole` is given, and the role adds AssumeRole on the roles it may assume. Each
capability's audit and coverage services declare the calls they make (`api_calls`); the calls
any audit makes come first. A check that calls an API missing here is caught by the tests,
which record every call a full audit makes. Only read-only calls belong here, and the one
AssumeRole that reaches the baseline's other accounts.
"""

from __future__ import annotations

from baseline.audit.model import ANY_RESOURCE, ApiCall
from baseline.capabilities.registry import CAPABILITIES

__all__ = ["ANY_RESOURCE", "API_CALLS", "ASSUMED_ROLES", "ApiCall"]

# The roles the audit assumes in the baseline's accounts (`baseline.audit.accounts`): their
# ARNs come from the spec, not from a pattern.
ASSUMED_ROLES = "{assumed_roles}"

# What every audit calls, whatever it checks: who it runs as, the baseline's other accounts and,
# with --organization, the organization's accounts.
AUDIT_CALLS: tuple[ApiCall, ...] = (
    ApiCall("sts", "GetCallerIdentity", "sts:GetCallerIdentity"),
    # In organization mode: reaching the three baseline accounts from one set of credentials.
    ApiCall("sts", "AssumeRole", "sts:AssumeRole", ASSUMED_ROLES),
    ApiCall("organizations", "DescribeOrganization", "organizations:DescribeOrganization"),
    ApiCall("organizations", "ListAccounts", "organizations:ListAccounts"),
)
# Each call once, though a capability's coverage makes calls its audit makes too.
API_CALLS: tuple[ApiCall, ...] = tuple(
    dict.fromkeys(
        (*AUDIT_CALLS, *(call for capability in CAPABILITIES for call in capability.api_calls))
    )
)


def auditor_actions() -> tuple[str, ...]:
    """Every IAM action the audit needs, sorted, each once."""
    return tuple(sorted({call.action for call in API_CALLS}))


def read_permissions() -> dict[str, tuple[str, ...]]:
    """Resource pattern ({partition}, {account}, or "*") -> the sorted read-only actions that
    need it: every call but the AssumeRole of the baseline's accounts, whose roles the
    auditor role is given by ARN."""
    grouped: dict[str, set[str]] = {}
    for call in API_CALLS:
        if call.resource != ASSUMED_ROLES:
            grouped.setdefault(call.resource, set()).add(call.action)
    return {resource: tuple(sorted(actions)) for resource, actions in sorted(grouped.items())}
