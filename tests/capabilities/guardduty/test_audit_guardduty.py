"""guardduty checks: detectors in moto (features and data sources), Stubber for denials."""

from __future__ import annotations

import dataclasses

import pytest
from botocore.stub import Stubber

from baseline.audit.model import AuditContext, Status
from baseline.audit.runner import run_service
from baseline.capabilities.guardduty import audit as guardduty
from baseline.capabilities.guardduty.component import Protections
from tests.audit_harness import (
    HOME,
    by_check,
    client,
    context_of,
    fake_session,
    seed_detector,
    service_error,
    statuses,
)


def audit(url: str, region: str = HOME) -> dict[str, set[Status]]:
    return statuses(run_service(guardduty.SERVICE, context_of(fake_session(url)), region))


def test_an_enabled_detector_with_s3_protection_passes(url: str) -> None:
    seed_detector(url, "eu-west-1", s3_protection=True)
    assert audit(url, "eu-west-1") == {check.id: {Status.PASS} for check in guardduty.CHECKS}


def test_s3_protection_off_in_the_detector_features_fails(url: str) -> None:
    seed_detector(url, HOME, s3_protection=False)
    found = audit(url)
    assert found["guardduty.s3-protection"] == {Status.FAIL}
    assert found["guardduty.detector-enabled"] == {Status.PASS}


@pytest.mark.parametrize(("enabled", "expected"), [(True, Status.PASS), (False, Status.FAIL)])
def test_s3_protection_is_read_from_data_sources_without_features(
    url: str, enabled: bool, expected: Status
) -> None:
    client(url, "guardduty").create_detector(
        Enable=True,
        FindingPublishingFrequency="FIFTEEN_MINUTES",
        DataSources={"S3Logs": {"Enable": enabled}},
    )
    assert audit(url)["guardduty.s3-protection"] == {expected}


def test_features_take_precedence_over_data_sources() -> None:
    detector = {
        "Features": [{"Name": "S3_DATA_EVENTS", "Status": "DISABLED"}],
        "DataSources": {"S3Logs": {"Status": "ENABLED"}},
    }
    assert guardduty.s3_protection_on(detector) is False


def test_another_publishing_frequency_than_the_spec_fails(url: str) -> None:
    client(url, "guardduty").create_detector(
        Enable=True,
        FindingPublishingFrequency="SIX_HOURS",
        Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}],
    )
    results = run_service(guardduty.SERVICE, context_of(fake_session(url)), HOME)
    frequency = by_check(results, "guardduty.finding-publishing-frequency")[0]
    assert frequency.status is Status.FAIL
    assert frequency.reason == "SIX_HOURS, the spec says FIFTEEN_MINUTES"


def test_a_suspended_detector_fails(url: str) -> None:
    detector_id = seed_detector(url, HOME, s3_protection=True)
    client(url, "guardduty").update_detector(DetectorId=detector_id, Enable=False)
    assert audit(url)["guardduty.detector-enabled"] == {Status.FAIL}


def test_no_detector_fails_every_check(url: str) -> None:
    results = run_service(guardduty.SERVICE, context_of(fake_session(url)), HOME)
    assert [(r.status, r.reason) for r in results] == [(Status.FAIL, "no GuardDuty detector")] * 3


def test_s3_protection_is_skipped_when_the_spec_turns_it_off(url: str) -> None:
    seed_detector(url, HOME, s3_protection=False)
    context = context_of(fake_session(url))
    section = dataclasses.replace(context.spec.guardduty, protections=Protections(s3=False))
    spec = dataclasses.replace(context.spec, guardduty=section)
    found = statuses(run_service(guardduty.SERVICE, AuditContext(spec, context.clients), HOME))
    assert found["guardduty.s3-protection"] == {Status.SKIP}


def test_denied_listing_is_an_error_for_every_check() -> None:
    session = fake_session()
    with Stubber(session.client("guardduty", HOME)) as stub:
        stub.add_client_error(
            **service_error("list_detectors", "AccessDeniedException", "not allowed", 403)
        )
        results = run_service(guardduty.SERVICE, context_of(session), HOME)
    assert {r.status for r in results} == {Status.ERROR}
    assert {r.check_id for r in results} == {check.id for check in guardduty.CHECKS}
    assert all(r.reason.startswith("ListDetectors: access denied") for r in results)
