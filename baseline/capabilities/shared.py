"""Helpers the detective services' components (GuardDuty, Security Hub, Macie, Config) share."""

from __future__ import annotations

import pulumi


def organization_admin(
    delegated_admin_account_id: str | None, management_provider: pulumi.ProviderResource | None
) -> str | None:
    """The delegated administrator's account id in organization mode, else None."""
    if (delegated_admin_account_id is None) != (management_provider is None):
        raise ValueError(
            "organization mode takes both a management provider and the delegated "
            "administrator's account id; single-account mode takes neither"
        )
    return delegated_admin_account_id


def require_region_list(owner: str, home_region: str | None, regions: tuple[str, ...]) -> None:
    """Regions must be listed, once each, and include the home region when there is one."""
    if not regions:
        raise ValueError(f"{owner}.regions: at least one region is required")
    if len(set(regions)) != len(regions):
        raise ValueError(f"{owner}.regions: a region is listed twice")
    if home_region is not None and home_region not in regions:
        raise ValueError(f"{owner}.regions: must include the home region {home_region}")
