"""Helpers for the preflight tests: plans built once, contexts over fake or moto sessions."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from baseline.audit.model import Clients, Status
from baseline.audit.session import AuditSession
from baseline.preflight.model import Finding, PreflightContext
from baseline.preflight.planned import PlanIndex
from baseline.preflight.state import FIRST_DEPLOYMENT, StackState
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan
from baseline.project import load_stack_file
from baseline.spec import Spec, load_spec
from tests.audit_harness import ACCOUNT, HOME, prod_project_for

REPO = Path(__file__).resolve().parent.parent
# The accounts of the repository's Pulumi.prod.yaml.
MANAGEMENT, SECURITY, LOG_ARCHIVE = "111111111111", "222222222222", "333333333333"
PROD_OUS = ("ou-ab12-34cd56ef", "ou-ab12-78gh90ij")


@functools.cache
def plan_of(project: Path, stack: str, account: str = ACCOUNT) -> Plan:
    """The offline plan of a stack, once per test session."""
    return plan_project(load_stack_file(project, stack), account=account)


@functools.cache
def spec_of(project: Path, stack: str) -> Spec:
    return load_spec(project, stack)


def context_for(
    spec: Spec,
    plan: Plan,
    sessions: Mapping[str, Clients | str],
    state: StackState = FIRST_DEPLOYMENT,
    account: str = ACCOUNT,
) -> PreflightContext:
    return PreflightContext(spec, PlanIndex(plan, account, HOME), sessions, state)


def prod_sessions(*sessions: AuditSession) -> dict[str, Clients | str]:
    return {session.account_id: session for session in sessions}


def program_project_for(
    directory: Path,
    organization_id: str,
    accounts: dict[str, str],
    ous: Mapping[str, str] | None = None,
) -> Path:
    """The repository's prod stack pointed at a seeded organization, with the program of the
    repository (`main`), and the spec's OU ids replaced by `ous` (spec id -> seeded id)."""
    project = prod_project_for(directory, organization_id, accounts)
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    settings["main"] = str(REPO)
    (project / "Pulumi.yaml").write_text(yaml.safe_dump(settings))
    stack_file = project / "Pulumi.prod.yaml"
    text = stack_file.read_text()
    for spec_ou, seeded in (ous or {}).items():
        text = re.sub(rf"\b{re.escape(spec_ou)}\b", seeded, text)
    stack_file.write_text(text)
    return project


def by_check(findings: list[Finding], check_id: str) -> list[Finding]:
    return [each for each in findings if each.result.check_id == check_id]


def statuses(findings: list[Finding]) -> set[Status]:
    return {each.result.status for each in findings}
