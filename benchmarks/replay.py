"""The program's floor: its own plan registered again, bare, under the same offline engine.

`replay_program(plan)` is a Pulumi program that registers every resource of `plan` with
`pulumi.CustomResource`, `ComponentResource` or `ProviderResource`: the same type tokens,
names, parents, providers, dependencies and inputs (secrets kept secret), and the same stack
exports. What the real program spends beyond it (its spec layer, component code, Output chains,
policy JSON built in `apply`) is the project's own cost. `differences` checks that the replay
registered the very plan it was given, so the floor is a floor of that plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from baseline.preview.encoding import provider_urn
from baseline.preview.model import SECRET_SIG, SIG_KEY, Plan, PlannedResource
from baseline.preview.mocks import ROOT_STACK_TYPE
from baseline.secret import SECRET_PLACEHOLDER

PROVIDER_PREFIX = "pulumi:providers:"


def program_value(value: Any) -> Any:
    """An engine-form input as a program passes it: secrets as secret Outputs."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return pulumi.Output.secret(program_value(value.get("value")))
        return {key: program_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [program_value(item) for item in value]
    return value


def _register(
    resource: PlannedResource, registered: Mapping[str, pulumi.Resource]
) -> pulumi.Resource:
    parent = registered.get(resource.parent)
    depends_on = [registered[urn] for urn in resource.dependencies if urn in registered]
    if resource.type.startswith(PROVIDER_PREFIX):
        options = pulumi.ResourceOptions(parent=parent, depends_on=depends_on)
        package = resource.type[len(PROVIDER_PREFIX) :]
        return pulumi.ProviderResource(
            package, resource.name, program_value(resource.inputs), opts=options
        )
    if not resource.custom:
        options = pulumi.ResourceOptions(parent=parent, depends_on=depends_on)
        return pulumi.ComponentResource(resource.type, resource.name, None, opts=options)
    provider = registered.get(provider_urn(resource.provider))
    options = pulumi.ResourceOptions(
        parent=parent,
        depends_on=depends_on,
        provider=provider,
        protect=resource.protect,
        delete_before_replace=resource.delete_before_replace,
        # What a package's resource class adds: its version names the default provider.
        version=_package_versions().get(resource.type.split(":", 1)[0]),
    )
    return pulumi.CustomResource(
        resource.type, resource.name, program_value(resource.inputs), opts=options
    )


def _package_versions() -> dict[str, str]:
    import pulumi_aws._utilities as aws_utilities  # the package the plans are made of

    return {"aws": aws_utilities.get_version()}


def replay_program(plan: Plan) -> Callable[[], None]:
    """A program that registers `plan`'s resources, in its order, and exports its outputs."""

    def program() -> None:
        registered: dict[str, pulumi.Resource] = {}
        for resource in plan.resources:
            if resource.type == ROOT_STACK_TYPE:
                continue
            registered[resource.urn] = _register(resource, registered)
        for name, value in plan.stack_outputs.items():
            secret = value == SECRET_PLACEHOLDER
            pulumi.export(name, pulumi.Output.secret(value) if secret else value)

    return program


def _identity(resource: PlannedResource) -> tuple[Any, ...]:
    return (
        resource.type,
        resource.name,
        resource.parent,
        resource.provider,
        resource.custom,
        frozenset(resource.dependencies),  # the SDK sends them in no particular order
        resource.inputs,
    )


def differences(original: Plan, replayed: Plan) -> list[str]:
    """Where the replay registered something else than the plan: one line per URN."""
    mine = {r.urn: _identity(r) for r in original.resources}
    theirs = {r.urn: _identity(r) for r in replayed.resources}
    found = [f"missing from the replay: {urn}" for urn in mine.keys() - theirs.keys()]
    found += [f"only in the replay: {urn}" for urn in theirs.keys() - mine.keys()]
    found += [
        f"registered differently: {urn}"
        for urn in mine.keys() & theirs.keys()
        if mine[urn] != theirs[urn]
    ]
    return sorted(found)
