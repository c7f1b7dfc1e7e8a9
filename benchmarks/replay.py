"""The program's floor: its own plan registered again, bare, under the same offline engine.

`replay_program(plan, modules, collector)` is a Pulumi program that registers every resource of
`plan` with `pulumi.CustomResource`, `ComponentResource` or `ProviderResource`: the same type
tokens, names, parents, providers, dependencies and inputs (secrets kept secret), and the same
stack exports, under the garbage collector settings the program left. What the real program
spends beyond it (its spec layer, component code, Output chains, policy JSON built in `apply`)
is the project's own cost. `differences` checks that the replay registered the very plan it was
given, so the floor is a floor of that plan.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

import pulumi

from baseline.preview.aliases import ROOT_STACK_TYPE
from baseline.preview.encoding import provider_urn
from baseline.preview.model import SECRET_SIG, SIG_KEY, Plan, PlannedResource
from baseline.secret import SECRET_PLACEHOLDER

PROVIDER_PREFIX = "pulumi:providers:"
PROVIDER_PACKAGE = "pulumi_aws"


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
    resource: PlannedResource,
    registered: Mapping[str, pulumi.Resource],
    providers: Mapping[str, pulumi.ProviderResource],
    version: str,
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
    provider = providers.get(provider_urn(resource.provider))
    options = pulumi.ResourceOptions(
        parent=parent,
        depends_on=depends_on,
        provider=provider,
        protect=resource.protect,
        delete_before_replace=resource.delete_before_replace,
        # What pulumi_aws' resource classes add: the version names the default provider.
        version=version,
    )
    return pulumi.CustomResource(
        resource.type, resource.name, program_value(resource.inputs), opts=options
    )


def provider_modules() -> list[str]:
    """The provider SDK's packages this process has loaded, in the order it loaded them.

    pulumi_aws imports its service packages lazily; one that was only named, never used,
    stays a lazy module and is left out. Each package's __init__ loads its own modules.
    """
    return [
        name
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == PROVIDER_PACKAGE
        and name.count(".") <= 1
        and type(module) is ModuleType
    ]


def import_modules(names: Sequence[str]) -> None:
    for name in names:
        module = importlib.import_module(name)
        # A lazy module loads on its first read of an attribute other than its metadata.
        getattr(module, "__all__", None)


def collector_settings() -> dict[str, Any]:
    """The garbage collector's settings a program left (the baseline's `__main__.py` tunes
    them, an app team's program usually does not), for its replay to run under the same."""
    return {"threshold": list(gc.get_threshold()), "frozen": gc.get_freeze_count() > 0}


def _apply_collector_settings(settings: Mapping[str, Any]) -> None:
    if settings["frozen"]:
        gc.collect()
        gc.freeze()
    gc.set_threshold(*settings["threshold"])


def replay_program(
    plan: Plan, modules: Sequence[str], collector: Mapping[str, Any]
) -> Callable[[], None]:
    """A program that imports the provider packages `modules` (`provider_modules` of the
    original run), takes the garbage collector settings the original program left
    (`collector_settings`), registers `plan`'s resources in its order, and exports its
    outputs."""

    def program() -> None:
        import_modules(modules)
        _apply_collector_settings(collector)
        version = importlib.import_module(f"{PROVIDER_PACKAGE}._utilities").get_version()
        registered: dict[str, pulumi.Resource] = {}
        providers: dict[str, pulumi.ProviderResource] = {}
        for resource in plan.resources:
            if resource.type == ROOT_STACK_TYPE:
                continue
            made = _register(resource, registered, providers, version)
            registered[resource.urn] = made
            if isinstance(made, pulumi.ProviderResource):
                providers[resource.urn] = made
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
