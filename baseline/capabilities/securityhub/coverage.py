"""Security Hub coverage: the administrator's hub, and its members whose MemberStatus is
Enabled (ListMembers with OnlyAssociated false: every member, whatever its status)."""

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
from baseline.audit.errors import error_code
from baseline.audit.model import ApiCall
from baseline.capabilities.securityhub import audit
from baseline.capabilities.securityhub.audit import DESCRIBE_HUB, HUBS, NOT_ENABLED_CODES

SERVICE_NAME = "Security Hub"
# ListMembers' MaxResults allows at most 50 (botocore's model).
PAGE_SIZE = 50


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    (region,) = regions
    admin_id = context.security.account_id
    securityhub = context.security.client("securityhub", region)
    try:
        hub_arn = securityhub.describe_hub()["HubArn"]
    except ClientError as error:
        if error_code(error) not in NOT_ENABLED_CODES:
            raise
        return everywhere(regions, admin_not_enabled(SERVICE_NAME, admin_id, "no hub"))
    members = paginate(
        securityhub,
        "list_members",
        "Members",
        OnlyAssociated=False,
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    admin = covered(f"delegated administrator, hub {hub_arn}")
    relationships = ((m["AccountId"], m.get("MemberStatus", "")) for m in members)
    return {region: members_coverage(SERVICE_NAME, admin_id, admin, relationships)}


API_CALLS: tuple[ApiCall, ...] = (
    DESCRIBE_HUB,
    ApiCall("securityhub", "ListMembers", "securityhub:ListMembers", HUBS),
)


SERVICE = ServiceCoverage(
    name="securityhub",
    description="Security Hub: the administrator's hub and its Enabled members",
    skip_reason=lambda spec: (
        None if spec.securityhub.enabled else "securityhub.enabled is false in the spec"
    ),
    read=_read,
    per_region=True,
    api_calls=API_CALLS,
    account_check=audit.HUB_ENABLED,
)
