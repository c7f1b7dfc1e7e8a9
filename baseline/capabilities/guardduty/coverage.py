"""GuardDuty coverage: the administrator's detector, and its members whose relationship is
Enabled (ListMembers with OnlyAssociated "false", so that every member shows, also those
not or no longer enabled)."""

from __future__ import annotations

from collections.abc import Mapping

from baseline.audit.coverage.members import admin_not_enabled, members_coverage
from baseline.audit.coverage.model import (
    CoverageContext,
    RegionCoverage,
    ServiceCoverage,
    covered,
    everywhere,
    paginate,
)
from baseline.audit.model import ApiCall
from baseline.capabilities.guardduty import audit

SERVICE_NAME = "GuardDuty"
# ListMembers' MaxResults allows at most 50 (botocore's model), ListDetectors' 50.
PAGE_SIZE = 50


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    (region,) = regions
    admin_id = context.security.account_id
    guardduty = context.security.client("guardduty", region)
    detector_ids = paginate(
        guardduty, "list_detectors", "DetectorIds", PaginationConfig={"PageSize": PAGE_SIZE}
    )
    if not detector_ids:
        return everywhere(regions, admin_not_enabled(SERVICE_NAME, admin_id, "no detector"))
    # GuardDuty allows one detector per account and region.
    detector_id = detector_ids[0]
    status = guardduty.get_detector(DetectorId=detector_id).get("Status")
    if status != "ENABLED":
        what = f"detector {detector_id} is {status}"
        return everywhere(regions, admin_not_enabled(SERVICE_NAME, admin_id, what))
    members = paginate(
        guardduty,
        "list_members",
        "Members",
        DetectorId=detector_id,
        OnlyAssociated="false",
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    admin = covered(f"delegated administrator, detector {detector_id} enabled")
    relationships = ((m["AccountId"], m.get("RelationshipStatus", "")) for m in members)
    return {region: members_coverage(SERVICE_NAME, admin_id, admin, relationships)}


# The administrator's detector, as the audit reads it, and its members.
API_CALLS: tuple[ApiCall, ...] = (
    *audit.API_CALLS,
    ApiCall("guardduty", "ListMembers", "guardduty:ListMembers"),
)


SERVICE = ServiceCoverage(
    name="guardduty",
    description="GuardDuty: the administrator's detector and its Enabled members",
    skip_reason=lambda spec: (
        None if spec.guardduty.enabled else "guardduty.enabled is false in the spec"
    ),
    read=_read,
    per_region=True,
    api_calls=API_CALLS,
    account_check=audit.DETECTOR_ENABLED,
)
