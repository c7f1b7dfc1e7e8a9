"""The prod and dev plans keep the identity of every resource a deployed stack holds.

A URN is a deployed resource's identity: a changed type token, name or parent makes
`pulumi up` replace the resource (delete the trail, the detector, the keys...), unless the
resource names its old URN through an alias (`pulumi.Alias(parent=...)`), which the engine
looks up in the stack's state when the new URN is not there. The files under
fixtures/plan_urns/ are the plans' URNs as deployed stacks know them; regenerate them only for
a change that is meant to replace resources, and say so in its commit.

A new component resource (a grouping, with nothing in AWS) is allowed; a new custom resource
only if listed below with the reason it was added.
"""

from pathlib import Path

import pytest

from baseline.preview.engine import plan_project
from baseline.preview.model import Plan
from baseline.project import load_stack_file

ROOT = Path(__file__).resolve().parent.parent
KNOWN_URNS = Path(__file__).parent / "fixtures" / "plan_urns"

# stack -> URN -> why the resource was added on purpose.
NEW_CUSTOM_RESOURCES: dict[str, dict[str, str]] = {"prod": {}, "dev": {}}


@pytest.fixture(scope="module", params=["prod", "dev"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def plan(stack: str) -> Plan:
    return plan_project(load_stack_file(ROOT, stack))


def known_urns(stack: str) -> set[str]:
    return set(KNOWN_URNS.joinpath(f"{stack}.txt").read_text().split())


def test_every_planned_resource_is_a_deployed_one_or_a_new_component(
    plan: Plan, stack: str
) -> None:
    known = known_urns(stack)
    new = [
        resource.urn
        for resource in plan.resources
        if resource.urn not in known and not known.intersection(resource.aliases)
    ]
    new_custom = {
        resource.urn for resource in plan.resources if resource.urn in new and resource.custom
    }
    assert sorted(new_custom - set(NEW_CUSTOM_RESOURCES[stack])) == [], (
        "new custom resources: a resource renamed or moved without an alias is replaced"
    )
    assert sorted(set(NEW_CUSTOM_RESOURCES[stack]) - new_custom) == [], "listed but not new"


def test_no_deployed_resource_is_left_behind(plan: Plan, stack: str) -> None:
    found = {urn for resource in plan.resources for urn in (resource.urn, *resource.aliases)}
    assert sorted(known_urns(stack) - found) == [], (
        "URNs gone: a deployed resource would be deleted"
    )


def test_each_deployed_resource_is_claimed_once(plan: Plan, stack: str) -> None:
    """The engine refuses two registrations that claim one old URN (duplicate alias)."""
    known = known_urns(stack)
    claims: dict[str, list[str]] = {}
    for resource in plan.resources:
        for urn in {resource.urn, *resource.aliases} & known:
            claims.setdefault(urn, []).append(resource.urn)
    assert {urn: by for urn, by in claims.items() if len(by) > 1} == {}
