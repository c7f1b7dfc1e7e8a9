"""Config coverage: the organization aggregator of the security account (the delegated
administrator for aggregators, in the home region) and its source status, one entry per
account and region (DescribeConfigurationAggregatorSourcesStatus): SUCCEEDED is covered;
FAILED (with AWS's error code) and OUTDATED (the data stopped being current) are not, and
neither is an account or region the aggregator has no status for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseline.audit.coverage.model import (
    CoverageContext,
    CoverageStatus,
    RegionCoverage,
    ServiceCoverage,
    Verdict,
    covered,
    everywhere,
    missing,
    paginate,
)
from baseline.audit.model import ApiCall
from baseline.capabilities.config import audit
from baseline.spec import Spec

# DescribeConfigurationAggregators' and ...SourcesStatus' Limit allow at most 100.
PAGE_SIZE = 100
SUCCEEDED = "SUCCEEDED"


def organization_aggregators(config: Any) -> list[Mapping[str, Any]]:
    aggregators = paginate(
        config,
        "describe_configuration_aggregators",
        "ConfigurationAggregators",
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    return [a for a in aggregators if a.get("OrganizationAggregationSource") is not None]


def collected_regions(aggregator: Mapping[str, Any]) -> set[str] | None:
    """The regions the aggregator collects; None for all of them."""
    source = aggregator["OrganizationAggregationSource"]
    return None if source.get("AllAwsRegions") else set(source.get("AwsRegions", []))


def source_verdict(name: str, status: Mapping[str, Any]) -> Verdict:
    state = status.get("LastUpdateStatus", "")
    when = status.get("LastUpdateTime")
    at = f" at {when:%Y-%m-%d %H:%M}" if when is not None else ""
    if state == SUCCEEDED:
        return covered(f"aggregator {name}: {state}{at}")
    error = ": ".join(
        part for part in (status.get("LastErrorCode"), status.get("LastErrorMessage")) if part
    )
    return missing(f"aggregator {name}: {state}{at}" + (f" ({error})" if error else ""))


def _aggregator_coverage(
    config: Any, aggregator: Mapping[str, Any], regions: Sequence[str]
) -> dict[str, RegionCoverage]:
    name = aggregator["ConfigurationAggregatorName"]
    statuses = paginate(
        config,
        "describe_configuration_aggregator_sources_status",
        "AggregatedSourceStatusList",
        ConfigurationAggregatorName=name,
        PaginationConfig={"PageSize": PAGE_SIZE},
    )
    by_region: dict[str, dict[str, Verdict]] = {region: {} for region in regions}
    for status in statuses:
        accounts = by_region.get(status.get("AwsRegion", ""))
        if accounts is not None:
            accounts[status["SourceId"]] = source_verdict(name, status)
    collected = collected_regions(aggregator)
    return {
        region: RegionCoverage(
            missing(f"aggregator {name}: no source status for this account")
            if collected is None or region in collected
            else missing(f"aggregator {name} does not collect {region}"),
            by_region[region],
        )
        for region in regions
    }


def best_of(coverages: Sequence[RegionCoverage]) -> RegionCoverage:
    """Several aggregators may overlap: an account is covered when one of them covers it;
    otherwise the first that names it says why not."""
    named = {account for coverage in coverages for account in coverage.accounts}

    def verdict(account: str) -> Verdict:
        verdicts = [
            coverage.accounts[account] for coverage in coverages if account in coverage.accounts
        ]
        return next((v for v in verdicts if v.status is CoverageStatus.COVERED), verdicts[0])

    return RegionCoverage(coverages[0].others, {account: verdict(account) for account in named})


def _read(context: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    config = context.security.client("config", context.home_region)
    aggregators = organization_aggregators(config)
    if not aggregators:
        where = f"the security account {context.security.account_id} in {context.home_region}"
        return everywhere(regions, missing(f"no organization aggregator in {where}"))
    per_aggregator = [_aggregator_coverage(config, a, regions) for a in aggregators]
    return {region: best_of([c[region] for c in per_aggregator]) for region in regions}


def _skip_reason(spec: Spec) -> str | None:
    if not spec.config.enabled:
        return "config.enabled is false in the spec"
    if not spec.config.aggregator:
        return "config.aggregator is false in the spec: no aggregator to read"
    return None


_AGGREGATORS = "arn:{partition}:config:*:{account}:config-aggregator/*"

API_CALLS: tuple[ApiCall, ...] = (
    ApiCall(
        "config", "DescribeConfigurationAggregators", "config:DescribeConfigurationAggregators"
    ),
    ApiCall(
        "config",
        "DescribeConfigurationAggregatorSourcesStatus",
        "config:DescribeConfigurationAggregatorSourcesStatus",
        _AGGREGATORS,
    ),
)


SERVICE = ServiceCoverage(
    name="config",
    description="Config: the account's recorder reports to the organization aggregator",
    skip_reason=_skip_reason,
    read=_read,
    per_region=False,
    api_calls=API_CALLS,
    account_check=audit.RECORDER_RECORDING,
)
