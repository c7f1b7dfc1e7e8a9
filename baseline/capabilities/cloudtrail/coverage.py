"""CloudTrail coverage: an organization trail of the management account logs the events of
every account of the organization, so one trail that exists and logs covers them all, in
every region when it is multi-region, else in its home region only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseline.audit.coverage.model import (
    CoverageContext,
    RegionCoverage,
    ServiceCoverage,
    covered,
    everywhere,
    missing,
)
from baseline.capabilities.cloudtrail import audit


def organization_trail(trails: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    """The organization trail called `name`, else a multi-region one, else any, else None."""
    candidates = [trail for trail in trails if trail.get("IsOrganizationTrail") is True]
    named = [t for t in candidates if t.get("Name") == name or t["TrailARN"].endswith(f"/{name}")]
    multi_region = [trail for trail in candidates if trail.get("IsMultiRegionTrail") is True]
    return next(iter(named or multi_region or candidates), None)


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    management = context.management.account_id
    cloudtrail = context.management.client("cloudtrail", context.home_region)
    # Shadow trails included: a multi-region trail created in another region shows here too.
    trails = cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
    trail = organization_trail(trails, context.spec.cloudtrail.name)
    if trail is None:
        return everywhere(
            regions, missing(f"no organization trail in the management account {management}")
        )
    arn = trail["TrailARN"]
    if cloudtrail.get_trail_status(Name=arn).get("IsLogging") is not True:
        return everywhere(regions, missing(f"organization trail {arn} is not logging"))
    if trail.get("IsMultiRegionTrail") is True:
        return everywhere(regions, covered(f"organization trail {arn} logs every region"))
    home = trail.get("HomeRegion", context.home_region)
    return {
        region: RegionCoverage(
            covered(f"organization trail {arn} logs {home}")
            if region == home
            else missing(f"organization trail {arn} records {home} only")
        )
        for region in regions
    }


# The trail and its status, as the audit reads them.
API_CALLS = audit.API_CALLS

SERVICE = ServiceCoverage(
    name="cloudtrail",
    description="CloudTrail: the management account's organization trail logs",
    skip_reason=lambda spec: (
        None if spec.cloudtrail.enabled else "cloudtrail.enabled is false in the spec"
    ),
    read=_read,
    per_region=False,
    api_calls=API_CALLS,
    account_check=audit.TRAIL_LOGGING,
)
