"""Run every service's checks for the regions audited; AWS errors become ERROR results."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from functools import partial

from baseline.audit.accounts import SINGLE_ACCOUNT
from baseline.audit.errors import guarded
from baseline.audit.model import AuditContext, Check, CheckResult, Clients, Scope, ServiceAudit
from baseline.capabilities.registry import CAPABILITIES
from baseline.spec import Spec

SERVICES: tuple[ServiceAudit, ...] = tuple(
    service for capability in CAPABILITIES for service in capability.audits
)
# Where a failed call leaves the resource unknown.
UNKNOWN_RESOURCE = "-"


def all_checks() -> tuple[Check, ...]:
    """Every check the audit can report, in report order."""
    return tuple(check for service in SERVICES for check in service.checks)


def run_audit(context: AuditContext, regions: Sequence[str]) -> list[CheckResult]:
    """Account-wide services once from the home region, regional ones in each of `regions`."""
    return run_accounts(context.spec, {SINGLE_ACCOUNT: context.clients}, regions)


def run_accounts(
    spec: Spec, accounts: Mapping[str, Clients], regions: Sequence[str]
) -> list[CheckResult]:
    """Each service's checks in each account of `accounts` (baseline account -> its clients)
    that the service is audited in, every result naming its account."""
    results: list[CheckResult] = []
    for service in SERVICES:
        for account_role, clients in accounts.items():
            if account_role != SINGLE_ACCOUNT and account_role not in service.audited_in:
                continue
            context = AuditContext(spec, clients)
            service_regions = regions if service.scope is Scope.REGIONAL else [spec.regions.home]
            for region in service_regions:
                results.extend(
                    dataclasses.replace(result, account=clients.account_id)
                    for result in run_service(service, context, region)
                )
    return results


def run_service(service: ServiceAudit, context: AuditContext, region: str) -> list[CheckResult]:
    reason = service.skip_reason(context)
    if reason is not None:
        return [check.skipped(region, UNKNOWN_RESOURCE, reason) for check in service.checks]
    return [
        result
        for probe in service.probes
        for result in guarded(
            probe.checks, region, UNKNOWN_RESOURCE, partial(probe.run, context, region)
        )
    ]
