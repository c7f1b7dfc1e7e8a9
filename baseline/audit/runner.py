"""Run every service's checks for the regions audited; AWS errors become ERROR results."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from baseline.audit import (
    cloudtrail,
    config,
    fms,
    guardduty,
    kms,
    macie,
    s3,
    securityhub,
    shield,
    sns,
)
from baseline.audit.errors import guarded
from baseline.audit.model import AuditContext, Check, CheckResult, Scope, ServiceAudit

SERVICES: tuple[ServiceAudit, ...] = (
    cloudtrail.SERVICE,
    s3.SERVICE,
    guardduty.SERVICE,
    securityhub.SERVICE,
    macie.SERVICE,
    config.SERVICE,
    kms.SERVICE,
    sns.SERVICE,
    shield.SERVICE,
    fms.SERVICE,
)
# Where a failed call leaves the resource unknown.
UNKNOWN_RESOURCE = "-"


def all_checks() -> tuple[Check, ...]:
    """Every check the audit can report, in report order."""
    return tuple(check for service in SERVICES for check in service.checks)


def run_audit(context: AuditContext, regions: Sequence[str]) -> list[CheckResult]:
    """Account-wide services once from the home region, regional ones in each of `regions`."""
    results: list[CheckResult] = []
    for service in SERVICES:
        service_regions = regions if service.scope is Scope.REGIONAL else [context.home_region]
        for region in service_regions:
            results.extend(run_service(service, context, region))
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
