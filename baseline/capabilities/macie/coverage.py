"""Macie coverage: the administrator's own Macie, and its members whose relationshipStatus
is Enabled (ListMembers with onlyAssociated "false"; a Paused member is not covered)."""

from __future__ import annotations

from collections.abc import Mapping

from botocore.exceptions import ClientError

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
from baseline.capabilities.macie import audit
from baseline.capabilities.macie.audit import macie_not_enabled

SERVICE_NAME = "Macie"
# ListMembers' maxResults allows at most 25 (botocore's model).
PAGE_SIZE = 25


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    (region,) = regions
    admin_id = context.security.account_id
    macie = context.security.client("macie2", region)
    try:
        status = macie.get_macie_session().get("status")
    except ClientError as error:
        if not macie_not_enabled(error):
            raise
        return everywhere(regions, admin_not_enabled(SERVICE_NAME, admin_id, "not enabled"))
    if status != "ENABLED":
        return everywhere(regions, admin_not_enabled(SERVICE_NAME, admin_id, f"status {status}"))
    members = paginate(
        macie,
        "list_members",
        "members",
        onlyAssociated="false",
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    admin = covered("delegated administrator, Macie enabled")
    relationships = ((m["accountId"], m.get("relationshipStatus", "")) for m in members)
    return {region: members_coverage(SERVICE_NAME, admin_id, admin, relationships)}


# The administrator's Macie session, as the audit reads it, and its members.
API_CALLS: tuple[ApiCall, ...] = (
    *audit.API_CALLS,
    ApiCall("macie2", "ListMembers", "macie2:ListMembers"),
)


SERVICE = ServiceCoverage(
    name="macie",
    description="Macie: the administrator's own Macie and its Enabled members",
    skip_reason=lambda spec: None if spec.macie.enabled else "macie.enabled is false in the spec",
    read=_read,
    per_region=True,
    api_calls=API_CALLS,
    account_check=audit.ENABLED,
)
