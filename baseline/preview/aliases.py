"""The URNs a registration's aliases stand for, computed as the engine computes them.

The Python SDK sends each `pulumi.Alias` to a monitor that supports alias specs (the mock
monitor supports every feature but output values) as a spec in `RegisterResourceRequest.aliases`:
name, type, stack, project, parent URN or no parent, each empty when it is the resource's own.
The engine then makes URNs of them (pulumi's step generator, `collapseAliasToUrn`), and adds
for a child of an aliased parent the URN it had under that parent's old URN
(`inheritedChildAlias`). The engine inherits only the parent alias that matched its old state;
with no state offline, every alias of the parent is a candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"

Aliases = Mapping[str, tuple[str, ...]]


def urn_type(urn: str) -> str:
    """The resource's own type (the last of the qualified type's `$`-separated parts)."""
    return urn.split("::")[2].rsplit("$", 1)[-1]


def urn_name(urn: str) -> str:
    return urn.split("::", 3)[3]


def _collapse(alias: Any, request: Any, scope: tuple[str, str], aliases_of: Aliases) -> list[str]:
    """The URNs one alias stands for: one, or offline one per old URN of its named parent."""
    if alias.urn:
        return [str(alias.urn)]
    spec, (stack, project) = alias.spec, scope
    # The engine takes the old URN of a named parent that was itself found through an alias.
    named = spec.parentUrn
    parents = [named, *aliases_of.get(named, ())] if named else [request.parent]
    return [
        make_urn(
            "" if spec.noParent or _is_root_stack(parent) else parent,
            spec.type or request.type,
            spec.name or request.name,
            spec.stack or stack,
            spec.project or project,
        )
        for parent in parents
    ]


def _is_root_stack(urn: str) -> bool:
    return bool(urn) and urn.split("::")[2] == ROOT_STACK_TYPE


def _inherited(child_type: str, child_name: str, parent_name: str, parent_alias: str) -> str:
    """The child's URN under its parent's old URN; a name derived from the parent's name
    (`<parent>-suffix`) follows the parent's old name."""
    name = child_name
    if child_name.startswith(parent_name):
        name = urn_name(parent_alias) + child_name[len(parent_name) :]
    stack_part, project, qualified = parent_alias.split("::")[:3]
    return "::".join([stack_part, project, qualify(qualified, child_type), name])


def qualify(parent_qualified_type: str, type_: str) -> str:
    """A child's qualified type (pulumi's resource.NewURN): its parent's, `$`, its own; the
    root stack qualifies nothing."""
    if not parent_qualified_type or parent_qualified_type == ROOT_STACK_TYPE:
        return type_
    return f"{parent_qualified_type}${type_}"


def make_urn(parent: str, type_: str, name: str, stack: str, project: str) -> str:
    """The URN the engine gives a resource of `type_` named `name` under `parent` (or none)."""
    qualified = qualify(parent.split("::")[2] if parent else "", type_)
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def alias_urns(request: Any, scope: tuple[str, str], aliases_of: Aliases) -> tuple[str, ...]:
    """Every URN under which the engine would look the registered resource up in its state.

    `scope` is (stack, project); `aliases_of` holds the alias URNs of the resources registered
    so far, parents included.
    """
    own = [str(urn) for urn in request.aliasURNs] + [
        urn for alias in request.aliases for urn in _collapse(alias, request, scope, aliases_of)
    ]
    found = dict.fromkeys(own)
    parent_name = urn_name(request.parent) if request.parent else ""
    for parent_alias in aliases_of.get(request.parent, ()) if request.parent else ():
        found[_inherited(request.type, request.name, parent_name, parent_alias)] = None
        for urn in own:
            found[_inherited(urn_type(urn), urn_name(urn), parent_name, parent_alias)] = None
    return tuple(found)
