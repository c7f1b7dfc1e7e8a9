"""What the audit checks and what it found.

A `Check` is one verifiable statement about a live account (`cloudtrail.log-file-validation`);
a `CheckResult` is its outcome for one resource in one region. Each service module groups its
checks into `Probe`s: the checks that one series of API calls answers, so that when a call
fails, exactly those checks become ERROR and the others still run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Protocol

from baseline.capabilities.accounts.section import ACCOUNT_ROLES
from baseline.spec import Spec


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    # The check could not run: the API is unsupported, access was denied, the call failed.
    ERROR = "ERROR"
    # The spec does not ask for this capability here.
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    status: Status
    region: str
    resource: str
    reason: str
    # The audited account; empty until the runner knows which account answered.
    account: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.check_id,
            "status": self.status.value,
            "account": self.account,
            "region": self.region,
            "resource": self.resource,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Check:
    id: str
    description: str

    def result(self, status: Status, region: str, resource: str, reason: str) -> CheckResult:
        return CheckResult(self.id, status, region, resource, reason)

    def passed(self, region: str, resource: str, reason: str) -> CheckResult:
        return self.result(Status.PASS, region, resource, reason)

    def failed(self, region: str, resource: str, reason: str) -> CheckResult:
        return self.result(Status.FAIL, region, resource, reason)

    def errored(self, region: str, resource: str, reason: str) -> CheckResult:
        return self.result(Status.ERROR, region, resource, reason)

    def skipped(self, region: str, resource: str, reason: str) -> CheckResult:
        return self.result(Status.SKIP, region, resource, reason)

    def verdict(self, ok: bool, region: str, resource: str, if_ok: str, if_not: str) -> CheckResult:
        """PASS with `if_ok` when `ok`, else FAIL with `if_not`."""
        if ok:
            return self.passed(region, resource, if_ok)
        return self.failed(region, resource, if_not)


class Clients(Protocol):
    """Read-only access to one AWS account (see `baseline.audit.session.AuditSession`)."""

    @property
    def account_id(self) -> str: ...

    @property
    def partition(self) -> str: ...

    def client(self, service: str, region: str) -> Any: ...


@dataclass(frozen=True)
class AuditContext:
    spec: Spec
    clients: Clients

    @property
    def home_region(self) -> str:
        return self.spec.regions.home

    def held_elsewhere(self, account_role: str) -> str | None:
        """Where the organization's `account_role` account is ("the security account 1234...")
        when it is not the audited one; None in that account and in single-account mode."""
        accounts = self.spec.accounts
        if accounts is None:
            return None
        owner = getattr(accounts, account_role).id
        if owner == self.clients.account_id:
            return None
        return f"the {account_role.replace('_', ' ')} account {owner}"


# A pattern of the ARNs an action may touch: {partition} and {account} are filled in for the
# audited account; "*" where the action supports no resource-level permission.
ANY_RESOURCE = "*"


@dataclass(frozen=True)
class ApiCall:
    """An AWS API call the audit makes, and the IAM action and resources it needs."""

    service: str  # the boto3 client name
    operation: str  # the API operation, as botocore names it
    action: str  # the IAM action it requires
    resource: str = ANY_RESOURCE


# Why a check that only an organization has SKIPs in single-account mode.
ORGANIZATION_ONLY = "organization mode only: the spec has no accounts section"


class Scope(Enum):
    # Once per audit, from the home region: the setting is account-wide.
    ACCOUNT = "account"
    # Once per audited region.
    REGIONAL = "regional"


ProbeRun = Callable[[AuditContext, str], Sequence[CheckResult]]


@dataclass(frozen=True)
class Probe:
    """Checks answered by one series of API calls; when a call fails, they all become ERROR."""

    checks: tuple[Check, ...]
    run: ProbeRun


@dataclass(frozen=True)
class ServiceAudit:
    name: str
    scope: Scope
    probes: tuple[Probe, ...]
    # Why the spec does not ask for this service (every check SKIPs), or None.
    skip_reason: Callable[[AuditContext], str | None]
    # In organization mode, the baseline accounts whose own settings these checks read.
    audited_in: tuple[str, ...] = ACCOUNT_ROLES
    # Every call the probes make: the auditor role's permissions (baseline.audit.permissions).
    api_calls: tuple[ApiCall, ...] = ()

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for probe in self.probes for check in probe.checks)


def summarize(results: Sequence[CheckResult]) -> Mapping[str, int]:
    """How many results have each status, every status present (zero included)."""
    return {status.value: sum(r.status is status for r in results) for status in Status}
