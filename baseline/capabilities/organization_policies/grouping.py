"""The spec's organization policies: which guardrails, in which policies, attached where.

Guardrails are grouped by purpose into policies of stable names (`security-baseline-<family>`,
then `-2`, `-3` when AWS's 5,120 characters force a split, or when a family's guardrails go to
different targets), so that switching one guardrail off or on updates a policy in place.

Always exempt, besides the spec's `exempt_principals` (what deploying the baseline would
otherwise be refused):
- the StackSets execution role of service-managed StackSets, `stacksets-exec-*` (CloudFormation
  user guide, "Configure a custom execution role template for StackSets": the role StackSets
  creates in each target account), which creates and updates the guardrails StackSet's Config
  recorder, roles, function and forwarding rules in every member account;
- the deploy roles of the security and log-archive accounts (`accounts.<account>.role_name`),
  which manage the detective services' administration, their recorders and conformance packs.
  The management account's needs no exemption: SCPs never apply to the management account
  (AWS Organizations user guide, "Service control policies");
- for `protect_account_settings` only, the roles of the guardrails StackSet, whose function sets
  S3 Block Public Access and EBS default encryption (catalog.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from baseline.capabilities.accounts.section import Accounts
from baseline.capabilities.organization_policies.catalog import GuardrailArgs, guardrail_statement
from baseline.capabilities.organization_policies.component import (
    RESOURCE_CONTROL_POLICY,
    SERVICE_CONTROL_POLICY,
    OrganizationPolicy,
    PolicyLimitError,
    chunk_statements,
    limit_problems,
    policy_content,
)
from baseline.capabilities.organization_policies.data_perimeter import (
    DataPerimeterArgs,
    data_perimeter_statements,
)
from baseline.capabilities.organization_policies.section import OrganizationPoliciesSpec
from baseline.capabilities.regions.section import Regions
from baseline.problems import Problem
from baseline.regions import known_regions

WHERE = "baseline.organization_policies"
POLICY_PREFIX = "security-baseline-"
# Family -> (its guardrails, the description of its policies).
FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {
    "protect-baseline": (
        (
            "protect_cloudtrail",
            "protect_config",
            "protect_guardduty",
            "protect_securityhub",
            "protect_macie",
            "protect_access_analyzer",
            "protect_account_guardrails",
        ),
        "security-baseline: no stopping, deleting or reconfiguring the baseline's logging, "
        "detective services and account guardrails, except by exempted principals",
    ),
    "protect-accounts": (
        (
            "protect_account_settings",
            "deny_leave_organization",
            "deny_root_user",
            "deny_administrator_attachment",
        ),
        "security-baseline: no leaving the organization, no root user, no weakening of S3 Block "
        "Public Access or EBS default encryption, no AdministratorAccess outside named roles",
    ),
    "allowed-regions": (
        ("region_allow_list",),
        "security-baseline: no requests outside the enabled regions, global services excepted",
    ),
}
DATA_PERIMETER = "data-perimeter"
DATA_PERIMETER_DESCRIPTION = (
    "security-baseline: no access to S3, KMS, SQS or Secrets Manager resources from outside the "
    "organization, nor without TLS"
)


def partition_of(regions: Regions) -> str:
    return known_regions().get(regions.home, "aws")


def baseline_exemptions(accounts: Accounts, partition: str) -> tuple[str, ...]:
    """The baseline's own roles, which every exemptible guardrail spares."""
    return (
        f"arn:{partition}:iam::*:role/stacksets-exec-*",
        *(
            f"arn:{partition}:iam::{account.id}:role/{account.role_name}"
            for account in (accounts.security, accounts.log_archive)
        ),
    )


def guardrail_args(
    section: OrganizationPoliciesSpec, accounts: Accounts, regions: Regions
) -> GuardrailArgs:
    partition = partition_of(regions)
    return GuardrailArgs(
        partition=partition,
        exempt_principals=(*baseline_exemptions(accounts, partition), *section.exempt_principals),
        allowed_regions=regions.enabled,
        administrator_roles=section.administrator_roles,
    )


