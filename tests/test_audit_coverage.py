"""Organization coverage per service, through botocore's Stubber: the requests each read
sends (page sizes, OnlyAssociated, tokens of the next page) and the COVERED / MISSING it
derives from AWS-shaped answers, including those moto cannot give (GuardDuty members,
Config source status, Firewall Manager)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.stub import Stubber

from baseline.audit.coverage.model import CoverageContext, CoverageStatus, RegionCoverage
from baseline.audit.coverage.organization import organization_accounts
from baseline.audit.coverage.runner import guarded_read
from baseline.capabilities.cloudtrail import coverage as cloudtrail
from baseline.capabilities.config import coverage as config
from baseline.capabilities.firewall_manager import coverage as fms
from baseline.capabilities.firewall_manager.wiring import FMS_ADMIN_REGION
from baseline.capabilities.guardduty import coverage as guardduty
from baseline.capabilities.macie import coverage as macie
from baseline.capabilities.securityhub import coverage as securityhub
from baseline.problems import SpecError
from tests.audit_harness import ACCOUNT, HOME, ORGANIZATION, fake_session, service_error, spec_of

# tests/fixtures/audit/org: management 111111111111, security 123456789012 (ACCOUNT).
MANAGEMENT = "111111111111"
SECURITY = ACCOUNT
LOG_ARCHIVE = "333333333333"
APP_A, APP_B, APP_C = "444444444444", "555555555555", "666666666666"
OTHER_REGION = "eu-west-1"
COVERED, MISSING = CoverageStatus.COVERED, CoverageStatus.MISSING
NOW = datetime.datetime(2026, 11, 30, 8, 15, tzinfo=datetime.UTC)


@pytest.fixture
def context() -> CoverageContext:
    return CoverageContext(
        spec_of(ORGANIZATION, "prod"),
        management=fake_session(account_id=MANAGEMENT),
        security=fake_session(account_id=SECURITY),
    )


@contextmanager
def stubbed(session: Any, service: str, region: str = HOME) -> Iterator[Stubber]:
    stub = Stubber(session.client(service, region))
    with stub:
        yield stub
    stub.assert_no_pending_responses()


def statuses(coverage: RegionCoverage, *accounts: str) -> list[CoverageStatus]:
    return [coverage.of(account).status for account in accounts]


def reasons(coverage: Mapping[str, RegionCoverage], account: str) -> dict[str, str]:
    return {region: c.of(account).reason for region, c in coverage.items()}


# --- GuardDuty -----------------------------------------------------------------------------


def gd_member(account: str, relationship: str) -> dict[str, Any]:
    return {
        "AccountId": account,
        "MasterId": SECURITY,
        "Email": f"{account}@example.com",
        "RelationshipStatus": relationship,
        "UpdatedAt": "2026-11-30T08:15:00Z",
    }


def test_guardduty_pages_through_every_member_and_covers_the_enabled(
    context: CoverageContext,
) -> None:
    with stubbed(context.security, "guardduty") as stub:
        stub.add_response("list_detectors", {"DetectorIds": ["d1"]}, {"MaxResults": 50})
        stub.add_response(
            "get_detector", {"ServiceRole": "r", "Status": "ENABLED"}, {"DetectorId": "d1"}
        )
        first = {"DetectorId": "d1", "OnlyAssociated": "false", "MaxResults": 50}
        stub.add_response(
            "list_members",
            {
                "Members": [gd_member(APP_A, "Enabled"), gd_member(APP_B, "Invited")],
                "NextToken": "t1",
            },
            first,
        )
        stub.add_response(
            "list_members", {"Members": [gd_member(APP_C, "Removed")]}, {**first, "NextToken": "t1"}
        )
        (coverage,) = guardduty.SERVICE.read(context, (HOME,)).values()
    assert statuses(coverage, SECURITY, APP_A, APP_B, APP_C, MANAGEMENT) == [
        COVERED,
        COVERED,
        MISSING,
        MISSING,
        MISSING,
    ]
    assert coverage.of(APP_B).reason == "member, but its relationship status is Invited"
    assert coverage.of(MANAGEMENT).reason == (
        f"not a GuardDuty member of the administrator account {SECURITY}"
    )


@pytest.mark.parametrize(
    ("detectors", "detector", "reason"),
    [
        ([], None, "no detector"),
        (["d1"], {"ServiceRole": "r", "Status": "DISABLED"}, "detector d1 is DISABLED"),
    ],
)
def test_guardduty_without_the_administrators_detector_covers_nobody(
    context: CoverageContext, detectors: list[str], detector: dict[str, Any] | None, reason: str
) -> None:
    with stubbed(context.security, "guardduty") as stub:
        stub.add_response("list_detectors", {"DetectorIds": detectors})
        if detector is not None:
            stub.add_response("get_detector", detector)
        (coverage,) = guardduty.SERVICE.read(context, (HOME,)).values()
    assert coverage.accounts == {}
    assert coverage.others.status is MISSING
    assert coverage.others.reason == (
        f"GuardDuty is not on in the administrator account {SECURITY}: {reason}"
    )


# --- Security Hub --------------------------------------------------------------------------


def test_security_hub_lists_all_members_and_covers_those_enabled(context: CoverageContext) -> None:
    hub = f"arn:aws:securityhub:{HOME}:{SECURITY}:hub/default"
    members = [
        {"AccountId": APP_A, "MemberStatus": "Enabled"},
        {"AccountId": APP_B, "MemberStatus": "Created"},
        {"AccountId": APP_C, "MemberStatus": "AccountSuspended"},
    ]
    with stubbed(context.security, "securityhub") as stub:
        stub.add_response("describe_hub", {"HubArn": hub})
        stub.add_response(
            "list_members", {"Members": members}, {"OnlyAssociated": False, "MaxResults": 50}
        )
        (coverage,) = securityhub.SERVICE.read(context, (HOME,)).values()
    assert statuses(coverage, SECURITY, APP_A, APP_B, APP_C, LOG_ARCHIVE) == [
        COVERED,
        COVERED,
        MISSING,
        MISSING,
        MISSING,
    ]
    assert coverage.of(SECURITY).reason == f"delegated administrator, hub {hub}"


def test_security_hub_off_in_the_administrator_covers_nobody(context: CoverageContext) -> None:
    with stubbed(context.security, "securityhub") as stub:
        stub.add_client_error(
            **service_error("describe_hub", "InvalidAccessException", "not subscribed", 401)
        )
        (coverage,) = securityhub.SERVICE.read(context, (HOME,)).values()
    assert coverage.others.reason == (
        f"Security Hub is not on in the administrator account {SECURITY}: no hub"
    )


def test_a_refused_member_list_is_an_error_for_everyone(context: CoverageContext) -> None:
    with stubbed(context.security, "securityhub") as stub:
        stub.add_response("describe_hub", {"HubArn": "arn:aws:securityhub:x:y:hub/default"})
        stub.add_client_error(**service_error("list_members", "AccessDeniedException", "no", 403))
        (coverage,) = guarded_read(securityhub.SERVICE, context, (HOME,)).values()
    assert coverage.accounts == {}
    assert coverage.others.status is CoverageStatus.ERROR
    assert coverage.others.reason == "ListMembers: access denied (AccessDeniedException): no"


# --- Macie ---------------------------------------------------------------------------------


def test_macie_covers_enabled_members_not_paused_ones(context: CoverageContext) -> None:
    members = [
        {"accountId": APP_A, "relationshipStatus": "Enabled"},
        {"accountId": APP_B, "relationshipStatus": "Paused"},
    ]
    with stubbed(context.security, "macie2") as stub:
        stub.add_response("get_macie_session", {"status": "ENABLED"})
        stub.add_response(
            "list_members", {"members": members}, {"onlyAssociated": "false", "maxResults": 25}
        )
        (coverage,) = macie.SERVICE.read(context, (HOME,)).values()
    assert statuses(coverage, SECURITY, APP_A, APP_B, APP_C) == [
        COVERED,
        COVERED,
        MISSING,
        MISSING,
    ]
    assert coverage.of(APP_B).reason == "member, but its relationship status is Paused"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": "PAUSED"}, "status PAUSED"),
        (
            service_error("get_macie_session", "AccessDeniedException", "Macie is not enabled"),
            "not enabled",
        ),
    ],
)
def test_macie_off_in_the_administrator_covers_nobody(
    context: CoverageContext, answer: dict[str, Any], reason: str
) -> None:
    with stubbed(context.security, "macie2") as stub:
        if "method" in answer:
            stub.add_client_error(**answer)
        else:
            stub.add_response("get_macie_session", answer)
        (coverage,) = macie.SERVICE.read(context, (HOME,)).values()
    assert (
        coverage.others.reason
        == f"Macie is not on in the administrator account {SECURITY}: {reason}"
    )


# --- CloudTrail ----------------------------------------------------------------------------

TRAIL_ARN = f"arn:aws:cloudtrail:{HOME}:{MANAGEMENT}:trail/security-baseline"


def trail(*, organization: bool = True, multi_region: bool = True) -> dict[str, Any]:
    return {
        "Name": "security-baseline",
        "TrailARN": TRAIL_ARN,
        "HomeRegion": HOME,
        "IsOrganizationTrail": organization,
        "IsMultiRegionTrail": multi_region,
    }


def read_trail(context: CoverageContext, trails: list[dict[str, Any]], logging: bool | None):
    with stubbed(context.management, "cloudtrail") as stub:
        stub.add_response("describe_trails", {"trailList": trails}, {"includeShadowTrails": True})
        if logging is not None:
            stub.add_response("get_trail_status", {"IsLogging": logging}, {"Name": TRAIL_ARN})
        return cloudtrail.SERVICE.read(context, (HOME, OTHER_REGION))


def test_a_logging_multi_region_organization_trail_covers_every_account_everywhere(
    context: CoverageContext,
) -> None:
    coverage = read_trail(context, [trail()], logging=True)
    assert {region: c.others.status for region, c in coverage.items()} == {
        HOME: COVERED,
        OTHER_REGION: COVERED,
    }
    assert coverage[HOME].accounts == {}


@pytest.mark.parametrize(
    ("trails", "logging", "home", "elsewhere"),
    [
        ([trail(organization=False)], None, "no organization trail", "no organization trail"),
        ([trail()], False, "is not logging", "is not logging"),
        ([trail(multi_region=False)], True, "logs us-east-1", "records us-east-1 only"),
    ],
)
def test_an_absent_silent_or_single_region_trail_leaves_gaps(
    context: CoverageContext,
    trails: list[dict[str, Any]],
    logging: bool | None,
    home: str,
    elsewhere: str,
) -> None:
    coverage = read_trail(context, trails, logging)
    assert home in coverage[HOME].others.reason
    assert elsewhere in coverage[OTHER_REGION].others.reason
    assert coverage[OTHER_REGION].others.status is MISSING


# --- Config --------------------------------------------------------------------------------


def aggregator(name: str, **source: Any) -> dict[str, Any]:
    role = f"arn:aws:iam::{SECURITY}:role/aggregator"
    return {
        "ConfigurationAggregatorName": name,
        "OrganizationAggregationSource": {"RoleArn": role, **source},
    }


def source(account: str, region: str, state: str, **error: str) -> dict[str, Any]:
    return {
        "SourceId": account,
        "SourceType": "ORGANIZATION",
        "AwsRegion": region,
        "LastUpdateStatus": state,
        "LastUpdateTime": NOW,
        **error,
    }


def test_config_reads_each_accounts_source_status_from_the_organization_aggregator(
    context: CoverageContext,
) -> None:
    account_aggregator = {
        "ConfigurationAggregatorName": "local",
        "AccountAggregationSources": [{"AccountIds": [APP_A], "AllAwsRegions": True}],
    }
    org = aggregator("organization", AwsRegions=[HOME])
    failed = {"LastErrorCode": "NoAvailableConfigurationRecorder", "LastErrorMessage": "none"}
    with stubbed(context.security, "config") as stub:
        stub.add_response(
            "describe_configuration_aggregators",
            {"ConfigurationAggregators": [account_aggregator, org]},
            {"Limit": 100},
        )
        request = {"ConfigurationAggregatorName": "organization", "Limit": 100}
        stub.add_response(
            "describe_configuration_aggregator_sources_status",
            {
                "AggregatedSourceStatusList": [
                    source(MANAGEMENT, HOME, "SUCCEEDED"),
                    source(APP_A, HOME, "FAILED", **failed),
                ],
                "NextToken": "t1",
            },
            request,
        )
        stub.add_response(
            "describe_configuration_aggregator_sources_status",
            {"AggregatedSourceStatusList": [source(APP_B, HOME, "OUTDATED")]},
            {**request, "NextToken": "t1"},
        )
        coverage = config.SERVICE.read(context, (HOME, OTHER_REGION))
    home = coverage[HOME]
    assert statuses(home, MANAGEMENT, APP_A, APP_B, APP_C) == [COVERED, MISSING, MISSING, MISSING]
    assert home.of(MANAGEMENT).reason == "aggregator organization: SUCCEEDED at 2026-11-30 08:15"
    assert home.of(APP_A).reason == (
        "aggregator organization: FAILED at 2026-11-30 08:15 "
        "(NoAvailableConfigurationRecorder: none)"
    )
    assert home.of(APP_C).reason == "aggregator organization: no source status for this account"
    assert coverage[OTHER_REGION].of(MANAGEMENT).reason == (
        f"aggregator organization does not collect {OTHER_REGION}"
    )


def test_config_without_an_organization_aggregator_covers_nobody(context: CoverageContext) -> None:
    with stubbed(context.security, "config") as stub:
        stub.add_response("describe_configuration_aggregators", {"ConfigurationAggregators": []})
        coverage = config.SERVICE.read(context, (HOME,))
    assert coverage[HOME].others.reason == (
        f"no organization aggregator in the security account {SECURITY} in {HOME}"
    )


def test_an_account_covered_by_any_of_two_aggregators_is_covered() -> None:
    first = RegionCoverage(
        config.missing("no status"), {APP_A: config.missing("FAILED"), APP_B: config.missing("x")}
    )
    second = RegionCoverage(config.missing("no status"), {APP_A: config.covered("SUCCEEDED")})
    best = config.best_of([first, second])
    assert statuses(best, APP_A, APP_B, APP_C) == [COVERED, MISSING, MISSING]
    assert best.of(APP_B).reason == "x"


# --- Firewall Manager ----------------------------------------------------------------------

POLICY_ID = "0" * 35 + "1"


def fms_policy(status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "PolicyArn": f"arn:aws:fms:{HOME}:{SECURITY}:policy/{POLICY_ID}",
        "PolicyId": POLICY_ID,
        "PolicyName": "sg-usage",  # the policy of tests/fixtures/audit/org
        "PolicyStatus": status,
    }


def in_scope(account: str) -> dict[str, Any]:
    return {"PolicyId": POLICY_ID, "PolicyName": "sg-usage", "MemberAccount": account}


def test_fms_covers_the_accounts_in_scope_of_every_declared_policy(
    context: CoverageContext,
) -> None:
    with (
        stubbed(context.management, "fms", fms.FMS_ADMIN_REGION) as admin,
        stubbed(context.security, "fms") as policies,
    ):
        admin.add_response("get_admin_account", {"AdminAccount": SECURITY, "RoleStatus": "READY"})
        policies.add_response("list_policies", {"PolicyList": [fms_policy()]}, {"MaxResults": 100})
        policies.add_response(
            "list_compliance_status",
            {"PolicyComplianceStatusList": [in_scope(APP_A), in_scope(SECURITY)]},
            {"PolicyId": POLICY_ID, "MaxResults": 100},
        )
        coverage = fms.SERVICE.read(context, (HOME, OTHER_REGION))
    assert statuses(coverage[HOME], APP_A, SECURITY, APP_B) == [COVERED, COVERED, MISSING]
    assert coverage[HOME].of(APP_A).reason == "in scope of sg-usage"
    assert coverage[HOME].of(APP_B).reason == "out of scope of sg-usage"
    # The spec's policy applies in its enabled regions only.
    assert coverage[OTHER_REGION].others.status is CoverageStatus.SKIP


@pytest.mark.parametrize(
    ("admin", "reason"),
    [
        (
            {"AdminAccount": APP_C, "RoleStatus": "READY"},
            f"administrator is {APP_C}, not {SECURITY}",
        ),
        ({"AdminAccount": SECURITY, "RoleStatus": "CREATING"}, "role is CREATING"),
        (
            service_error("get_admin_account", "ResourceNotFoundException", "none"),
            "no administrator",
        ),
    ],
)
def test_fms_without_the_security_account_as_administrator_covers_nobody(
    context: CoverageContext, admin: dict[str, Any], reason: str
) -> None:
    with stubbed(context.management, "fms", fms.FMS_ADMIN_REGION) as stub:
        if "method" in admin:
            stub.add_client_error(**admin)
        else:
            stub.add_response("get_admin_account", admin)
        coverage = fms.SERVICE.read(context, (HOME,))
    assert coverage[HOME].others.status is MISSING
    assert reason in coverage[HOME].others.reason


@pytest.mark.parametrize(
    ("listed", "reason"),
    [
        ([], "policy not deployed here: sg-usage"),
        ([fms_policy("OUT_OF_ADMIN_SCOPE")], "out of the administrator's scope"),
    ],
)
def test_fms_policies_absent_or_out_of_scope_leave_everyone_missing(
    context: CoverageContext, listed: list[dict[str, Any]], reason: str
) -> None:
    with (
        stubbed(context.management, "fms", fms.FMS_ADMIN_REGION) as admin,
        stubbed(context.security, "fms") as policies,
    ):
        admin.add_response("get_admin_account", {"AdminAccount": SECURITY, "RoleStatus": "READY"})
        policies.add_response("list_policies", {"PolicyList": listed})
        coverage = fms.SERVICE.read(context, (HOME,))
    assert coverage[HOME].accounts == {}
    assert reason in coverage[HOME].others.reason


def test_the_fms_administrator_is_read_where_the_baseline_designates_it() -> None:
    assert fms.FMS_ADMIN_REGION == FMS_ADMIN_REGION


# --- Organizations -------------------------------------------------------------------------


def organization(identifier: str = "o-exampleorg1", master: str = MANAGEMENT) -> dict[str, Any]:
    return {"Organization": {"Id": identifier, "MasterAccountId": master}}


def account(identifier: str, name: str, **state: str) -> dict[str, Any]:
    return {"Id": identifier, "Name": name, **state}


def test_every_account_of_every_page_is_listed_sorted_with_its_state(
    context: CoverageContext,
) -> None:
    with stubbed(context.management, "organizations") as stub:
        stub.add_response("describe_organization", organization())
        stub.add_response(
            "list_accounts",
            {"Accounts": [account(APP_B, "b", State="ACTIVE")], "NextToken": "t1"},
            {"MaxResults": 20},
        )
        stub.add_response(
            "list_accounts",
            {"Accounts": [account(APP_A, "a", Status="SUSPENDED")]},
            {"MaxResults": 20, "NextToken": "t1"},
        )
        accounts = organization_accounts(context)
    assert [(a.id, a.name, a.state) for a in accounts] == [
        (APP_A, "a", "SUSPENDED"),
        (APP_B, "b", "ACTIVE"),
    ]


@pytest.mark.parametrize(
    ("answer", "line"),
    [
        (
            organization("o-someoneelse"),
            "error: baseline.accounts.organization_id: o-exampleorg1, but the management "
            "account is in o-someoneelse",
        ),
        (
            organization(master=APP_A),
            f"error: baseline.accounts.management.id: {MANAGEMENT}, but the organization's "
            f"management account is {APP_A}",
        ),
        (
            service_error("describe_organization", "AWSOrganizationsNotInUseException", "no org"),
            "error: organizations: cannot list the organization's accounts: DescribeOrganization "
            "failed (AWSOrganizationsNotInUseException): no org",
        ),
    ],
)
def test_another_organization_or_none_stops_the_audit_with_one_line(
    context: CoverageContext, answer: dict[str, Any], line: str
) -> None:
    with stubbed(context.management, "organizations") as stub:
        if "method" in answer:
            stub.add_client_error(**answer)
        else:
            stub.add_response("describe_organization", answer)
        with pytest.raises(SpecError) as raised:
            organization_accounts(context)
    assert [str(problem) for problem in raised.value.problems] == [line]
