"""`baseline audit --stack prod --organization` against moto's server, through the real `main`: an
organization of six accounts, some of them Security Hub members of the security account.

moto answers Organizations, STS AssumeRole (one backend per account), Security Hub members,
Macie sessions and member lists, CloudTrail organization trails and Config aggregators; it
lacks GuardDuty ListMembers, Config's aggregator source status and Firewall Manager, whose
coverage must then be ERROR with a reason, never a traceback.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.audit_harness import (
    FAKE_AWS_ENV,
    HOME,
    REPO,
    client_in,
    fake_aws_env,
    prod_project_for,
    reset,
    seed_organization,
    seed_organization_trail,
)
from tests.cli_harness import Completed, run_cli

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


def seeded_organization(url: str, directory: Path) -> tuple[Path, dict[str, str]]:
    organization_id, accounts = seed_organization(url)
    seed_organization_trail(url)
    seed_security_account(url, accounts)
    return prod_project_for(directory / "project", organization_id, accounts), accounts


def audit(project: Path, *args: str) -> Completed:
    """`baseline audit` in process (tests/cli_harness.py), with only fake AWS credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = run_cli("audit", "--project", project, *args, env={**env, **FAKE_AWS_ENV})
    assert "Traceback" not in result.stdout + result.stderr
    return result


@dataclass(frozen=True)
class Audited:
    """One seeded organization, and the audits the tests read, each run once."""

    accounts: dict[str, str]
    organization_json: Completed
    baseline_json: Completed
    organization_console: Completed


@pytest.fixture(scope="module")
def organization_audits(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Audited:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fake_aws_env(monkeypatch)
        reset(endpoint)
        project, accounts = seeded_organization(endpoint, tmp_path_factory.mktemp("organization"))
    common = ("--stack", "prod", "--endpoint-url", endpoint)
    return Audited(
        accounts,
        organization_json=audit(project, *common, "--organization", "--json"),
        baseline_json=audit(project, *common, "--json"),
        organization_console=audit(project, *common, "--organization"),
    )


def by_service(coverage: list[dict[str, str]]) -> dict[str, dict[tuple[str, str], Any]]:
    """service -> (account name, region) -> entry."""
    found: dict[str, dict[tuple[str, str], Any]] = defaultdict(dict)
    for entry in coverage:
        found[entry["service"]][(entry["name"], entry["region"])] = entry
    return found


def test_security_hub_members_are_covered_the_others_missing_and_the_audit_exits_1(
    organization_audits: Audited,
) -> None:
    accounts, result = organization_audits.accounts, organization_audits.organization_json
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


def test_one_run_reads_the_three_baseline_accounts(organization_audits: Audited) -> None:
    accounts, result = organization_audits.accounts, organization_audits.baseline_json
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


def test_services_moto_lacks_are_errors_with_a_reason(organization_audits: Audited) -> None:
    result = organization_audits.organization_json
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
    organization_audits: Audited,
) -> None:
    accounts, result = organization_audits.accounts, organization_audits.organization_console
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


def test_another_organization_than_the_specs_exits_2(url: str, tmp_path: Path) -> None:
    _, accounts = seeded_organization(url, tmp_path)
    other = prod_project_for(tmp_path / "other", "o-aaaaaaaaaa", accounts)
    result = audit(other, "--stack", "prod", "--organization", "--endpoint-url", url)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: baseline.accounts.organization_id: o-aaaaaaaaaa, but ")