def service_control_policies(
    section: OrganizationPoliciesSpec, accounts: Accounts, regions: Regions
) -> tuple[OrganizationPolicy, ...]:
    """The SCPs of the spec; PolicyLimitError for a guardrail too long for any policy."""
    args = guardrail_args(section, accounts, regions)
    active = section.guardrails
    policies: list[OrganizationPolicy] = []
    for family, (members, description) in FAMILIES.items():
        groups: dict[tuple[str, ...], list[str]] = {}
        for guardrail in (g for g in members if g in active):
            groups.setdefault(section.targets_of(guardrail), []).append(guardrail)
        chunks = [
            (targets, chunk)
            for targets, guardrails in groups.items()
            for chunk in chunk_statements([guardrail_statement(g, args) for g in guardrails])
        ]
        policies += _named(f"{POLICY_PREFIX}{family}", SERVICE_CONTROL_POLICY, description, chunks)
    return tuple(policies)


def resource_control_policies(
    section: OrganizationPoliciesSpec, accounts: Accounts
) -> tuple[OrganizationPolicy, ...]:
    settings = section.resource_control_policies
    if not settings.enabled:
        return ()
    statements = data_perimeter_statements(
        DataPerimeterArgs(
            organization_id=accounts.organization_id,
            services=settings.services,
            trusted_accounts=settings.trusted_accounts,
            require_tls=settings.require_tls,
        )
    )
    chunks = [(section.resource_control_targets, chunk) for chunk in chunk_statements(statements)]
    return _named(
        f"{POLICY_PREFIX}{DATA_PERIMETER}",
        RESOURCE_CONTROL_POLICY,
        DATA_PERIMETER_DESCRIPTION,
        chunks,
    )


def _named(
    name: str,
    policy_type: str,
    description: str,
    chunks: Sequence[tuple[tuple[str, ...], Sequence[Mapping[str, Any]]]],
) -> tuple[OrganizationPolicy, ...]:
    return tuple(
        OrganizationPolicy(
            name=name if index == 0 else f"{name}-{index + 1}",
            type=policy_type,
            description=description,
            content=policy_content(statements),
            targets=targets,
        )
        for index, (targets, statements) in enumerate(chunks)
    )


def organization_policies(
    section: OrganizationPoliciesSpec, accounts: Accounts, regions: Regions
) -> tuple[OrganizationPolicy, ...]:
    """Every policy the spec declares: its SCPs, then its RCPs."""
    return (
        *service_control_policies(section, accounts, regions),
        *resource_control_policies(section, accounts),
    )


def organization_policy_problems(
    section: OrganizationPoliciesSpec, accounts: Accounts | None, regions: Regions
) -> list[Problem]:
    """What is wrong with the section given the rest of the spec, AWS's limits included."""
    if not section.enabled:
        return []
    if accounts is None:
        what = "needs an organization: organization policies apply to an organization's accounts"
        return [Problem(f"{WHERE}.enabled", what)]
    problems = _reference_problems(section, partition_of(regions))
    try:
        policies = organization_policies(section, accounts, regions)
    except PolicyLimitError as error:
        what = f"{error}: shorten exempt_principals or administrator_roles"
        return [*problems, Problem(WHERE, what)]
    problems += [Problem(WHERE, what) for what in limit_problems(policies)]
    return problems


def _reference_problems(section: OrganizationPoliciesSpec, partition: str) -> list[Problem]:
    problems = []
    active = set(section.guardrails)
    for name in section.guardrail_targets:
        if name not in active:
            what = f"{name} is not in force (switched off, or an opt-in left off)"
            problems.append(Problem(f"{WHERE}.guardrail_targets.{name}", what))
    for key in ("exempt_principals", "administrator_roles"):
        for index, arn in enumerate(getattr(section, key)):
            if arn.split(":")[1] != partition:
                what = f"{arn} is not in the home region's partition {partition}: it never matches"
                problems.append(Problem(f"{WHERE}.{key}[{index}]", what))
    return problems
