"""Read every declared service's coverage, in parallel, and list it per account, service
and region.

The reads are independent of each other and of the account list: a thread pool runs them
side by side (botocore clients are thread-safe), so the time is that of the longest chain
of pages, not of all calls. A failed read makes its service and regions ERROR for every
account; a failed account list stops the audit (see `organization`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from botocore.exceptions import BotoCoreError, ClientError

from baseline.audit.coverage.model import (
    Coverage,
    CoverageContext,
    CoverageStatus,
    OrganizationAccount,
    RegionCoverage,
    ServiceCoverage,
    Verdict,
    everywhere,
)
from baseline.audit.coverage.organization import organization_accounts
from baseline.audit.errors import describe_error
from baseline.capabilities.registry import CAPABILITIES

SERVICES: tuple[ServiceCoverage, ...] = tuple(
    service for capability in CAPABILITIES for service in capability.coverage
)
# Concurrent reads: enough to overlap the per-region series of pages, few enough to stay
# clear of the services' request rates.
DEFAULT_WORKERS = 8
ACTIVE = "ACTIVE"


def guarded_read(
    service: ServiceCoverage, context: CoverageContext, regions: tuple[str, ...]
) -> Mapping[str, RegionCoverage]:
    """The service's verdicts for `regions`, or ERROR for all of them when a call fails."""
    try:
        return service.read(context, regions)
    except (ClientError, BotoCoreError) as error:
        return everywhere(regions, Verdict(CoverageStatus.ERROR, describe_error(error)))


def run_coverage(
    context: CoverageContext, regions: Sequence[str], workers: int = DEFAULT_WORKERS
) -> list[Coverage]:
    """One entry per account of the organization, declared service and region."""
    audited = tuple(regions)
    declared = [service for service in SERVICES if service.skip_reason(context.spec) is None]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="coverage") as pool:
        listing = pool.submit(organization_accounts, context)
        reads: dict[str, list[Future[Mapping[str, RegionCoverage]]]] = {
            service.name: [
                pool.submit(guarded_read, service, context, group)
                for group in (
                    [(region,) for region in audited] if service.per_region else [audited]
                )
            ]
            for service in declared
        }
        try:
            accounts = listing.result()
        except BaseException:
            for futures in reads.values():
                for future in futures:
                    future.cancel()
            raise
        verdicts = {
            name: {region: c for f in futures for region, c in f.result().items()}
            for name, futures in reads.items()
        }
    return coverage_entries(context, accounts, audited, verdicts)


def coverage_entries(
    context: CoverageContext,
    accounts: Sequence[OrganizationAccount],
    regions: Sequence[str],
    verdicts: Mapping[str, Mapping[str, RegionCoverage]],
) -> list[Coverage]:
    entries = []
    for account in accounts:
        for service in SERVICES:
            for region in regions:
                verdict = _verdict(context, account, service, verdicts.get(service.name), region)
                entries.append(
                    Coverage(
                        account.id,
                        account.name,
                        region,
                        service.name,
                        verdict.status,
                        verdict.reason,
                    )
                )
    return entries


def _verdict(
    context: CoverageContext,
    account: OrganizationAccount,
    service: ServiceCoverage,
    read: Mapping[str, RegionCoverage] | None,
    region: str,
) -> Verdict:
    if account.state != ACTIVE:
        return Verdict(CoverageStatus.SKIP, f"the account is {account.state or 'not active'}")
    if read is None:
        return Verdict(CoverageStatus.SKIP, service.skip_reason(context.spec) or "not declared")
    return read[region].of(account.id)
