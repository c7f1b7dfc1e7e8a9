"""`baseline report --audit` with several files and with the organization's coverage: how
files merge, how coverage becomes evidence under the controls of its service's check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baseline.audit.coverage.model import Coverage, CoverageStatus
from baseline.audit.coverage.runner import SERVICES as COVERAGE_SERVICES
from baseline.audit.model import CheckResult
from baseline.audit.model import Status as AuditStatus
from baseline.audit.runner import all_checks
from baseline.problems import SpecError
from baseline.report.audits import load_audits
from baseline.report.coverage import SUPPORTED_CHECK, coverage_items, coverage_sources
from baseline.report.mapping import load_mapping
from baseline.report.model import Item, Source, Status, frameworks_of
from tests.cli_harness import run_cli
from tests.policy_harness import POLICIES_DIR

REPO = Path(__file__).resolve().parent.parent
KNOWN_CHECKS = [check.id for check in all_checks()]
KNOWN_SERVICES = [service.name for service in COVERAGE_SERVICES]
MAPPING = load_mapping(POLICIES_DIR)
HOME, OTHER = "us-east-1", "eu-west-1"


def result(status: str, account: str = "222222222222", **overrides: str) -> dict[str, str]:
    return {
        "id": "macie.enabled",
        "status": status,
        "account": account,
        "region": HOME,
        "resource": f"account {account}",
        "reason": status.lower(),
        **overrides,
    }


def coverage(account: str, status: str, region: str = HOME, **overrides: str) -> dict[str, str]:
    return {
        "account": account,
        "name": f"name-{account}",
        "region": region,
        "service": "guardduty",
        "status": status,
        "reason": f"{status.lower()} here",
        **overrides,
    }


def audit_file(directory: Path, name: str, **document: Any) -> Path:
    path = directory / name
    heading = {"stack": "prod", "project": "security-baseline", "account": "111111111111"}
    path.write_text(json.dumps({**heading, "results": [], **document}))
    return path


def load(*paths: Path) -> Any:
    return load_audits(list(paths), KNOWN_CHECKS, KNOWN_SERVICES)


def test_a_later_definite_answer_wins(tmp_path: Path) -> None:
    first = audit_file(tmp_path, "a.json", results=[result("FAIL")])
    second = audit_file(tmp_path, "b.json", results=[result("PASS")])
    assert [r.status for r in load(first, second).results] == [AuditStatus.PASS]
    assert [r.status for r in load(second, first).results] == [AuditStatus.FAIL]


def test_an_error_or_skip_never_overrules_a_definite_answer(tmp_path: Path) -> None:
    looked = audit_file(
        tmp_path, "a.json", results=[result("FAIL")], coverage=[coverage("4", "MISSING")]
    )
    could_not = audit_file(
        tmp_path, "b.json", results=[result("ERROR")], coverage=[coverage("4", "ERROR")]
    )
    for order in ((looked, could_not), (could_not, looked)):
        merged = load(*order)
        assert [r.status for r in merged.results] == [AuditStatus.FAIL]
        assert [c.status for c in merged.coverage] == [CoverageStatus.MISSING]


def test_different_keys_are_all_kept_and_old_results_take_their_files_account(
    tmp_path: Path,
) -> None:
    old = {key: value for key, value in result("PASS").items() if key != "account"}
    first = audit_file(tmp_path, "a.json", results=[old], coverage=[coverage("4", "COVERED")])
    second = audit_file(
        tmp_path,
        "b.json",
        account="333333333333",
        results=[result("FAIL", "333333333333")],
        coverage=[coverage("4", "MISSING", OTHER), coverage("5", "MISSING")],
    )
    merged = load(first, second)
    assert {(r.account, r.status) for r in merged.results} == {
        ("111111111111", AuditStatus.PASS),
        ("333333333333", AuditStatus.FAIL),
    }
    assert len(merged.coverage) == 3
    assert merged.accounts == ("111111111111", "333333333333")


def test_audits_of_different_stacks_do_not_merge(tmp_path: Path) -> None:
    first = audit_file(tmp_path, "a.json")
    second = audit_file(tmp_path, "b.json", stack="dev")
    with pytest.raises(SpecError) as raised:
        load(first, second)
    [problem] = raised.value.problems
    assert str(problem).startswith(f"error: {second}: audits stack dev of project ")


def test_bad_coverage_entries_are_named_by_their_index(tmp_path: Path) -> None:
    path = audit_file(
        tmp_path,
        "a.json",
        coverage=[
            coverage("4", "COVERED"),
            coverage("4", "MAYBE"),
            coverage("4", "OK", service="x"),
            7,
        ],
    )
    with pytest.raises(SpecError) as raised:
        load(path)
    assert [str(p).removeprefix(f"error: {path}: ") for p in raised.value.problems] == [
        "coverage[1]: status 'MAYBE' is not one of COVERED, MISSING, ERROR, SKIP",
        "coverage[2]: status 'OK' is not one of COVERED, MISSING, ERROR, SKIP",
        "coverage[2]: unknown service 'x'",
        "coverage[3]: must be an object with string fields account, name, region, service, "
        "status, reason",
    ]


def entry(account: str, region: str, status: CoverageStatus, reason: str) -> Coverage:
    return Coverage(account, f"name-{account}", region, "guardduty", status, reason)


def test_coverage_evidence_lists_each_accounts_gaps_and_counts_the_rest() -> None:
    entries = [
        entry("1", HOME, CoverageStatus.COVERED, "member"),
        entry("1", OTHER, CoverageStatus.COVERED, "member"),
        entry("2", HOME, CoverageStatus.COVERED, "member"),
        entry("3", HOME, CoverageStatus.MISSING, "not a member"),
        entry("3", OTHER, CoverageStatus.MISSING, "not a member"),
        entry("4", HOME, CoverageStatus.ERROR, "ListMembers: access denied"),
        entry("4", OTHER, CoverageStatus.COVERED, "member"),
        entry("5", HOME, CoverageStatus.SKIP, "the account is SUSPENDED"),
        entry("5", OTHER, CoverageStatus.SKIP, "the account is SUSPENDED"),
    ]
    assert coverage_items(entries) == (
        Item(Status.FAIL, "account 3 (name-3)", f"MISSING in {HOME}, {OTHER}: not a member"),
        Item(Status.ERROR, "account 4 (name-4)", f"ERROR in {HOME}: ListMembers: access denied"),
        Item(Status.PASS, "2 accounts", "covered wherever expected"),
        Item(Status.NOT_EVALUATED, "1 account", "skipped: the account is SUSPENDED"),
    )


def test_coverage_joins_the_controls_of_its_services_check() -> None:
    sources = coverage_sources([entry("3", HOME, CoverageStatus.MISSING, "not a member")])
    assert set(sources) == {SUPPORTED_CHECK["guardduty"]}
    checks = {check: _passing(check) for check in MAPPING.checks}
    policies = {policy: _passing(policy) for policy in MAPPING.policies}
    frameworks = {f.key: f for f in frameworks_of(MAPPING, policies, checks, sources)}
    intrusion = next(c for c in frameworks["pci-dss"].controls if c.id == "11.5.1")
    assert "organization coverage" in [s.kind for s in intrusion.sources]
    assert intrusion.status is Status.FAIL


def _passing(name: str) -> Source:
    return Source("x", name, items=(Item(Status.PASS, "s", "ok"),))


def test_every_coverage_service_supports_a_known_check() -> None:
    assert set(SUPPORTED_CHECK) == set(KNOWN_SERVICES)
    assert set(SUPPORTED_CHECK.values()) <= set(MAPPING.checks)


def test_report_takes_audit_more_than_once_and_shows_the_coverage(tmp_path: Path) -> None:
    passing = CheckResult("macie.enabled", AuditStatus.PASS, HOME, "r", "on", "222222222222")
    first = audit_file(tmp_path, "security.json", results=[passing.to_json()])
    second = audit_file(
        tmp_path,
        "organization.json",
        coverage=[coverage("444444444444", "COVERED"), coverage("555555555555", "MISSING")],
    )
    completed = run_cli("report", "--audit", first, "--audit", second)
    assert completed.returncode == 1, completed.stderr
    text = completed.stdout
    assert "security.json, organization.json" in text
    assert "with the coverage of the organization's 2 accounts" in text
    assert "organization coverage **guardduty**: FAIL" in text
    assert "MISSING in us-east-1: missing here" in text
