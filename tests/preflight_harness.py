"""Helpers for the preflight tests: plans built once, contexts over fake or moto sessions."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from baseline.audit.model import Clients
from baseline.audit.session import AuditSession
from baseline.preflight.model import PreflightContext
from baseline.preflight.planned import PlanIndex
from baseline.preflight.state import FIRST_DEPLOYMENT, StackState
from baseline.preview.engine import plan_project
from baseline.preview.model import Plan, PlannedResource
from baseline.project import load_stack_file
from baseline.spec import Spec
from baseline.spec_loader import load_spec
from tests.audit_harness import (
    ACCOUNT,
    HOME,
    client,
    client_in,
    prod_project_for,
    seed_organization,
)
from tests.plan_memo import locked, shared_directory

REPO = Path(__file__).resolve().parent.parent
# The accounts of the repository's Pulumi.prod.yaml.
MANAGEMENT, SECURITY, LOG_ARCHIVE = "111111111111", "222222222222", "333333333333"
OTHER = "999999999999"  # an account outside the baseline
PROD_OUS = ("ou-ab12-34cd56ef", "ou-ab12-78gh90ij")
TRUSTED_SERVICES = (
    "cloudtrail.amazonaws.com",
    "config.amazonaws.com",
    "config-multiaccountsetup.amazonaws.com",
    "fms.amazonaws.com",
    "guardduty.amazonaws.com",
    "macie.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com",
    "securityhub.amazonaws.com",
)


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


def organization(
    url: str, tmp_path_factory: pytest.TempPathFactory, trusted: tuple[str, ...]
) -> Path:
    """An organization seeded in moto, the prod stack pointed at it, trusted access for
    `trusted`, the spec's OUs created, Macie off in the security account (AWS's start).

    moto's seeded ids make the same organization each time: the project is kept in a directory
    of the run named by its files, so that tests share it and its plan."""
    organization_id, accounts = seed_organization(url)
    organizations = client(url, "organizations")
    root = organizations.list_roots()["Roots"][0]["Id"]
    ous = {
        spec_ou: organizations.create_organizational_unit(ParentId=root, Name=spec_ou)[
            "OrganizationalUnit"
        ]["Id"]
        for spec_ou in PROD_OUS
    }
    for principal in trusted:
        organizations.enable_aws_service_access(ServicePrincipal=principal)
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        client_in(url, accounts["security"], "macie2", region).disable_macie()
    staged = program_project_for(tmp_path_factory.mktemp("prod"), organization_id, accounts, ous)
    return shared_copy(staged, shared_directory(tmp_path_factory))


def shared_copy(staged: Path, shared: Path) -> Path:
    """The files of `staged` in a directory of `shared` named by their content."""
    digest = hashlib.sha256()
    files = sorted(path for path in staged.iterdir() if path.is_file())
    for path in files:
        digest.update(f"{path.name}\0{path.read_text()}\0".encode())
    directory = shared / f"project-{digest.hexdigest()[:16]}"
    with locked(shared / f"{directory.name}.lock"):
        if not directory.exists():
            building = shared / f"{directory.name}.partial"
            shutil.rmtree(building, ignore_errors=True)
            shutil.copytree(staged, building)
            building.rename(directory)
    return directory


def planned(plan: Plan, like: str, type_token: str, name: str, **inputs: Any) -> Plan:
    """`plan` with one more resource of `type_token`, placed like the planned `like`."""
    model = next(r for r in plan.resources if r.type == like)
    extra = PlannedResource(
        urn=model.urn.rsplit("::", 1)[0].replace(like, type_token) + f"::{name}",
        type=type_token,
        name=name,
        custom=True,
        parent=model.parent,
        provider=model.provider,
        inputs=inputs,
    )
    return dataclasses.replace(plan, resources=(*plan.resources, extra))


ROLE = f"arn:aws:iam::{ACCOUNT}:role/quarantine-remediation"
SOURCE_KEY = f"arn:aws:kms:us-east-1:{OTHER}:key/5f3c2b1a-8d4e-4f6a-9b7c-0123456789ab"


def with_sources(spec: Spec, buckets: tuple[str, ...], keys: tuple[str, ...]) -> Spec:
    remediation = dataclasses.replace(
        spec.macie.remediation, enabled=True, source_buckets=buckets, source_key_arns=keys
    )
    return dataclasses.replace(
        spec,
        macie=dataclasses.replace(spec.macie, remediation=remediation),
        quarantine=dataclasses.replace(spec.quarantine, remediation_role_arn=ROLE),
    )
