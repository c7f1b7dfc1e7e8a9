"""Firewall Manager coverage: an account is covered in a region when it is in the scope of
every policy the spec declares there.

The scope is read from Firewall Manager itself rather than resolved from each policy's
include and exclude maps against the organization's OUs: ListComplianceStatus of a policy
lists one entry per member account the policy applies to ("which member accounts are
protected by the specified policy", botocore's model), so one paginated call per declared
policy and region answers for every account. Before that, the management account must have
made the security account the Firewall Manager administrator (GetAdminAccount, READY).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from baseline.audit.coverage.model import (
    CoverageContext,
    CoverageStatus,
    RegionCoverage,
    ServiceCoverage,
    Verdict,
    covered,
    everywhere,
    missing,
    paginate,
)
from baseline.audit.errors import error_code
from baseline.audit.model import ApiCall
from baseline.capabilities.firewall_manager import audit
from baseline.capabilities.firewall_manager.audit_scope import expected_policy_names

# Where the management account designates the administrator (wiring.py deploys
# aws.fms.AdminAccount there).
FMS_ADMIN_REGION = "us-east-1"
# ListPolicies' and ListComplianceStatus' MaxResults allow at most 100.
PAGE_SIZE = 100
OUT_OF_ADMIN_SCOPE = "OUT_OF_ADMIN_SCOPE"


def admin_problem(context: CoverageContext) -> str | None:
    """Why the security account is not the Firewall Manager administrator, or None."""
    fms = context.management.client("fms", FMS_ADMIN_REGION)
    try:
        admin = fms.get_admin_account()
    except ClientError as error:
        if error_code(error) != "ResourceNotFoundException":
            raise
        return "Firewall Manager has no administrator account"
    security = context.security.account_id
    if admin.get("AdminAccount") != security:
        return f"the Firewall Manager administrator is {admin.get('AdminAccount')}, not {security}"
    if admin.get("RoleStatus", "READY") != "READY":
        return f"the Firewall Manager administrator's role is {admin['RoleStatus']}"
    return None


def scope_coverage(declared: Sequence[str], scopes: Mapping[str, set[str]]) -> RegionCoverage:
    """Accounts in the scope of every declared policy are covered; the others say which
    policies leave them out."""
    accounts: dict[str, Verdict] = {}
    for account in set().union(*scopes.values()):
        outside = [name for name in declared if account not in scopes[name]]
        accounts[account] = (
            missing(f"out of scope of {', '.join(outside)}")
            if outside
            else covered(f"in scope of {', '.join(declared)}")
        )
    return RegionCoverage(missing(f"out of scope of {', '.join(declared)}"), accounts)


def _region_coverage(context: CoverageContext, region: str) -> RegionCoverage:
    declared = expected_policy_names(context.spec, region)
    if not declared:
        return RegionCoverage(
            Verdict(CoverageStatus.SKIP, "the spec declares no Firewall Manager policy here")
        )
    fms = context.security.client("fms", region)
    policies = {
        policy["PolicyName"]: policy
        for policy in paginate(
            fms, "list_policies", "PolicyList", PaginationConfig={"PageSize": PAGE_SIZE}
        )
    }
    absent = [name for name in declared if name not in policies]
    if absent:
        return RegionCoverage(missing(f"policy not deployed here: {', '.join(absent)}"))
    stale = [name for name in declared if policies[name].get("PolicyStatus") == OUT_OF_ADMIN_SCOPE]
    if stale:
        what = "new resources are not protected"
        return RegionCoverage(
            missing(f"out of the administrator's scope ({what}): {', '.join(stale)}")
        )
    return scope_coverage(
        declared, {name: _scope(fms, policies[name]["PolicyId"]) for name in declared}
    )


def _scope(fms: Any, policy_id: str) -> set[str]:
    statuses = paginate(
        fms,
        "list_compliance_status",
        "PolicyComplianceStatusList",
        PolicyId=policy_id,
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    return {status["MemberAccount"] for status in statuses}


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    problem = admin_problem(context)
    if problem is not None:
        return everywhere(regions, missing(problem))
    return {region: _region_coverage(context, region) for region in regions}


# The policies and their compliance, as the audit reads them, and the administrator.
API_CALLS: tuple[ApiCall, ...] = (
    *audit.API_CALLS,
    ApiCall("fms", "GetAdminAccount", "fms:GetAdminAccount"),
)


SERVICE = ServiceCoverage(
    name="fms",
    description="Firewall Manager: the account is in scope of every policy the spec declares",
    skip_reason=lambda spec: (
        None if spec.firewall_manager.enabled else "firewall_manager.enabled is false in the spec"
    ),
    read=_read,
    per_region=False,
    api_calls=API_CALLS,
    account_check=audit.POLICIES_PRESENT,
)
