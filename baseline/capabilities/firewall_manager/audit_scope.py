"""Shield Advanced and Firewall Manager: what the audit expects of an organization.

Both follow the spec's `firewall_manager` section (off by default; organization mode only):
Firewall Manager's Shield Advanced policies need the subscription.
"""

from __future__ import annotations

from baseline.audit.model import ORGANIZATION_ONLY, AuditContext
from baseline.capabilities.firewall_manager.policies import (
    GLOBAL_POLICY_REGION,
    CommonSecurityGroupOptions,
)
from baseline.spec import Spec

# The account the baseline makes Firewall Manager administrator (wiring.py).
FIREWALL_MANAGER_ADMIN = "security"


def firewall_manager_skip(context: AuditContext) -> str | None:
    """Why the audit does not expect Shield Advanced and Firewall Manager, or None."""
    if not context.spec.organization_mode:
        return ORGANIZATION_ONLY
    if not context.spec.firewall_manager.enabled:
        return "firewall_manager.enabled is false in the spec"
    return None


def expected_policy_names(spec: Spec, region: str) -> tuple[str, ...]:
    """The FMS policies `FirewallManager` deploys in `region` for the spec's policies."""
    names: list[str] = []
    for policy in spec.firewall_manager.policies:
        options = policy.options
        regions = (
            tuple(options.primary_security_groups)
            if isinstance(options, CommonSecurityGroupOptions)
            else spec.regions.enabled
        )
        if policy.regional_types and region in regions:
            names.append(policy.name)
        if policy.covers_cloudfront and region == GLOBAL_POLICY_REGION:
            names.append(f"{policy.name}-cloudfront")
    return tuple(names)
