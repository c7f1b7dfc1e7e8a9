"""Organization policies (organization mode): the spec's SCPs and RCPs exist, say what the spec
says, and are attached where it says, with their policy types enabled on the root.

Read from the management account, which owns the organization's policies. A policy is found by
its name (grouping.py names them); its content is compared as JSON with the
content the spec gives, so that a statement removed or edited outside the program shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from baseline.audit.model import (
    ORGANIZATION_ONLY,
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)
from baseline.capabilities.organization_policies.component import ROOT, OrganizationPolicy
from baseline.capabilities.organization_policies.grouping import organization_policies

POLICY_PRESENT = Check(
    "organization-policies.policy-present",
    "Each organization policy of the spec exists, with the spec's statements",
)
POLICY_ATTACHED = Check(
    "organization-policies.policy-attached",
    "Each organization policy of the spec is attached to each root or OU the spec names",
)
POLICY_TYPE_ENABLED = Check(
    "organization-policies.policy-type-enabled",
    "The root has each policy type the spec uses enabled (else AWS applies none of them)",
)
CHECKS = (POLICY_TYPE_ENABLED, POLICY_PRESENT, POLICY_ATTACHED)


def _skip(context: AuditContext) -> str | None:
    if not context.spec.organization_mode:
        return ORGANIZATION_ONLY
    if not context.spec.organization_policies.enabled:
        return "organization_policies.enabled is false in the spec"
    return None


def expected_policies(context: AuditContext) -> tuple[OrganizationPolicy, ...]:
    spec = context.spec
    assert spec.accounts is not None  # _skip leaves single-account mode out
    return organization_policies(spec.organization_policies, spec.accounts, spec.regions)


def _listed(organizations: Any, policy_type: str) -> dict[str, Mapping[str, Any]]:
    pages = organizations.get_paginator("list_policies").paginate(Filter=policy_type)
    return {item["Name"]: item for page in pages for item in page["Policies"]}


def _attached_targets(organizations: Any, policy_id: str) -> set[str]:
    pages = organizations.get_paginator("list_targets_for_policy").paginate(PolicyId=policy_id)
    return {target["TargetId"] for page in pages for target in page["Targets"]}


def _probe(context: AuditContext, region: str) -> list[CheckResult]:
    organizations = context.clients.client("organizations", region)
    expected = expected_policies(context)
    root = organizations.list_roots()["Roots"][0]
    results = _policy_types(root, {p.type for p in expected}, region)
    listed = {kind: _listed(organizations, kind) for kind in {p.type for p in expected}}
    for policy in expected:
        found = listed[policy.type].get(policy.name)
        if found is None:
            what = f"no {policy.type} named {policy.name}"
            results.append(POLICY_PRESENT.failed(region, policy.name, what))
            results += [
                POLICY_ATTACHED.failed(region, f"{policy.name} on {target}", what)
                for target in policy.targets
            ]
            continue
        content = organizations.describe_policy(PolicyId=found["Id"])["Policy"]["Content"]
        results.append(_content_result(policy, found["Arn"], content, region))
        attached = _attached_targets(organizations, found["Id"])
        for target in policy.targets:
            target_id = root["Id"] if target == ROOT else target
            results.append(
                POLICY_ATTACHED.verdict(
                    target_id in attached,
                    region,
                    f"{policy.name} on {target_id}",
                    "attached",
                    f"not attached to {target_id}: its guardrails do not apply there",
                )
            )
    return results


def _policy_types(root: Mapping[str, Any], needed: set[str], region: str) -> list[CheckResult]:
    enabled = {t["Type"] for t in root.get("PolicyTypes", []) if t.get("Status") == "ENABLED"}
    return [
        POLICY_TYPE_ENABLED.verdict(
            kind in enabled,
            region,
            f"{root['Id']} {kind}",
            "enabled",
            "not enabled on the root: no policy of this type applies anywhere",
        )
        for kind in sorted(needed)
    ]


def _content_result(policy: OrganizationPolicy, arn: str, content: str, region: str) -> CheckResult:
    try:
        statements = json.loads(content).get("Statement", [])
    except (json.JSONDecodeError, AttributeError):
        return POLICY_PRESENT.failed(region, arn, "its content is not a JSON policy")
    live = {s.get("Sid", ""): s for s in statements if isinstance(s, Mapping)}
    wanted = {s.get("Sid", ""): s for s in policy.statements}
    missing = sorted(sid for sid in wanted if sid not in live)
    changed = sorted(sid for sid in wanted if sid in live and live[sid] != wanted[sid])
    extra = sorted(sid for sid in live if sid not in wanted)
    if not (missing or changed or extra):
        return POLICY_PRESENT.passed(region, arn, f"{len(wanted)} statements as the spec says")
    parts = [
        f"{label}: {', '.join(sids)}"
        for label, sids in (("missing", missing), ("changed", changed), ("not in the spec", extra))
        if sids
    ]
    return POLICY_PRESENT.failed(region, arn, "; ".join(parts))


# The organization's policies belong to the management account, the one that reads them.
_ORGANIZATION_POLICIES = "arn:{partition}:organizations::{account}:policy/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("organizations", "ListRoots", "organizations:ListRoots"),
    ApiCall("organizations", "ListPolicies", "organizations:ListPolicies"),
    ApiCall(
        "organizations", "DescribePolicy", "organizations:DescribePolicy", _ORGANIZATION_POLICIES
    ),
    ApiCall(
        "organizations",
        "ListTargetsForPolicy",
        "organizations:ListTargetsForPolicy",
        _ORGANIZATION_POLICIES,
    ),
)


SERVICE = ServiceAudit(
    name="organization-policies",
    scope=Scope.ACCOUNT,
    probes=(Probe(CHECKS, _probe),),
    skip_reason=_skip,
    # The management account owns the organization's policies.
    audited_in=("management",),
    api_calls=API_CALLS,
)
