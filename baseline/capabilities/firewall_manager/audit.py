"""Firewall Manager (organization mode): policies exist in each region, and every member
account complies with them. Only the Firewall Manager administrator account can read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from baseline.audit.errors import guarded
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
    expected_policy_names,
    firewall_manager_skip,
)

POLICIES_PRESENT = Check("fms.policies-present", "Firewall Manager has policies")
POLICIES_COMPLIANT = Check(
    "fms.policies-compliant", "Every member account complies with every Firewall Manager policy"
)


def non_compliant_accounts(statuses: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted(
        {
            status["MemberAccount"]
            for status in statuses
            if any(
                result.get("ComplianceStatus") == "NON_COMPLIANT"
                for result in status.get("EvaluationResults", [])
            )
        }
    )


def _policies_probe(context: AuditContext, region: str) -> list[CheckResult]:
    fms = context.clients.client("fms", region)
    pages = fms.get_paginator("list_policies").paginate()
    policies = [policy for page in pages for policy in page.get("PolicyList", [])]
    account = f"account {context.clients.account_id}"
    if not policies:
        return [
            POLICIES_PRESENT.failed(region, account, "no Firewall Manager policy"),
            POLICIES_COMPLIANT.failed(region, account, "no Firewall Manager policy"),
        ]
    results = _presence(expected_policy_names(context.spec, region), policies, account, region)
    for policy in policies:
        arn = policy.get("PolicyArn") or policy["PolicyId"]
        results += guarded(
            [POLICIES_COMPLIANT], region, arn, partial(_compliance, fms, policy, arn, region)
        )
    return results


def _presence(
    expected: Sequence[str], policies: Sequence[Mapping[str, Any]], account: str, region: str
) -> list[CheckResult]:
    deployed = {policy["PolicyName"]: policy.get("PolicyArn", "") for policy in policies}
    if not expected:
        return [POLICIES_PRESENT.passed(region, account, ", ".join(deployed))]
    return [
        POLICIES_PRESENT.verdict(
            name in deployed, region, deployed.get(name) or name, "deployed", "not deployed"
        )
        for name in expected
    ]


def _compliance(fms: Any, policy: Mapping[str, Any], arn: str, region: str) -> list[CheckResult]:
    pages = fms.get_paginator("list_compliance_status").paginate(PolicyId=policy["PolicyId"])
    statuses = [status for page in pages for status in page.get("PolicyComplianceStatusList", [])]
    offenders = non_compliant_accounts(statuses)
    return [
        POLICIES_COMPLIANT.verdict(
            not offenders,
            region,
            arn,
            f"{policy['PolicyName']}: {len(statuses)} member accounts compliant",
            f"{policy['PolicyName']}: non-compliant accounts {', '.join(offenders)}",
        )
    ]


_FMS_POLICIES = "arn:{partition}:fms:*:{account}:policy/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("fms", "ListPolicies", "fms:ListPolicies"),
    ApiCall("fms", "ListComplianceStatus", "fms:ListComplianceStatus", _FMS_POLICIES),
)


SERVICE = ServiceAudit(
    name="fms",
    scope=Scope.REGIONAL,
    probes=(Probe((POLICIES_PRESENT, POLICIES_COMPLIANT), _policies_probe),),
    skip_reason=firewall_manager_skip,
    audited_in=(FIREWALL_MANAGER_ADMIN,),
    api_calls=API_CALLS,
)
