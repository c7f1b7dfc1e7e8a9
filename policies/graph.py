"""The stack as a graph, for stack policies that check a precondition between resources.

Each such policy reads the stack once: `by_type` sorts the resources it cares about in one pass,
and the rest of the work touches only those. A resource names another through its property
dependencies (known even when the other's id is not, during preview) and only otherwise
through values.

During preview a value the engine does not know yet raises the SDK's `UnknownValueError`.
In a stack policy that would abandon every other check too, so `Undecided` sets aside only the
subject it concerns, and re-raises at the end: the SDK then reports its advisory "can't run
policy ... during preview", naming what was not checked. An unknown is neither a pass nor a
failure.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from helpers import as_list, label
from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError


def by_type(
    resources: Iterable[PolicyResource], types: Collection[str]
) -> dict[str, list[PolicyResource]]:
    """The resources of each of `types`, in stack order, from one pass over the stack."""
    found: dict[str, list[PolicyResource]] = {t: [] for t in types}
    for resource in resources:
        bucket = found.get(resource.resource_type)
        if bucket is not None:
            bucket.append(resource)
    return found


def direct_dependencies(resource: PolicyResource) -> list[PolicyResource]:
    """What the engine creates before `resource`: its dependencies and property dependencies."""
    found = list(resource.dependencies)
    for targets in resource.property_dependencies.values():
        found.extend(targets)
    return found


def first_dependency(
    resource: PolicyResource, accepts: Callable[[PolicyResource], bool]
) -> PolicyResource | None:
    """The nearest resource that `resource` depends on, directly or not, and `accepts`."""
    seen = {resource.urn}
    frontier = direct_dependencies(resource)
    while frontier:
        following: list[PolicyResource] = []
        for candidate in frontier:
            if candidate.urn in seen:
                continue
            seen.add(candidate.urn)
            if accepts(candidate):
                return candidate
            following.extend(direct_dependencies(candidate))
        frontier = following
    return None


def region_of(resource: PolicyResource, region_prop: str = "region") -> str | None:
    """The Region a resource lives in: its own `region` argument (pulumi-aws 7), else its
    provider's; None when neither says (the engine's default provider, offline)."""
    region = resource.props.get(region_prop)
    if not region and resource.provider is not None:
        region = resource.provider.props.get("region")
    return str(region) if region else None


def known(props: Mapping[str, Any], key: str) -> Any:
    """`props[key]`, or None when it is absent or not known yet."""
    try:
        return props.get(key)
    except UnknownValueError:
        return None


def named_targets(
    resource: PolicyResource,
    prop: str,
    values: Callable[[], Iterable[Any]],
    targets: Sequence[PolicyResource],
    target_value_props: Sequence[str],
) -> list[PolicyResource]:
    """The targets that `resource.<prop>` names (the topics of an alarm's actions).

    Property dependencies first; when `prop` depends on none of the targets, the values that
    `values()` reads from it are compared with each target's identifying outputs.
    """
    by_urn = {t.urn: t for t in targets}
    by_dependency = {
        d.urn: by_urn[d.urn]
        for d in resource.property_dependencies.get(prop, [])
        if d.urn in by_urn
    }
    if by_dependency:
        return list(by_dependency.values())
    wanted = {str(v) for v in values() if v not in (None, "")}
    return [t for t in targets if any(str(known(t.props, p)) in wanted for p in target_value_props)]


def values_of(props: Mapping[str, Any], *keys: str) -> list[Any]:
    """The values of properties `keys` that hold one value or a list of them, flattened."""
    found: list[Any] = []
    for key in keys:
        value = props.get(key)
        found.extend(as_list(value) if isinstance(value, Sequence | Mapping) else [value])
    return found


class Undecided:
    """The subjects of a stack policy that an unknown value kept it from judging."""

    def __init__(self) -> None:
        self._first: UnknownValueError | None = None
        self._subjects: list[str] = []

    def judge(self, subject: PolicyResource, check: Callable[[], None]) -> None:
        try:
            check()
        except UnknownValueError as error:
            self._first = self._first or error
            self._subjects.append(label(subject))

    def settle(self) -> None:
        """Raise the first unknown, naming every subject left unchecked, if there was one."""
        if self._first is not None:
            self._first.message += f" (not checked: {', '.join(self._subjects)})"
            raise self._first
