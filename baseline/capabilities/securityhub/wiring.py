"""Security Hub in every enabled region, aggregated in the home region; in an organization the
security account administers it, and its configuration policies govern the accounts they
target."""

from __future__ import annotations

from baseline.capabilities.securityhub.component import SecurityHub, SecurityHubArgs
from baseline.program import Baseline


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.securityhub
    if not settings.enabled:
        return
    securityhub = baseline.administered(
        SecurityHub,
        "securityhub",
        SecurityHubArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            standards=settings.standards,
            disabled_controls=settings.disabled_controls,
            linking_mode=settings.linking_mode,
            linked_regions=settings.linked_regions,
            delegated_admin_account_id=baseline.delegated_admin(),
            configuration_policies=settings.policies if spec.organization_mode else (),
        ),
    )
    baseline.record(securityhub)
