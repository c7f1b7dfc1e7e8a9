"""What supports each policy and audit check: an offline preview, or the JSON of an audit.

From a preview, a policy's evidence is every planned resource of the types it evaluates,
PASS unless the pack reported a violation for it (FAIL, whatever its enforcement level: the
resource does not meet the control) or could not evaluate it during preview (NOT
EVALUATED). From an audit, a check's evidence is its results: resource, region and reason
(the audit files themselves are read by `baseline.report.audits`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from baseline.audit.model import CheckResult
from baseline.audit.model import Status as AuditStatus
from baseline.preview.analyzer import AnalysisResult, PackInfo, PolicyPackError, analyze
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan, PlannedResource, Violation
from baseline.problems import Problem, SpecError
from baseline.project import StackFile
from baseline.report.mapping import EVERY_RESOURCE, ComplianceMapping
from baseline.report.model import AUDIT_CHECK, POLICY, Item, Source, Status

# How pulumi_policy words a validation that read a value unknown during preview.
UNKNOWN_DURING_PREVIEW = "can't run policy"
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


def unevaluated(kind: str, descriptions: Mapping[str, str], note: str) -> dict[str, Source]:
    """Sources this report does not run (audit checks in a preview report, and vice versa)."""
    return {name: Source(kind, name, text, note=note) for name, text in descriptions.items()}
