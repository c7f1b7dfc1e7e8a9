"""Organization coverage: which accounts each service covers, in each region.

Coverage is read from the organization-level APIs of the management and security accounts
(Organizations, the services' member lists, the Config aggregator's source status), never
from the member accounts themselves, so its cost grows with pages of a thousand accounts,
not with accounts. A `ServiceCoverage` reads one service and returns, per region, a
`RegionCoverage`: a verdict for the accounts the service named, and one for all others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from baseline.audit.model import ApiCall, Check, Clients
from baseline.spec import Spec


class CoverageStatus(StrEnum):
    COVERED = "COVERED"
    MISSING = "MISSING"
    # The call failed or the endpoint does not support it: coverage is unknown.
    ERROR = "ERROR"
    # Not expected: the spec does not declare the service there, or the account is not active.
    SKIP = "SKIP"


@dataclass(frozen=True)
class Verdict:
    status: CoverageStatus
    reason: str


def covered(reason: str) -> Verdict:
    return Verdict(CoverageStatus.COVERED, reason)


def missing(reason: str) -> Verdict:
    return Verdict(CoverageStatus.MISSING, reason)


@dataclass(frozen=True)
class RegionCoverage:
    """What one service says about the organization's accounts in one region."""

    # Everyone not in `accounts`: typically MISSING ("not a member").
    others: Verdict
    accounts: Mapping[str, Verdict] = field(default_factory=dict)

    def of(self, account_id: str) -> Verdict:
        return self.accounts.get(account_id, self.others)


def everywhere(regions: tuple[str, ...], verdict: Verdict) -> dict[str, RegionCoverage]:
    """The same verdict for every account of every region."""
    return {region: RegionCoverage(verdict) for region in regions}


@dataclass(frozen=True)
class OrganizationAccount:
    id: str
    name: str
    # ACTIVE, SUSPENDED, PENDING_CLOSURE, ... (Organizations' State, else its older Status).
    state: str


@dataclass(frozen=True)
class CoverageContext:
    spec: Spec
    management: Clients
    security: Clients

    @property
    def home_region(self) -> str:
        return self.spec.regions.home


CoverageRead = Callable[[CoverageContext, tuple[str, ...]], Mapping[str, RegionCoverage]]


@dataclass(frozen=True)
class ServiceCoverage:
    name: str
    # What it covers, for the report.
    description: str
    # Why the spec does not declare the service (every entry SKIPs), or None.
    skip_reason: Callable[[Spec], str | None]
    # Verdicts for each region asked: called once per region when `per_region`, else once
    # with every region (when one series of calls answers them all).
    read: CoverageRead
    per_region: bool
    # Every call `read` makes: the auditor role's permissions (baseline.audit.permissions).
    api_calls: tuple[ApiCall, ...] = ()
    # The audit check that says of one account what this says of each: a report files the
    # coverage under that check's controls, so the compliance table needs no rows of its own.
    account_check: Check | None = None


@dataclass(frozen=True)
class Coverage:
    """One entry of the JSON `coverage` list: one account, service and region."""

    account: str
    name: str
    region: str
    service: str
    status: CoverageStatus
    reason: str

    def to_json(self) -> dict[str, str]:
        return {
            "account": self.account,
            "name": self.name,
            "region": self.region,
            "service": self.service,
            "status": self.status.value,
            "reason": self.reason,
        }


def paginate(client: Any, operation: str, result_key: str, **arguments: Any) -> list[Any]:
    """Every item of every page of `operation` (botocore's paginator, so each page's token
    goes into the next request)."""
    pages = client.get_paginator(operation).paginate(**arguments)
    return [item for page in pages for item in page.get(result_key, [])]
