"""What the preflight checks, what it found, and what it can adopt.

The checks are the audit's (`baseline.audit.model.Check`, PASS/FAIL/ERROR/SKIP with a reason);
a `Finding` adds, to a FAIL about a resource that already exists, the import that adopts it
into the planned resource it collides with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError

from baseline.audit.errors import describe_error
from baseline.audit.model import Check, CheckResult, Clients, Status
from baseline.preflight.planned import Place, PlanIndex, Target
from baseline.preflight.state import StackState
from baseline.spec import Spec


@dataclass(frozen=True)
class Adoption:
    """`pulumi import` of the existing resource `id` as the planned resource of `target`."""

    target: Target
    id: str


@dataclass(frozen=True)
class Finding:
    result: CheckResult
    adoption: Adoption | None = None


class NoSession(Exception):
    """The account cannot be read: its deploy role could not be assumed."""


@dataclass(frozen=True)
class PreflightContext:
    spec: Spec
    plan: PlanIndex
    # Account id -> a session as its deploy role, or why there is none.
    sessions: Mapping[str, Clients | str]
    state: StackState

    def clients(self, account: str) -> Clients:
        session = self.sessions.get(account)
        if session is None:
            raise NoSession(f"account {account} is not one the spec deploys into")
        if isinstance(session, str):
            raise NoSession(session)
        return session

    def spec_account(self, account_role: str) -> str:
        """The id of the spec's `account_role` account ("management", "security", ...)."""
        assert self.spec.accounts is not None, "organization mode only"
        return str(getattr(self.spec.accounts, account_role).id)


def found(check: Check, status: Status, place: Place, resource: str, reason: str) -> Finding:
    result = check.result(status, place.region, resource, reason)
    return Finding(dataclasses.replace(result, account=place.account))


def collision(
    context: PreflightContext,
    check: Check,
    target: Target,
    existing: str,
    import_id: str,
    *,
    effect: str = "fails",
) -> Finding:
    """`existing` is there already: PASS when the stack manages the planned resource, else a
    FAIL saying what creating the planned one does (`effect`), with the import that adopts
    `existing` as that resource."""
    if context.state.manages(target.resource.urn):
        reason = f"{existing} exists, managed by the stack as {target.label}"
        return found(check, Status.PASS, target.place, existing, reason)
    reason = (
        f"{existing} exists: creating {target.label} of the plan {effect}; "
        "adopt it with the import file (--import-file)"
    )
    failed = found(check, Status.FAIL, target.place, existing, reason)
    return dataclasses.replace(failed, adoption=Adoption(target, with_region(target, import_id)))


def with_region(target: Target, import_id: str) -> str:
    """The import id of a resource outside its provider's region: pulumi-aws 7 (Terraform AWS
    provider 6, guide "Enhanced Region Support") takes `<id>@<region>`."""
    if target.region != target.provider_region:
        return f"{import_id}@{target.region}"
    return import_id


def guarded(check: Check, place: Place, produce: Callable[[], Iterable[Finding]]) -> list[Finding]:
    """The findings of `produce`, or one ERROR with the reason when it cannot read AWS."""
    try:
        return list(produce())
    except (ClientError, BotoCoreError) as error:
        return [found(check, Status.ERROR, place, "-", describe_error(error))]
    except NoSession as error:
        return [found(check, Status.ERROR, place, "-", str(error))]


Probe = Callable[[PreflightContext, Target], list[Finding]]


def each_target(
    check: Check, type_token: str, probe: Probe, context: PreflightContext
) -> list[Finding]:
    """`probe` for every planned resource of `type_token`, each guarded on its own."""
    return [
        each
        for target in context.plan.targets(type_token)
        for each in guarded(check, target.place, partial(probe, context, target))
    ]


def skipped(check: Check, place: Place, reason: str) -> list[Finding]:
    return [found(check, Status.SKIP, place, "-", reason)]


PreflightRun = Callable[[PreflightContext], Sequence[Finding]]


@dataclass(frozen=True)
class PreflightCheck:
    check: Check
    run: PreflightRun
