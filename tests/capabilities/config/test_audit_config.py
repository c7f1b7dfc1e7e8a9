"""config checks: recorders, channels and organization packs in moto; account packs through
Stubber (moto lacks them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from botocore.stub import Stubber

from baseline.audit.model import AuditContext, CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.config import audit as config
from baseline.capabilities.config.section import CustomConformancePack
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    ORGANIZATION,
    by_check,
    client,
    context_of,
    fake_session,
    seed_recorder,
    service_error,
    statuses,
)

PACKS = next(probe for probe in config.SERVICE.probes if config.CONFORMANCE_PACKS in probe.checks)
ONLY_PACKS = dataclasses.replace(config.SERVICE, probes=(PACKS,))


def recorder_checks(url: str) -> dict[str, set[Status]]:
    found = statuses(run_service(config.SERVICE, context_of(fake_session(url)), HOME))
    found.pop("config.conformance-packs")
    return found


def account_packs(states: Sequence[tuple[str, str]]) -> list[CheckResult]:
    session = fake_session()
    details = [
        {
            "ConformancePackName": name,
            "ConformancePackId": f"conformance-pack-{index}",
            "ConformancePackArn": f"arn:aws:config:{HOME}:{ACCOUNT}:conformance-pack/{name}",
            "ConformancePackState": state,
            "StackArn": f"arn:aws:cloudformation:{HOME}:{ACCOUNT}:stack/{name}/1",
            "LastUpdateRequestedTime": "2026-01-01T00:00:00Z",
        }
        for index, (name, state) in enumerate(states)
    ]
    with Stubber(session.client("config", HOME)) as stub:
        stub.add_response(
            "describe_conformance_pack_status", {"ConformancePackStatusDetails": details}
        )
        return run_service(ONLY_PACKS, context_of(session), HOME)


def test_a_recording_all_supported_recorder_with_a_channel_passes(url: str) -> None:
    seed_recorder(url, HOME)
    assert recorder_checks(url) == {
        "config.recorder-all-supported": {Status.PASS},
        "config.recorder-recording": {Status.PASS},
        "config.delivery-channel": {Status.PASS},
    }


def test_no_recorder_and_no_channel_fail(url: str) -> None:
    results = run_service(config.SERVICE, context_of(fake_session(url)), HOME)
    reasons = {r.check_id: r.reason for r in results if r.status is Status.FAIL}
    assert reasons == {
        "config.recorder-all-supported": "no configuration recorder",
        "config.recorder-recording": "no configuration recorder",
        "config.delivery-channel": "no delivery channel",
    }


def test_a_stopped_recorder_of_selected_types_fails_both_recorder_checks(url: str) -> None:
    client(url, "config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]},
        }
    )
    found = recorder_checks(url)
    assert found["config.recorder-all-supported"] == {Status.FAIL}
    assert found["config.recorder-recording"] == {Status.FAIL}


def test_account_packs_moto_lacks_are_an_error(url: str) -> None:
    seed_recorder(url, HOME)
    results = run_service(config.SERVICE, context_of(fake_session(url)), HOME)
    (packs,) = by_check(results, "config.conformance-packs")
    assert packs.status is Status.ERROR
    assert packs.reason.startswith("DescribeConformancePackStatus: the endpoint answered HTTP 500")


def test_each_spec_pack_must_be_deployed_completely() -> None:
    results = account_packs([("baseline", "CREATE_COMPLETE"), ("other", "CREATE_COMPLETE")])
    assert [(r.resource, r.status, r.reason) for r in results] == [
        ("baseline", Status.PASS, "CREATE_COMPLETE"),
        ("s3-operational-best-practices", Status.FAIL, "not deployed"),
    ]


def test_a_failed_pack_fails() -> None:
    results = account_packs(
        [("baseline", "CREATE_FAILED"), ("s3-operational-best-practices", "UPDATE_COMPLETE")]
    )
    assert [r.status for r in results] == [Status.FAIL, Status.PASS]


def test_custom_packs_of_the_spec_are_expected_too() -> None:
    context = context_of(fake_session())
    section = dataclasses.replace(
        context.spec.config,
        conformance_packs=(),
        custom_conformance_packs=(CustomConformancePack("team-rules", "team.yaml"),),
    )
    spec = dataclasses.replace(context.spec, config=section)
    assert config.expected_packs(AuditContext(spec, context.clients)) == ("team-rules",)


def test_organization_packs_are_read_in_organization_mode(url: str) -> None:
    client(url, "config").put_organization_conformance_pack(
        OrganizationConformancePackName="baseline", TemplateS3Uri="s3://templates/baseline.yaml"
    )
    context = context_of(fake_session(url), ORGANIZATION, "prod")
    results = run_service(ONLY_PACKS, context, HOME)
    assert [(r.resource, r.status, r.reason) for r in results] == [
        ("baseline", Status.PASS, "CREATE_SUCCESSFUL"),
        ("s3-operational-best-practices", Status.FAIL, "not deployed"),
    ]


def test_denied_pack_status_is_an_error_for_the_pack_check_only() -> None:
    session = fake_session()
    with Stubber(session.client("config", HOME)) as stub:
        stub.add_client_error(
            **service_error("describe_conformance_pack_status", "AccessDeniedException", "no")
        )
        (result,) = run_service(ONLY_PACKS, context_of(session), HOME)
    assert result.status is Status.ERROR
    assert (
        result.reason == "DescribeConformancePackStatus: access denied (AccessDeniedException): no"
    )
