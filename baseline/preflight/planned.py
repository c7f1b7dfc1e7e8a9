"""Where each resource of the offline plan lands: its account, its region, its provider.

The plan (`baseline.preview.engine.plan_project`) is what `pulumi up` would register, with the
same type tokens, names, parents and providers: the preflight reads what to look for in the
accounts from it, and writes the import file with its names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from baseline.preview.model import Plan, PlannedResource

STACK_TYPE = "pulumi:pulumi:Stack"


class Place(NamedTuple):
    account: str
    region: str


@dataclass(frozen=True)
class Target:
    """A planned resource and where its provider puts it."""

    resource: PlannedResource
    account: str
    region: str
    # The provider's own region: an import in another region names it (`<id>@<region>`).
    provider_region: str
    provider_urn: str

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self.resource.inputs

    @property
    def place(self) -> Place:
        return Place(self.account, self.region)

    @property
    def label(self) -> str:
        """How a reason names the planned resource: `aws:cfg/recorder:Recorder config-recorder`."""
        return f"{self.resource.type} {self.resource.name}"


class PlanIndex:
    """The plan's resources by type, with the account and region each one lands in.

    A provider of the baseline pins its account (`allowed_account_ids`, see
    `baseline.providers`); one without (single-account mode) deploys into `default_account`,
    the account of the credentials.
    """

    def __init__(self, plan: Plan, default_account: str, default_region: str) -> None:
        self.plan = plan
        self.by_urn = {resource.urn: resource for resource in plan.resources}
        self._default_account = default_account
        self._default_region = default_region

    def targets(self, type_token: str) -> list[Target]:
        return [self.target(r) for r in self.plan.resources if r.type == type_token]

    def target(self, resource: PlannedResource) -> Target:
        provider_urn = provider_urn_of(resource.provider)
        provider = self.by_urn.get(provider_urn)
        inputs = provider.inputs if provider else {}
        provider_region = str(inputs.get("region") or self._default_region)
        allowed = _decoded(inputs.get("allowedAccountIds")) or [self._default_account]
        return Target(
            resource=resource,
            account=str(allowed[0]),
            region=str(resource.inputs.get("region") or provider_region),
            provider_region=provider_region,
            provider_urn=provider_urn,
        )

    def ancestors(self, resource: PlannedResource) -> Iterator[PlannedResource]:
        """The component parents of `resource`, nearest first, up to (without) the stack."""
        parent = self.by_urn.get(resource.parent)
        while parent is not None and parent.type != STACK_TYPE:
            yield parent
            parent = self.by_urn.get(parent.parent)


def provider_urn_of(reference: str) -> str:
    """The URN of a provider reference (`<urn>::<id>`, as the engine writes it)."""
    return reference.rsplit("::", 1)[0] if reference else ""


def _decoded(value: Any) -> list[Any]:
    # Provider inputs travel as the engine gives them to providers: lists as JSON strings.
    if isinstance(value, str):
        value = json.loads(value)
    return list(value) if isinstance(value, list) else []
