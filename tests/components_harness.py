"""Helpers for component tests: run a program under the offline mocks, find what it planned.

Reading and linting the policy documents it planned is in `tests/policy_documents.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline

ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def exporting(component: Callable[[], object], *outputs: str) -> Callable[[], None]:
    """A program that builds one component and exports the named attributes of it."""

    def program() -> None:
        built = component()
        for output in outputs:
            pulumi.export(output, getattr(built, output))

    return program


def plan_of(program: Callable[[], object], *, preview: bool = False) -> Plan:
    return run_inline(program, preview=preview)


def of_type(plan: Plan, type_token: str) -> list[PlannedResource]:
    return [resource for resource in plan.resources if resource.type == type_token]


def only(plan: Plan, type_token: str, name: str | None = None) -> PlannedResource:
    matches = [r for r in of_type(plan, type_token) if name is None or r.name == name]
    assert len(matches) == 1, (type_token, name, [r.name for r in of_type(plan, type_token)])
    return matches[0]


def by_urn(plan: Plan, urn: str) -> PlannedResource:
    return next(resource for resource in plan.resources if resource.urn == urn)


def descendants(plan: Plan, root: PlannedResource) -> list[PlannedResource]:
    """Every resource registered below `root`, at any depth."""
    found: list[PlannedResource] = []
    frontier = {root.urn}
    while frontier:
        children = [r for r in plan.resources if r.parent in frontier]
        found.extend(children)
        frontier = {child.urn for child in children}
    return found
