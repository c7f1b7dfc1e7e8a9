"""`baseline audit --stack prod --organization` against moto's server, as users run it: an
organization of six accounts, some of them Security Hub members of the security account.

moto answers Organizations, STS AssumeRole (one backend per account), Security Hub members,
Macie sessions and member lists, CloudTrail organization trails and Config aggregators; it
lacks GuardDuty ListMembers, Config's aggregator source status and Firewall Manager, whose
coverage must then be ERROR with a reason, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.audit_harness import (
    FAKE_AWS_ENV,
    HOME,
    REPO,
    client_in,
    prod_project_for,
    seed_organization,
    seed_organization_trail,
)

PROD_REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
SERVICES = ("cloudtrail", "config", "guardduty", "securityhub", "macie", "fms")
# Security Hub members of the security account: in every region, and app-b in the home
# region only.
MEMBERS_EVERYWHERE = ("log-archive", "app-a")
MEMBER_AT_HOME = "app-b"


def seed_security_account(url: str, accounts: dict[str, str]) -> None:
    security = accounts["security"]
    for region in PROD_REGIONS:
        securityhub = client_in(url, security, "securityhub", region)
        securityhub.enable_security_hub(EnableDefaultStandards=False)
        names = MEMBERS_EVERYWHERE + ((MEMBER_AT_HOME,) if region == HOME else ())
        securityhub.create_members(AccountDetails=[{"AccountId": accounts[n]} for n in names])
        client_in(url, security, "guardduty", region).create_detector(Enable=True)
    client_in(url, security, "config").put_configuration_aggregator(
        ConfigurationAggregatorName="organization",
        OrganizationAggregationSource={
            "RoleArn": f"arn:aws:iam::{security}:role/config-aggregator",
            "AllAwsRegions": True,
        },
    )


@pytest.fixture
def organization(url: str, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    organization_id, accounts = seed_organization(url)
    seed_organization_trail(url)
    seed_security_account(url, accounts)
    return prod_project_for(tmp_path / "project", organization_id, accounts), accounts


def audit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [sys.executable, "-m", "baseline", "audit", "--project", str(project), *args]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**env, **FAKE_AWS_ENV},
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result


def by_service(coverage: list[dict[str, str]]) -> dict[str, dict[tuple[str, str], Any]]:
    """service -> (account name, region) -> entry."""
    found: dict[str, dict[tuple[str, str], Any]] = defaultdict(dict)
    for entry in coverage:
        found[entry["service"]][(entry["name"], entry["region"])] = entry
    return found


def test_security_hub_members_are_covered_the_others_missing_and_the_audit_exits_1(
    organization: tuple[Path, dict[str, str]], url: str
) -> None:
    project, accounts = organization
    result = audit(project, "--stack", "prod", "--organization", "--json", "--endpoint-url", url)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    coverage = report["coverage"]
    assert {entry["account"] for entry in coverage} == set(accounts.values())
    assert len(coverage) == len(accounts) * len(SERVICES) * len(PROD_REGIONS)
    assert all(
        set(entry) == {"account", "name", "region", "service", "status", "reason"}
        for entry in coverage
    )
    services = by_service(coverage)
    securityhub = {key: entry["status"] for key, entry in services["securityhub"].items()}
    for region in PROD_REGIONS:
        assert securityhub[("security", region)] == "COVERED"  # the delegated administrator
        for name in MEMBERS_EVERYWHERE:
            assert securityhub[(name, region)] == "COVERED"
        for name in ("master", "app-c"):
            assert securityhub[(name, region)] == "MISSING"
        expected = "COVERED" if region == HOME else "MISSING"
        assert securityhub[(MEMBER_AT_HOME, region)] == expected
    reason = services["securityhub"][("app-c", HOME)]["reason"]
    administrator = accounts["security"]
    assert reason == f"not a Security Hub member of the administrator account {administrator}"
    assert report["coverage_summary"]["MISSING"] > 0


def test_one_run_reads_the_three_baseline_accounts(
    organization: tuple[Path, dict[str, str]], url: str
) -> None:
    project, accounts = organization
    result = audit(project, "--stack", "prod", "--json", "--endpoint-url", url)
    report = json.loads(result.stdout)
    assert "coverage" not in report
    audited = {r["account"] for r in report["results"]}
    assert audited == {accounts[name] for name in ("master", "security", "log-archive")}
    # The organization trail is read where it lives, in the management account.
    trail = {
        r["account"]: r["status"]
        for r in report["results"]
        if r["id"] == "cloudtrail.trail-logging"
    }
    assert trail[accounts["master"]] == "PASS"
    # Firewall Manager and Shield are read in their administrator, the security account.
    administered = {
        r["account"] for r in report["results"] if r["id"].startswith(("fms.", "shield."))
    }
    assert administered == {accounts["security"]}


def test_services_moto_lacks_are_errors_with_a_reason(
    organization: tuple[Path, dict[str, str]], url: str
) -> None:
    project, _ = organization
    result = audit(project, "--stack", "prod", "--organization", "--json", "--endpoint-url", url)
    services = by_service(json.loads(result.stdout)["coverage"])
    lacking = {
        "guardduty": "ListMembers",
        "config": "DescribeConfigurationAggregatorSourcesStatus",
        "fms": "GetAdminAccount",
    }
    for service, operation in lacking.items():
        entries = services[service].values()
        assert {entry["status"] for entry in entries} == {"ERROR"}, service
        assert all(entry["reason"].startswith(operation) for entry in entries), service
    # What moto does support is read, not assumed: the organization trail covers everyone,
    # Macie has no member but its administrator.
    assert {entry["status"] for entry in services["cloudtrail"].values()} == {"COVERED"}
    macie = {key[0]: entry["status"] for key, entry in services["macie"].items()}
    assert macie.pop("security") == "COVERED"
    assert set(macie.values()) == {"MISSING"}


def test_the_console_shows_accounts_by_services_with_the_gaps_counted(
    organization: tuple[Path, dict[str, str]], url: str
) -> None:
    project, accounts = organization
    result = audit(project, "--stack", "prod", "--organization", "--endpoint-url", url)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("ACCOUNT "))
    assert lines[header].split() == ["ACCOUNT", "NAME", *SERVICES]
    rows = {line.split()[1]: line.split()[2:] for line in lines[header + 1 : header + 7]}
    assert set(rows) == set(accounts)
    columns = {service: i for i, service in enumerate(SERVICES)}
    assert rows["security"][columns["securityhub"]] == "ok"
    gaps = lines[header + 7].split()
    assert gaps[:4] == ["accounts", "with", "a", "gap"]
    # master, app-b (two regions) and app-c lack Security Hub; all but security lack Macie.
    assert gaps[4 + columns["securityhub"]] == "3"
    assert gaps[4 + columns["macie"]] == "5"
    assert lines[-1].startswith(f"{len(accounts)} accounts x 3 regions: 5 accounts with a gap")


def test_a_spec_without_an_organization_refuses_the_flag_with_one_line(url: str) -> None:
    result = audit(REPO / "tests" / "fixtures" / "audit" / "single", "--organization")
    assert result.returncode == 2
    assert result.stderr == (
        "error: --organization: needs an organization: the spec has no accounts section\n"
    )


def test_another_organization_than_the_specs_exits_2(
    organization: tuple[Path, dict[str, str]], url: str, tmp_path: Path
) -> None:
    _, accounts = organization
    other = prod_project_for(tmp_path / "other", "o-aaaaaaaaaa", accounts)
    result = audit(other, "--stack", "prod", "--organization", "--endpoint-url", url)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: baseline.accounts.organization_id: o-aaaaaaaaaa, but ")
