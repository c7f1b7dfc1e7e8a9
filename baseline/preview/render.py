"""The plan as people read it (a tree, like `pulumi preview`) and as machines read it (JSON)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from baseline.preview.encoding import provider_urn
from baseline.preview.model import (
    RESOURCE_REFERENCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    Exemption,
    Plan,
    PlannedResource,
    Violation,
)
from baseline.secret import SECRET_PLACEHOLDER


def display_value(value: Any) -> Any:
    """Engine form -> what a person may see: secrets masked, unknowns named, references as URNs."""
    if value == UNKNOWN:
        return "[unknown]"
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SECRET_PLACEHOLDER
        if signature == RESOURCE_REFERENCE_SIG:
            return value.get("urn")
        return {key: display_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [display_value(item) for item in value]
    return value


def _children(plan: Plan) -> dict[str, list[PlannedResource]]:
    children: dict[str, list[PlannedResource]] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent, []).append(resource)
    return children


def render_tree(plan: Plan) -> str:
    children = _children(plan)
    width = max((len(r.type) for r in plan.resources), default=4) + 8
    lines = [f"Previewing {plan.project}/{plan.stack} (offline, under mocks)", ""]
    lines.append(f"     {'Type':<{width}} Name")

    def walk(resource: PlannedResource, prefix: str, connector: str) -> None:
        label = f"{prefix}{connector}{resource.type}"
        lines.append(f" +   {label:<{width}} {resource.name}")
        kids = children.get(resource.urn, [])
        extension = prefix + ("   " if connector == "└─ " else "│  " if connector else "")
        for index, child in enumerate(kids):
            walk(child, extension, "└─ " if index == len(kids) - 1 else "├─ ")

    for root in children.get("", []):
        walk(root, "", "")
    lines.append("")
    lines.append(render_counts(plan))
    return "\n".join(lines)


def type_counts(plan: Plan) -> Counter[str]:
    return Counter(r.type for r in plan.resources if r.type != "pulumi:pulumi:Stack")


def render_counts(plan: Plan) -> str:
    counts = type_counts(plan)
    lines = [f"Resources: {sum(counts.values())} to create"]
    lines += [f"    {count:>4}  {type_}" for type_, count in sorted(counts.items())]
    return "\n".join(lines)


def resource_json(resource: PlannedResource) -> dict[str, Any]:
    """One resource with its place in the graph, as Pulumi's state records it.

    `provider` is the provider resource's URN (the state's reference `<urn>::<id>` without the
    id, which is unknown in a preview): the engine's default provider for a custom resource
    registered without one, empty for components, providers and the stack. `dependencies` and
    `propertyDependencies` are URNs; inputs that depend on nothing are left out of the latter.
    `sourcePosition` is where the project's code declared it (`project:///<path>#<line>`, as
    the engine records it), "" for the stack and for what the program did not declare.
    """
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "parent": resource.parent,
        "id": resource.id,
        "inputs": display_value(resource.inputs),
        "outputs": display_value(resource.outputs),
        "provider": provider_urn(resource.provider),
        "dependencies": list(resource.dependencies),
        "propertyDependencies": {
            name: list(urns) for name, urns in resource.property_dependencies.items() if urns
        },
        "sourcePosition": resource.source_position,
    }


def plan_json(
    plan: Plan,
    violations: Sequence[Violation],
    policy_seconds: float | None,
    exemptions: Sequence[Exemption] = (),
) -> dict[str, Any]:
    """The document `baseline preview --json` prints (see DESIGN: interfaces).

    Exemptions are listed apart, never among the violations nor in their counts.
    """
    mandatory = sum(1 for v in violations if v.enforcement == "mandatory")
    counts = type_counts(plan)
    return {
        "stack": plan.stack,
        "project": plan.project,
        "resources": [resource_json(r) for r in plan.resources],
        "outputs": plan.stack_outputs,
        "violations": [
            {
                "pack": v.pack,
                "policy": v.policy,
                "enforcement": v.enforcement,
                "severity": v.severity,
                "urn": v.urn,
                "message": v.message,
                "remediation": v.remediation,
            }
            for v in violations
        ],
        "exemptions": [
            {"pack": e.pack, "policy": e.policy, "urn": e.urn, "reason": e.reason}
            for e in exemptions
        ],
        "summary": {
            "resources": sum(counts.values()),
            "by_type": dict(sorted(counts.items())),
            "violations": {"mandatory": mandatory, "advisory": len(violations) - mandatory},
            "timings": {
                "program_seconds": round(plan.program_seconds, 3),
                "policy_seconds": None if policy_seconds is None else round(policy_seconds, 3),
            },
        },
    }
