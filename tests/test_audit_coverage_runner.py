"""The coverage runner (every account x declared service x region, reads in parallel, a
failed read an ERROR), its console table, and the audit's exit code with coverage."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from baseline.audit.command import exit_code
from baseline.audit.coverage import runner
from baseline.audit.coverage.model import (
    Coverage,
    CoverageContext,
    CoverageStatus,
    OrganizationAccount,
    RegionCoverage,
    ServiceCoverage,
    covered,
    everywhere,
    missing,
)
from baseline.audit.coverage.render import cell, coverage_summary_line, render_coverage
from baseline.audit.model import CheckResult, Status
from tests.audit_harness import HOME, ORGANIZATION, fake_session, spec_of

REGIONS = (HOME, "eu-west-1")
ACCOUNTS = (
    OrganizationAccount("111111111111", "management", "ACTIVE"),
    OrganizationAccount("444444444444", "sandbox", "ACTIVE"),
    OrganizationAccount("555555555555", "closing", "PENDING_CLOSURE"),
)
C, M, E, S = (
    CoverageStatus.COVERED,
    CoverageStatus.MISSING,
    CoverageStatus.ERROR,
    CoverageStatus.SKIP,
)


def context() -> CoverageContext:
    session = fake_session()
    return CoverageContext(spec_of(ORGANIZATION, "prod"), session, session)


def members_read(calls: list[tuple[str, ...]]) -> Any:
    lock = threading.Lock()

    def read(_: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
        with lock:
            calls.append(regions)
        accounts = {"111111111111": covered("member")}
        return {region: RegionCoverage(missing("not a member"), accounts) for region in regions}

    return read


def failing_read(_: CoverageContext, regions: tuple[str, ...]) -> Mapping[str, RegionCoverage]:
    error: Any = {"Error": {"Code": "AccessDeniedException", "Message": "no"}}
    raise ClientError(error, "ListMembers")


def service(name: str, read: Any, *, per_region: bool, declared: bool = True) -> ServiceCoverage:
    return ServiceCoverage(
        name=name,
        description=name,
        skip_reason=lambda _: None if declared else f"{name}.enabled is false in the spec",
        read=read,
        per_region=per_region,
    )


@pytest.fixture
def entries(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Coverage], list[tuple[str, ...]]]:
    per_region_calls: list[tuple[str, ...]] = []
    once_calls: list[tuple[str, ...]] = []
    services = (
        service("members", members_read(per_region_calls), per_region=True),
        service("trail", members_read(once_calls), per_region=False),
        service("broken", failing_read, per_region=True),
        service("off", failing_read, per_region=True, declared=False),
    )
    monkeypatch.setattr(runner, "SERVICES", services)
    monkeypatch.setattr(runner, "organization_accounts", lambda _: list(ACCOUNTS))
    found = runner.run_coverage(context(), REGIONS, workers=4)
    return found, [*sorted(per_region_calls), *once_calls]


def test_one_entry_per_account_service_and_region(
    entries: tuple[list[Coverage], list[tuple[str, ...]]],
) -> None:
    found, _ = entries
    assert len(found) == len(ACCOUNTS) * 4 * len(REGIONS)
    assert [(e.account, e.service, e.region) for e in found[:4]] == [
        ("111111111111", "members", HOME),
        ("111111111111", "members", "eu-west-1"),
        ("111111111111", "trail", HOME),
        ("111111111111", "trail", "eu-west-1"),
    ]


def test_regional_reads_run_per_region_the_others_once_and_undeclared_never(
    entries: tuple[list[Coverage], list[tuple[str, ...]]],
) -> None:
    _, calls = entries
    assert calls == [("eu-west-1",), (HOME,), REGIONS]


def test_verdicts_errors_and_skips(entries: tuple[list[Coverage], list[tuple[str, ...]]]) -> None:
    found, _ = entries
    status = {(e.name, e.service, e.region): (e.status, e.reason) for e in found}
    assert status[("management", "members", HOME)] == (C, "member")
    assert status[("sandbox", "members", HOME)] == (M, "not a member")
    assert status[("sandbox", "broken", "eu-west-1")] == (
        E,
        "ListMembers: access denied (AccessDeniedException): no",
    )
    assert status[("sandbox", "off", HOME)] == (S, "off.enabled is false in the spec")
    closing = {value for key, value in status.items() if key[0] == "closing"}
    assert closing == {(S, "the account is PENDING_CLOSURE")}


def test_a_failed_account_list_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: CoverageContext) -> list[OrganizationAccount]:
        raise RuntimeError("no accounts")

    monkeypatch.setattr(runner, "SERVICES", (service("m", members_read([]), per_region=True),))
    monkeypatch.setattr(runner, "organization_accounts", refuse)
    with pytest.raises(RuntimeError, match="no accounts"):
        runner.run_coverage(context(), REGIONS)


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [
        ([C, C], "ok"),
        ([C, S], "ok"),
        ([S, S], "SKIP"),
        ([C, M, M], "MISSING(2)"),
        ([M, E, C], "MISSING(1),ERROR(1)"),
        ([E], "ERROR(1)"),
    ],
)
def test_a_cell_sums_up_the_regions(statuses: list[CoverageStatus], shown: str) -> None:
    assert cell(statuses) == shown


def entry(account: str, service: str, region: str, status: CoverageStatus) -> Coverage:
    return Coverage(account, f"name-{account}", region, service, status, "why")


SAMPLE = [
    entry("1", "guardduty", HOME, C),
    entry("1", "guardduty", "eu-west-1", C),
    entry("1", "macie", HOME, M),
    entry("1", "macie", "eu-west-1", M),
    entry("2", "guardduty", HOME, M),
    entry("2", "guardduty", "eu-west-1", E),
    entry("2", "macie", HOME, M),
    entry("2", "macie", "eu-west-1", C),
]


def test_the_table_is_accounts_by_services_with_the_gaps_per_service() -> None:
    lines = [line.split() for line in render_coverage(SAMPLE).splitlines()]
    assert lines == [
        ["ACCOUNT", "NAME", "guardduty", "macie"],
        ["1", "name-1", "ok", "MISSING(2)"],
        ["2", "name-2", "MISSING(1),ERROR(1)", "MISSING(1)"],
        ["accounts", "with", "a", "gap", "1", "2"],
    ]


def test_the_summary_counts_accounts_with_a_gap_and_entries() -> None:
    assert coverage_summary_line(SAMPLE) == (
        "2 accounts x 2 regions: 2 accounts with a gap "
        "(8 entries: 3 COVERED, 4 MISSING, 1 ERROR, 0 SKIP)"
    )


PASSING = [CheckResult("macie.enabled", Status.PASS, HOME, "r", "ok")]


@pytest.mark.parametrize(
    ("coverage", "code"),
    [
        (None, 0),
        ([entry("1", "macie", HOME, C), entry("2", "macie", HOME, S)], 0),
        ([entry("1", "macie", HOME, E)], 0),
        ([entry("1", "macie", HOME, C), entry("2", "macie", HOME, M)], 1),
    ],
)
def test_any_missing_account_fails_the_audit_errors_do_not(
    coverage: list[Coverage] | None, code: int
) -> None:
    assert exit_code(PASSING, coverage) == code


def test_a_failed_check_fails_the_audit_whatever_the_coverage() -> None:
    failed = [CheckResult("macie.enabled", Status.FAIL, HOME, "r", "off")]
    assert exit_code(failed, [entry("1", "macie", HOME, C)]) == 1


def test_everywhere_gives_every_region_the_same_verdict() -> None:
    verdict = missing("none")
    assert {region: c.of("1") for region, c in everywhere(REGIONS, verdict).items()} == {
        HOME: verdict,
        "eu-west-1": verdict,
    }
