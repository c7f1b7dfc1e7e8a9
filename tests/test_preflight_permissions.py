"""The preflight's table of API calls: every call a full preflight makes is in it, every entry
is called, and all of them are read-only but for assuming the deploy roles."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import boto3
import pytest

from baseline import cli
from baseline.audit import session as session_module
from baseline.audit.session import AuditSession
from baseline.preflight import command, macie_sources, names
from baseline.preflight.permissions import PREFLIGHT_CALLS, preflight_actions
from tests.audit_harness import ACCOUNT, client, client_in, fake_session
from tests.policy_documents import lint
from tests.preflight_harness import (
    OTHER,
    REPO,
    SOURCE_KEY,
    TRUSTED_SERVICES,
    context_for,
    organization,
    plan_of,
    planned,
    spec_of,
    with_sources,
)

CALLS = {(call.service, call.operation) for call in PREFLIGHT_CALLS}
Calls = set[tuple[str, str]]


def recorder(calls: Calls) -> Any:
    def record(model: Any, **_: Any) -> None:
        calls.add((model.service_model.service_name, model.name))

    return record


def record_sessions(monkeypatch: pytest.MonkeyPatch, calls: Calls) -> None:
    """Every session the command opens records its calls (assumed ones share its events)."""
    opened = session_module._boto_session

    def recording(profile: str | None, region: str) -> boto3.Session:
        boto_session = opened(profile, region)
        boto_session.events.register("before-parameter-build", recorder(calls))
        return boto_session

    monkeypatch.setattr(session_module, "_boto_session", recording)


def record(session: AuditSession, calls: Calls) -> AuditSession:
    session.boto_session.events.register("before-parameter-build", recorder(calls))
    return session


def named_buckets_and_sources(url: str, calls: Calls) -> None:
    """What no stack of the repository has: explicitly named buckets, remediation sources."""
    client_in(url, OTHER, "s3").create_bucket(Bucket="lake")
    plan = planned(
        plan_of(REPO, "dev"), "aws:s3/bucket:Bucket", "aws:s3/bucket:Bucket", "b", bucket="lake"
    )
    spec = with_sources(spec_of(REPO, "dev"), ("lake",), (SOURCE_KEY,))
    context = context_for(spec, plan, {ACCOUNT: record(fake_session(url), calls)})
    for check in (*names.CHECKS, *macie_sources.CHECKS):
        check.run(context)


def test_every_call_of_a_full_preflight_is_in_the_table_and_every_entry_is_called(
    url: str,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    calls: Calls = set()
    record_sessions(monkeypatch, calls)
    project = organization(url, tmp_path_factory, TRUSTED_SERVICES)
    # A delegated administrator of a service the plan does not use: read, not in the way.
    organizations = client(url, "organizations")
    security = next(
        a["Id"] for a in organizations.list_accounts()["Accounts"] if a["Name"] == "security"
    )
    organizations.enable_aws_service_access(ServicePrincipal="ssm.amazonaws.com")
    organizations.register_delegated_administrator(
        AccountId=security, ServicePrincipal="ssm.amazonaws.com"
    )
    plan = plan_of(project, "prod")
    monkeypatch.setattr(command, "plan_project", lambda stack_file, account: plan)
    args = ["preflight", "--project", str(project), "--stack", "prod", "--endpoint-url", url]
    assert cli.main(args) == 0, capsys.readouterr().out
    client(url, "macie2").disable_macie()
    assert cli.main(["preflight", "--project", str(REPO), "--endpoint-url", url]) == 0
    named_buckets_and_sources(url, calls)
    assert calls - CALLS == set()
    assert CALLS - calls == set()


def test_the_table_lists_each_operation_once() -> None:
    assert len(CALLS) == len(PREFLIGHT_CALLS)


def test_every_action_is_read_only_but_assuming_the_deploy_roles() -> None:
    actions = set(preflight_actions()) - {"sts:AssumeRole"}
    assert all(re.fullmatch(r"[a-z0-9-]+:(Get|List|Describe)\w+", a) for a in actions), actions
    assumed = [call for call in PREFLIGHT_CALLS if call.action == "sts:AssumeRole"]
    assert [dataclasses.astuple(call)[3] for call in assumed] == ["{deploy_roles}"]


def test_parliament_knows_every_action() -> None:
    statement = {"Effect": "Allow", "Action": list(preflight_actions()), "Resource": "*"}
    findings = lint(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), "identity")
    assert [f for f in findings if f.startswith(("UNKNOWN_ACTION", "UNKNOWN_PREFIX"))] == []
