"""What supports each policy and audit check: an offline preview, or the JSON of an audit.

From a preview, a policy's evidence is every planned resource of the types it evaluates,
PASS unless the pack reported a violation for it (FAIL, whatever its enforcement level: the
resource does not meet the control) or could not evaluate it during preview (NOT
EVALUATED). A guardrail's evidence is each planned organization policy holding its statement:
PASS where it is attached, FAIL where it is attached nowhere or the pack found it would not
deploy. From an audit, a check's evidence is its results: resource, region and reason
(the audit files themselves are read by `baseline.report.audits`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from baseline.audit.model import CheckResult
from baseline.audit.model import Status as AuditStatus
from baseline.capabilities.organization_policies import catalog as guardrail_catalog
from baseline.capabilities.organization_policies import data_perimeter
from baseline.preview.analyzer import AnalysisResult, PackInfo, PolicyPackError, analyze
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan, PlannedResource, Violation
from baseline.problems import Problem, SpecError
from baseline.project import StackFile
from baseline.report.mapping import EVERY_RESOURCE, ComplianceMapping
from baseline.report.model import AUDIT_CHECK, GUARDRAIL, POLICY, Item, Source, Status

# How pulumi_policy words a validation that read a value unknown during preview.
UNKNOWN_DURING_PREVIEW = "can't run policy"
ORGANIZATION_POLICY = "aws:organizations/policy:Policy"
POLICY_ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
NOT_IN_PLAN = (
    "no organization policy of the plan holds it (organization_policies off, or this guardrail "
    "switched off or left off)"
)
AUDIT_STATUSES = {
    AuditStatus.PASS: Status.PASS,
    AuditStatus.FAIL: Status.FAIL,
    AuditStatus.ERROR: Status.ERROR,
    AuditStatus.SKIP: Status.NOT_EVALUATED,
}


@dataclass(frozen=True)
class Preview:
    plan: Plan
    pack: PackInfo
    violations: tuple[Violation, ...]


def run_preview(stack: StackFile, pack_dir: Path, config_file: Path | None) -> Preview:
    """Plan the stack offline and run the pack over it; ProgramError if the program fails."""
    plan = plan_project(stack)
    try:
        analysis: AnalysisResult = analyze(plan, [pack_dir], [config_file] if config_file else [])
    except PolicyPackError as error:
        first = (error.what.splitlines() or [""])[0]
        raise SpecError([Problem(str(error.where), first)]) from None
    [pack] = analysis.packs
    return Preview(plan, pack, analysis.violations)


def policy_sources(mapping: ComplianceMapping, preview: Preview) -> dict[str, Source]:
    """Every policy of the mapping with its evidence from the preview."""
    found: dict[str, list[Violation]] = defaultdict(list)
    for violation in preview.violations:
        found[violation.policy].append(violation)
    return {
        name: _policy_source(name, mapping.resource_types[name], found[name], preview)
        for name in mapping.policies
    }


def _policy_source(
    name: str, types: Sequence[str], violations: Sequence[Violation], preview: Preview
) -> Source:
    pack = preview.pack
    enforcement = pack.enforcement.get(name)
    if enforcement is None:
        return Source(POLICY, name, note=f"the policy pack {pack.name} has no such policy")
    description = f"{enforcement} policy of {pack.name} {pack.version}"
    if enforcement == "disabled":
        return Source(POLICY, name, description, note="disabled by the policy pack config")
    resources = preview.plan.resources
    by_urn = {r.urn: r for r in resources}
    flagged_urns = {v.urn for v in violations}
    passed = [
        Item(Status.PASS, resource_label(r), "no violation")
        for r in resources
        if _is_cloud_resource(r)
        and (EVERY_RESOURCE in types or r.type in types)
        and r.urn not in flagged_urns
    ]
    items = (*(_violation_item(v, by_urn.get(v.urn)) for v in violations), *passed)
    note = "" if items else f"no resource of type {', '.join(types)} in the plan"
    return Source(POLICY, name, description, items, note)


def _violation_item(violation: Violation, resource: PlannedResource | None) -> Item:
    subject = resource_label(resource) if resource is not None else "the stack"
    if violation.message.startswith(UNKNOWN_DURING_PREVIEW):
        return Item(Status.NOT_EVALUATED, subject, violation.message)
    return Item(Status.FAIL, subject, f"{violation.enforcement} violation: {finding(violation)}")


def finding(violation: Violation) -> str:
    """What the policy found: the SDK puts the policy's description before it."""
    message = violation.message
    if violation.description and message.startswith(violation.description):
        message = message[len(violation.description) :].strip()
    return message or violation.description


