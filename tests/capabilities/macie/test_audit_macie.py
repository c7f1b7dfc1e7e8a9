"""macie checks: sessions in moto; AWS's own "not enabled" answer through Stubber."""

from __future__ import annotations

import dataclasses

from botocore.stub import Stubber

from baseline.audit.model import AuditContext, CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.macie import audit as macie
from tests.audit_harness import (
    HOME,
    client,
    context_of,
    fake_session,
    service_error,
)


def audit(url: str) -> list[tuple[Status, str]]:
    results = run_service(macie.SERVICE, context_of(fake_session(url)), HOME)
    return [(r.status, r.reason) for r in results]


def stubbed(code: str, message: str) -> CheckResult:
    session = fake_session()
    with Stubber(session.client("macie2", HOME)) as stub:
        stub.add_client_error(**service_error("get_macie_session", code, message, 403))
        (result,) = run_service(macie.SERVICE, context_of(session), HOME)
    return result


def test_an_enabled_session_passes(url: str) -> None:
    assert audit(url) == [(Status.PASS, "enabled")]


def test_a_paused_session_fails(url: str) -> None:
    macie2 = client(url, "macie2")
    macie2.disable_macie()
    macie2.enable_macie(status="PAUSED")
    assert audit(url) == [(Status.FAIL, "status PAUSED")]


def test_no_session_fails(url: str) -> None:
    client(url, "macie2").disable_macie()
    assert audit(url) == [(Status.FAIL, "Macie is not enabled")]


def test_aws_access_denied_saying_macie_is_not_enabled_fails() -> None:
    result = stubbed("AccessDeniedException", "Macie is not enabled.")
    assert (result.status, result.reason) == (Status.FAIL, "Macie is not enabled")


def test_any_other_access_denied_is_an_error() -> None:
    result = stubbed("AccessDeniedException", "User is not authorized to perform macie2:Get")
    assert result.status is Status.ERROR
    assert result.reason.startswith("GetMacieSession: access denied (AccessDeniedException)")


def test_a_spec_without_macie_skips() -> None:
    context = context_of(fake_session())
    section = dataclasses.replace(context.spec.macie, enabled=False)
    spec = dataclasses.replace(context.spec, macie=section)
    (result,) = run_service(macie.SERVICE, AuditContext(spec, context.clients), HOME)
    assert (result.status, result.reason) == (Status.SKIP, "macie.enabled is false in the spec")
