"""The organization audit benchmark: the real coverage code against a synthetic
organization answered in process makes exactly the calls its page sizes imply, and the
results section shows them. Times are never asserted."""

from __future__ import annotations

import math

import pytest

from baseline.capabilities.firewall_manager.audit_scope import expected_policy_names
from baseline.spec_loader import parse_spec
from benchmarks.audit import AuditMeasurement, measure_audit
from benchmarks.projects import SPEC_KEY, region_spec_config
from benchmarks.report import AUDIT_COLUMNS, audit_section

ACCOUNTS, REGIONS = 60, 2
SERVICES = 6


@pytest.fixture(scope="module")
def measured() -> AuditMeasurement:
    return measure_audit(ACCOUNTS, REGIONS)


def expected_calls() -> dict[str, int]:
    config = region_spec_config(REGIONS)
    spec = parse_spec(config[SPEC_KEY], aws_region=config["aws:region"])
    # Every account but the security account (the administrator) and one in 50 is a member.
    members = ACCOUNTS - 2
    regions = spec.regions.enabled
    policies = sum(len(expected_policy_names(spec, region)) for region in regions)
    return {
        # The audit runs as the security account: it assumes the two other roles.
        "sts AssumeRole": 2,
        "organizations DescribeOrganization": 1,
        "organizations ListAccounts": math.ceil(ACCOUNTS / 20),
        "cloudtrail DescribeTrails": 1,
        "cloudtrail GetTrailStatus": 1,
        "config DescribeConfigurationAggregators": 1,
        "config DescribeConfigurationAggregatorSourcesStatus": math.ceil(members * REGIONS / 100),
        "guardduty ListDetectors": REGIONS,
        "guardduty GetDetector": REGIONS,
        "guardduty ListMembers": REGIONS * math.ceil(members / 50),
        "securityhub DescribeHub": REGIONS,
        "securityhub ListMembers": REGIONS * math.ceil(members / 50),
        "macie2 GetMacieSession": REGIONS,
        "macie2 ListMembers": REGIONS * math.ceil(members / 25),
        "fms GetAdminAccount": 1,
        "fms ListPolicies": REGIONS,
        "fms ListComplianceStatus": policies * math.ceil(members / 100),
    }


def test_each_list_is_read_in_pages_of_its_apis_largest_size(measured: AuditMeasurement) -> None:
    assert measured.calls_by_operation == expected_calls()
    assert measured.calls == sum(expected_calls().values())


def test_every_account_service_and_region_has_an_entry_and_the_gaps_are_found(
    measured: AuditMeasurement,
) -> None:
    assert measured.entries == ACCOUNTS * SERVICES * REGIONS
    # The account left out of the member lists misses the three member services, the Config
    # aggregator and the FMS scope; the security account is in neither of the last two.
    assert measured.missing == (5 + 2) * REGIONS


def test_the_section_tables_the_measurement_and_its_calls(measured: AuditMeasurement) -> None:
    lines = audit_section([measured])
    assert lines[0] == "## Organization audit by accounts (stubbed AWS)"
    header = next(line for line in lines if line.startswith("| accounts"))
    assert header == "| " + " | ".join(AUDIT_COLUMNS) + " |"
    row = lines[lines.index(header) + 2].strip("|").split("|")
    cells = [cell.strip() for cell in row]
    assert cells[:5] == [str(ACCOUNTS), str(REGIONS), "720", "14", str(measured.calls)]
    assert f"| organizations ListAccounts | {math.ceil(ACCOUNTS / 20)} |" in lines
    assert audit_section([]) == []