def resource_label(resource: PlannedResource) -> str:
    return f"{resource.name} ({resource.type})"


def _is_cloud_resource(resource: PlannedResource) -> bool:
    # Components, providers and the stack group or configure resources; they hold no settings
    # a control is about.
    return resource.custom and not resource.type.startswith("pulumi:")


def check_sources(
    descriptions: Mapping[str, str], results: Iterable[CheckResult]
) -> dict[str, Source]:
    """Every check of `descriptions` with its results from an audit."""
    by_check: dict[str, list[Item]] = defaultdict(list)
    for result in results:
        by_check[result.check_id].append(_audit_item(result))
    return {
        check: Source(
            AUDIT_CHECK,
            check,
            description,
            tuple(by_check[check]),
            "" if by_check[check] else "no result in the audit",
        )
        for check, description in descriptions.items()
    }


def _audit_item(result: CheckResult) -> Item:
    subject = f"{result.resource} in {result.region}"
    detail = result.reason
    if result.status is AuditStatus.SKIP:
        detail = f"skipped: {result.reason}"
    return Item(AUDIT_STATUSES[result.status], subject, detail)


def guardrail_description(sid: str) -> str:
    """What the guardrail with this statement Sid denies."""
    name = guardrail_catalog.guardrail_of(sid)
    prevents = guardrail_catalog.PREVENTS.get(name or "") or data_perimeter.PREVENTS.get(sid)
    return f"denies {prevents}" if prevents else ""


def guardrail_descriptions(mapping: ComplianceMapping) -> dict[str, str]:
    return {sid: guardrail_description(sid) for sid in mapping.guardrails}


def guardrail_sources(mapping: ComplianceMapping, preview: Preview) -> dict[str, Source]:
    """Every guardrail of the mapping with the planned organization policies holding it."""
    resources = preview.plan.resources
    targets: dict[str, list[str]] = defaultdict(list)
    for attachment in (r for r in resources if r.type == POLICY_ATTACHMENT):
        for policy_urn in attachment.property_dependencies.get("policyId", []):
            targets[policy_urn].append(str(attachment.inputs.get("targetId", "a target")))
    flagged = {
        v.urn: v for v in preview.violations if not v.message.startswith(UNKNOWN_DURING_PREVIEW)
    }
    holding: dict[str, list[Item]] = defaultdict(list)
    for policy in (r for r in resources if r.type == ORGANIZATION_POLICY):
        item = _guardrail_item(policy, targets[policy.urn], flagged.get(policy.urn))
        for sid in _statement_sids(policy.inputs.get("content")):
            holding[sid].append(item)
    return {
        sid: Source(
            GUARDRAIL,
            sid,
            description,
            tuple(holding[sid]),
            "" if holding[sid] else NOT_IN_PLAN,
        )
        for sid, description in guardrail_descriptions(mapping).items()
    }


def _statement_sids(content: object) -> list[str]:
    try:
        document = json.loads(content) if isinstance(content, str) else None
    except json.JSONDecodeError:
        return []
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    statements = statements if isinstance(statements, list) else [statements]
    return [str(s["Sid"]) for s in statements if isinstance(s, dict) and "Sid" in s]


def _guardrail_item(
    policy: PlannedResource, targets: Sequence[str], violation: Violation | None
) -> Item:
    subject = resource_label(policy)
    if violation is not None:
        detail = f"{violation.enforcement} violation: {finding(violation)}"
        return Item(Status.FAIL, subject, detail)
    if not targets:
        return Item(Status.FAIL, subject, "attached to no root or OU: it applies nowhere")
    return Item(Status.PASS, subject, f"attached to {', '.join(sorted(targets))}")


def unevaluated(kind: str, descriptions: Mapping[str, str], note: str) -> dict[str, Source]:
    """Sources this report does not run (audit checks in a preview report, and vice versa)."""
    return {name: Source(kind, name, text, note=note) for name, text in descriptions.items()}
