"""The organization (organization mode), read from the management account: it is the spec's,
with all features; trusted access is on for every service the plan integrates with it; the
OUs the plan names exist.

Each trusted-access principal is required by the planned resources that need it (AWS
Organizations User Guide, "AWS services that you can use with AWS Organizations"); a FAIL
names the command that turns it on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code
from baseline.audit.model import Check, Status
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    found,
    guarded,
    skipped,
)
from baseline.preflight.planned import Place, Target

ORGANIZATION = Check(
    "organizations.organization", "The organization is the spec's, with all features enabled"
)
TRUSTED_ACCESS = Check(
    "organizations.trusted-access", "Trusted access is enabled for every service the plan uses"
)
OU = Check("organizations.ou", "Every OU the plan names exists")
SINGLE_ACCOUNT = "single-account mode: the spec has no accounts section"
# AWS's OU id pattern (Organizations API reference, OrganizationalUnitId).
OU_ID = re.compile(r"\bou-[0-9a-z]{4,32}-[a-z0-9]{8,32}\b")

Needs = Callable[[Target], bool]


def _always(_: Target) -> bool:
    return True


def _input_is(key: str, value: Any) -> Needs:
    return lambda target: target.inputs.get(key) == value


def _delegated(principal: str) -> Needs:
    return _input_is("servicePrincipal", principal)


# (planned type, when it needs trusted access, the service principal).
TRUSTED_SERVICES: tuple[tuple[str, Needs, str], ...] = (
    (
        "aws:cloudtrail/trail:Trail",
        _input_is("isOrganizationTrail", True),
        "cloudtrail.amazonaws.com",
    ),
    (
        "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
        _delegated("config.amazonaws.com"),
        "config.amazonaws.com",
    ),
    (
        "aws:cfg/configurationAggregator:ConfigurationAggregator",
        lambda target: bool(target.inputs.get("organizationAggregationSource")),
        "config.amazonaws.com",
    ),
    (
        "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
        _delegated("config-multiaccountsetup.amazonaws.com"),
        "config-multiaccountsetup.amazonaws.com",
    ),
    (
        "aws:cfg/organizationConformancePack:OrganizationConformancePack",
        _always,
        "config-multiaccountsetup.amazonaws.com",
    ),
    (
        "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
        _always,
        "guardduty.amazonaws.com",
    ),
    (
        "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount",
        _always,
        "securityhub.amazonaws.com",
    ),
    (
        "aws:macie2/organizationAdminAccount:OrganizationAdminAccount",
        _always,
        "macie.amazonaws.com",
    ),
    ("aws:fms/adminAccount:AdminAccount", _always, "fms.amazonaws.com"),
    (
        "aws:cloudformation/stackSet:StackSet",
        _input_is("permissionModel", "SERVICE_MANAGED"),
        "member.org.stacksets.cloudformation.amazonaws.com",
    ),
    (
        "aws:accessanalyzer/analyzer:Analyzer",
        _input_is("type", "ORGANIZATION"),
        "access-analyzer.amazonaws.com",
    ),
)


def required_principals(context: PreflightContext) -> dict[str, list[Target]]:
    """Service principal -> the planned resources that need its trusted access."""
    required: dict[str, list[Target]] = {}
    for type_token, needs, principal in TRUSTED_SERVICES:
        for target in context.plan.targets(type_token):
            if needs(target):
                required.setdefault(principal, []).append(target)
    return required


def some_of(names: Iterable[str], at_most: int = 3) -> str:
    """A few of `names`, sorted, and how many more."""
    unique = sorted(set(names))
    more = f" and {len(unique) - at_most} more" if len(unique) > at_most else ""
    return ", ".join(unique[:at_most]) + more


def _management(context: PreflightContext) -> Place:
    """Where the organization is read: the management account, from the home region."""
    return Place(context.spec_account("management"), context.spec.regions.home)


def _organizations(context: PreflightContext) -> Any:
    place = _management(context)
    return context.clients(place.account).client("organizations", place.region)


def _organization(context: PreflightContext) -> list[Finding]:
    return guarded(ORGANIZATION, _management(context), partial(_describe, context))


def _describe(context: PreflightContext) -> list[Finding]:
    found_organization = _organizations(context).describe_organization()["Organization"]
    expected = context.spec_account("management")
    wanted = context.spec.accounts.organization_id if context.spec.accounts else ""
    problems = []
    if found_organization["Id"] != wanted:
        problems.append(f"the organization is {found_organization['Id']}, the spec says {wanted}")
    if found_organization.get("MasterAccountId") != expected:
        problems.append(f"its management account is {found_organization.get('MasterAccountId')}")
    if found_organization.get("FeatureSet") != "ALL":
        # Trusted access and delegated administrators need all features.
        problems.append(
            f"feature set {found_organization.get('FeatureSet')}: enable all features "
            "(`aws organizations enable-all-features`)"
        )
    status = Status.FAIL if problems else Status.PASS
    reason = "; ".join(problems) or "all features"
    resource = str(found_organization["Id"])
    return [found(ORGANIZATION, status, _management(context), resource, reason)]


def _trusted_access(context: PreflightContext) -> list[Finding]:
    return guarded(TRUSTED_ACCESS, _management(context), partial(_enabled, context))


def _enabled(context: PreflightContext) -> list[Finding]:
    pages = _organizations(context).get_paginator("list_aws_service_access_for_organization")
    enabled = {
        str(item["ServicePrincipal"])
        for page in pages.paginate()
        for item in page["EnabledServicePrincipals"]
    }
    findings = []
    for principal, targets in sorted(required_principals(context).items()):
        users = some_of(target.resource.name for target in targets)
        if principal in enabled:
            status, reason = Status.PASS, f"enabled (needed by {users})"
        else:
            status = Status.FAIL
            reason = (
                f"trusted access for {principal} is not enabled (needed by {users}): run "
                f"`aws organizations enable-aws-service-access --service-principal {principal}`"
            )
        findings.append(found(TRUSTED_ACCESS, status, _management(context), principal, reason))
    return findings


def named_ous(context: PreflightContext) -> dict[str, list[str]]:
    """OU id -> the planned resources whose inputs name it."""
    named: dict[str, list[str]] = {}
    for resource in context.plan.plan.resources:
        for ou in sorted(set(OU_ID.findall(json.dumps(resource.inputs)))):
            named.setdefault(ou, []).append(resource.name)
    return named


def _ous(context: PreflightContext) -> list[Finding]:
    return [
        each
        for ou, users in sorted(named_ous(context).items())
        for each in guarded(OU, _management(context), partial(_ou, context, ou, users))
    ]


def _ou(context: PreflightContext, ou: str, users: list[str]) -> list[Finding]:
    try:
        _organizations(context).describe_organizational_unit(OrganizationalUnitId=ou)
    except ClientError as error:
        if error_code(error) != "OrganizationalUnitNotFoundException":
            raise
        reason = f"no such OU in the organization (named by {some_of(users)})"
        return [found(OU, Status.FAIL, _management(context), ou, reason)]
    return [found(OU, Status.PASS, _management(context), ou, "exists")]


Run = Callable[[PreflightContext], list[Finding]]


def organization_only(check: Check, run: Run) -> Run:
    """`run` in organization mode; SKIP in single-account mode."""

    def checked(context: PreflightContext) -> list[Finding]:
        if context.spec.accounts is None:
            place = Place(next(iter(context.sessions), "-"), context.spec.regions.home)
            return skipped(check, place, SINGLE_ACCOUNT)
        return run(context)

    return checked


CHECKS = (
    PreflightCheck(ORGANIZATION, organization_only(ORGANIZATION, _organization)),
    PreflightCheck(TRUSTED_ACCESS, organization_only(TRUSTED_ACCESS, _trusted_access)),
    PreflightCheck(OU, organization_only(OU, _ous)),
)
