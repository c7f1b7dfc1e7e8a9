"""The offline engine records each resource's aliases as the URNs the engine would compute."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from baseline.preview.model import Plan, PlannedResource
from tests.components_harness import plan_of

PREFIX = "urn:pulumi:stack::project::"
QUEUE = "aws:sqs/queue:Queue"


class Old(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Old", name, None, opts)


class New(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:New", name, None, opts)


def program() -> None:
    old = Old("old")
    new = New("new", pulumi.ResourceOptions(parent=old))
    child = pulumi.ResourceOptions(parent=new)
    aws.sqs.Queue(
        "moved", opts=child.merge(pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=old)]))
    )
    aws.sqs.Queue(
        "renamed",
        opts=child.merge(pulumi.ResourceOptions(aliases=[pulumi.Alias(name="was", parent=old)])),
    )
    aws.sqs.Queue(
        "lifted",
        opts=child.merge(
            pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])
        ),
    )
    aws.sqs.Queue("stayed", opts=child)
    # A component that was renamed: its children's URNs follow its old name.
    renamed = New("renamed-group", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="group")]))
    aws.sqs.Queue("renamed-group-queue", opts=pulumi.ResourceOptions(parent=renamed))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_of(program)


def named(plan: Plan, name: str) -> PlannedResource:
    return next(resource for resource in plan.resources if resource.name == name)


def test_a_resource_moved_into_a_component_is_found_under_its_old_parent(plan: Plan) -> None:
    moved = named(plan, "moved")
    assert moved.urn == f"{PREFIX}test:index:Old$test:index:New${QUEUE}::moved"
    assert moved.aliases == (f"{PREFIX}test:index:Old${QUEUE}::moved",)


def test_an_alias_may_name_the_old_name_too(plan: Plan) -> None:
    assert named(plan, "renamed").aliases == (f"{PREFIX}test:index:Old${QUEUE}::was",)


def test_the_root_stack_as_old_parent_means_no_parent(plan: Plan) -> None:
    assert named(plan, "lifted").aliases == (f"{PREFIX}{QUEUE}::lifted",)


def test_without_aliases_there_are_none(plan: Plan) -> None:
    assert named(plan, "stayed").aliases == ()
    assert named(plan, "old").aliases == ()


def test_children_inherit_their_parents_aliases(plan: Plan) -> None:
    assert named(plan, "renamed-group").aliases == (f"{PREFIX}test:index:New::group",)
    assert named(plan, "renamed-group-queue").aliases == (
        f"{PREFIX}test:index:New${QUEUE}::group-queue",
    )
