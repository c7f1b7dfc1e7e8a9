"""The import file: what exists, as the planned resources it collides with, for
`pulumi import --file FILE`.

The format is the Pulumi CLI's (`pulumi import --help`, "Bulk import operations" in the Pulumi
docs): `{"nameTable": {name: urn}, "resources": [{"type", "name", "id", "parent", "provider",
"component", "logicalName"}]}`. The engine makes each URN from the type, the logical name and
the parent's type, so each entry carries the plan's type token and name, and its parent by a
name of the file. The baseline's components do not exist before the first `pulumi up`: they are
entries of their own (`component: true`, which creates them empty). Providers cannot be
imported: `pulumi import` needs them in the stack already, so the targeted `pulumi up` that
creates them (and nothing else) comes first.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from baseline.preflight.model import Adoption
from baseline.preflight.planned import PlanIndex
from baseline.preflight.state import StackState
from baseline.preview.model import PlannedResource


class _Names:
    """Names of the file, each once: the engine resolves parents and providers by name."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def take(self, wanted: str) -> str:
        name, counter = wanted, 2
        while name in self._used:
            name, counter = f"{wanted}-{counter}", counter + 1
        self._used.add(name)
        return name


def import_document(adoptions: Sequence[Adoption], plan: PlanIndex) -> dict[str, Any]:
    names = _Names()
    name_of: dict[str, str] = {}  # URN -> its name in the file
    name_table: dict[str, str] = {}
    components: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    for adoption in adoptions:
        resource = adoption.target.resource
        for component in reversed(list(plan.ancestors(resource))):
            if component.urn not in name_of:
                entry = _entry(component, names.take(component.name), name_of)
                components.append({**entry, "component": True})
                name_of[component.urn] = entry["name"]
        entry = {**_entry(resource, names.take(resource.name), name_of), "id": adoption.id}
        provider = adoption.target.provider_urn
        if provider:
            if provider not in name_of:
                name_of[provider] = names.take(provider.rsplit("::", 1)[1])
                name_table[name_of[provider]] = provider
            entry["provider"] = name_of[provider]
        resources.append(entry)
    return {"nameTable": name_table, "resources": components + resources}


def _entry(resource: PlannedResource, name: str, name_of: dict[str, str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": resource.type, "name": name}
    # The URN takes the logical name; `name` only differs when two entries share one.
    if name != resource.name:
        entry["logicalName"] = resource.name
    if resource.parent in name_of:
        entry["parent"] = name_of[resource.parent]
    return entry


def write_import_file(path: Path, document: dict[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")


def commands(
    stack: str,
    path: Path,
    adoptions: Sequence[Adoption],
    state: StackState,
    pack_config: Path | None = None,
) -> list[str]:
    """The commands that adopt `adoptions`, then deploy: providers, import, preview, up."""
    quoted = shlex.quote(stack)
    providers = sorted(
        {a.target.provider_urn for a in adoptions if a.target.provider_urn} - set(state.resources)
    )
    steps = []
    if providers:
        targets = " ".join(f"--target {shlex.quote(urn)}" for urn in providers)
        steps.append(f"pulumi up --stack {quoted} {targets}")
    pack = "--policy-pack policies"
    if pack_config is not None:
        pack += f" --policy-pack-config {shlex.quote(str(pack_config))}"
    return [
        *steps,
        f"pulumi import --stack {quoted} --file {shlex.quote(str(path))} --generate-code=false",
        f"pulumi preview --stack {quoted} {pack}",
        f"pulumi up --stack {quoted} {pack}",
    ]
