"""The `organization_policies` section: defaults, switching guardrails off, targets, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baseline.capabilities.organization_policies.catalog import GUARDRAILS
from baseline.capabilities.organization_policies.grouping import organization_policies
from baseline.problems import Problem
from baseline.spec import SpecError
from baseline.spec_loader import parse_spec
from tests.cli_harness import run_cli
from tests.test_spec import ORGANIZATION, problems_of, write_project

WHERE = "baseline.organization_policies"


def spec_with(section: dict[str, Any]) -> dict[str, Any]:
    return {**ORGANIZATION, "organization_policies": section}


def policies_of(section: dict[str, Any]) -> dict[str, Any]:
    spec = parse_spec(spec_with(section))
    assert spec.accounts is not None
    return {
        policy.name: policy
        for policy in organization_policies(spec.organization_policies, spec.accounts, spec.regions)
    }


def sids(policy: Any) -> list[str]:
    return [statement["Sid"] for statement in policy.statements]


def test_every_guardrail_but_the_opt_in_one_is_on_by_default_in_an_organization() -> None:
    section = parse_spec(ORGANIZATION).organization_policies

    assert section.enabled and section.targets == ("root",)
    assert section.guardrails == tuple(g for g in GUARDRAILS if g != "region_allow_list")
    assert not section.resource_control_policies.enabled


def test_single_account_mode_has_none_and_may_not_ask_for_them() -> None:
    assert not parse_spec({}, aws_region="us-east-1").organization_policies.enabled

    problems = problems_of({"organization_policies": {"enabled": True}}, aws_region="us-east-1")

    assert [p.where for p in problems] == [f"{WHERE}.enabled"]
    assert problems[0].what.startswith("needs an organization")


def test_switching_a_guardrail_off_takes_a_reason() -> None:
    problems = problems_of(spec_with({"disabled_guardrails": [{"name": "protect_macie"}]}))

    assert problems == (Problem(f"{WHERE}.disabled_guardrails[0].reason", "required"),)
    blank = spec_with({"disabled_guardrails": [{"name": "protect_macie", "reason": "  "}]})
    assert [p.what for p in problems_of(blank)] == ["must not be blank"]


def test_a_guardrail_switched_off_with_a_reason_leaves_its_policy() -> None:
    reason = "Macie is not licensed in this organization"
    section = {"disabled_guardrails": [{"name": "protect_macie", "reason": reason}]}

    policies = policies_of(section)

    assert "ProtectMacie" not in sids(policies["security-baseline-protect-baseline"])
    assert "ProtectConfig" in sids(policies["security-baseline-protect-baseline"])
    spec = parse_spec(spec_with(section))
    assert spec.organization_policies.disabled_guardrails[0].reason == reason


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("protect_everything", "must be one of protect_cloudtrail, "),
        ("region_allow_list", "region_allow_list is off unless switched on"),
    ],
)
def test_only_guardrails_that_are_on_can_be_switched_off(name: str, what: str) -> None:
    section = {"disabled_guardrails": [{"name": name, "reason": "no"}]}

    (problem,) = problems_of(spec_with(section))

    assert problem.where == f"{WHERE}.disabled_guardrails[0].name"
    assert problem.what.startswith(what)


def test_the_region_allow_list_is_opt_in_and_lists_the_enabled_regions() -> None:
    assert "security-baseline-allowed-regions" not in policies_of({})

    policy = policies_of({"region_allow_list": True})["security-baseline-allowed-regions"]

    (statement,) = policy.statements
    assert statement["Condition"]["StringNotEquals"] == {
        "aws:RequestedRegion": ["us-east-1", "us-west-2", "eu-west-1"]
    }
    # The global services of AWS's example stay reachable from any region.
    assert {"iam:*", "organizations:*", "sts:*", "support:*"} <= set(statement["NotAction"])


def test_an_exempted_principal_shows_in_every_exemptible_guardrail_condition() -> None:
    break_glass = "arn:aws:iam::*:role/BreakGlass"
    policies = policies_of({"exempt_principals": [break_glass], "region_allow_list": True})

    statements = [s for p in policies.values() for s in p.statements]
    exemptible = [
        s for s in statements if s["Sid"] not in {"DenyLeaveOrganization", "DenyRootUser"}
    ]
    assert len(exemptible) == len(GUARDRAILS) - 2
    for statement in exemptible:
        assert break_glass in statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    for statement in statements:
        if statement["Sid"] in {"DenyLeaveOrganization", "DenyRootUser"}:
            assert "ArnNotLike" not in statement.get("Condition", {})


def test_guardrail_targets_split_a_family_by_where_it_attaches() -> None:
    section = {
        "targets": ["ou-ab12-34cd56ef"],
        "guardrail_targets": {"deny_root_user": ["root"], "deny_leave_organization": ["root"]},
    }

    policies = policies_of(section)

    accounts = policies["security-baseline-protect-accounts"]
    at_root = policies["security-baseline-protect-accounts-2"]
    assert accounts.targets == ("ou-ab12-34cd56ef",)
    assert sids(accounts) == ["ProtectAccountSettings", "DenyAdministratorAttachment"]
    assert at_root.targets == ("root",)
    assert sids(at_root) == ["DenyLeaveOrganization", "DenyRootUser"]


def test_targets_of_a_guardrail_not_in_force_are_an_error() -> None:
    section = {
        "guardrail_targets": {"region_allow_list": ["ou-ab12-34cd56ef"]},
    }

    (problem,) = problems_of(spec_with(section))

    assert problem.where == f"{WHERE}.guardrail_targets.region_allow_list"


@pytest.mark.parametrize(
    ("section", "where", "what"),
    [
        ({"targets": ["ou-AB12"]}, f"{WHERE}.targets[0]", "must be root, the root's id"),
        ({"targets": []}, f"{WHERE}.targets", "must have at least 1 entries"),
        (
            {"exempt_principals": ["arn:aws:sts::123456789012:assumed-role/Admin/me"]},
            f"{WHERE}.exempt_principals[0]",
            "must be an IAM principal ARN pattern",
        ),
        (
            {"exempt_principals": ["arn:aws-cn:iam::*:role/BreakGlass"]},
            f"{WHERE}.exempt_principals[0]",
            "arn:aws-cn:iam::*:role/BreakGlass is not in the home region's partition aws",
        ),
        (
            {"administrator_roles": ["arn:aws:iam::*:user/admin"]},
            f"{WHERE}.administrator_roles[0]",
            "must be an IAM role ARN pattern",
        ),
        (
            {"resource_control_policies": {"services": ["dynamodb"]}},
            f"{WHERE}.resource_control_policies.services[0]",
            "must be one of s3, kms, sqs, secretsmanager",
        ),
    ],
)
def test_invalid_sections_name_where(section: dict[str, Any], where: str, what: str) -> None:
    problems = problems_of(spec_with(section))

    assert [p.where for p in problems] == [where]
    assert problems[0].what.startswith(what)


def test_more_than_four_policies_on_one_target_is_refused() -> None:
    # Each guardrail of protect-accounts at its own target set splits the family per target.
    ou = "ou-ab12-34cd56ef"
    section = {
        "targets": [ou],
        "region_allow_list": True,
        "guardrail_targets": {
            "deny_root_user": [ou, "root"],
            "deny_leave_organization": [ou, "r-ab12"],
        },
    }

    problems = problems_of(spec_with(section))

    assert [p.where for p in problems] == [WHERE]
    assert problems[0].what.startswith(
        f"{ou}: 5 policies of type SERVICE_CONTROL_POLICY attached, but AWS attaches at most 5"
    )
    assert "FullAWSAccess included: at most 4 here" in problems[0].what


def test_many_exemptions_split_a_policy_rather_than_exceed_5120_characters() -> None:
    exempted = [f"arn:aws:iam::*:role/team-{n:02d}-administrator" for n in range(10)]

    policies = policies_of({"exempt_principals": exempted})

    protect = [p for name, p in policies.items() if name.startswith("security-baseline-protect-b")]
    assert [p.name for p in protect] == [
        "security-baseline-protect-baseline",
        "security-baseline-protect-baseline-2",
    ]
    assert all(p.characters <= 5120 for p in protect)
    assert sum(len(p.statements) for p in protect) == 7


def test_a_guardrail_too_long_for_any_policy_is_refused() -> None:
    exempted = [f"arn:aws:iam::*:role/a-very-long-role-name-of-team-{n:03d}" for n in range(120)]

    problems = problems_of(spec_with({"exempt_principals": exempted}))

    assert [p.where for p in problems] == [WHERE]
    assert "alone makes a policy of" in problems[0].what
    assert problems[0].what.endswith("shorten exempt_principals or administrator_roles")


def test_resource_control_policies_are_opt_in_and_go_to_the_section_targets() -> None:
    assert "security-baseline-data-perimeter" not in policies_of({})

    section = {"targets": ["ou-ab12-34cd56ef"], "resource_control_policies": {"enabled": True}}
    policy = policies_of(section)["security-baseline-data-perimeter"]

    assert policy.type == "RESOURCE_CONTROL_POLICY"
    assert policy.targets == ("ou-ab12-34cd56ef",)


def test_validate_prints_one_error_line_for_a_guardrail_off_without_reason(tmp_path: Path) -> None:
    stack_yaml = """\
config:
  aws:region: us-east-1
  security-baseline:baseline:
    accounts:
      organization_id: o-a1b2c3d4e5
      management: {id: "111111111111"}
      security: {id: "222222222222"}
      log_archive: {id: "333333333333"}
    organization_policies:
      disabled_guardrails:
        - name: deny_root_user
"""
    project = write_project(tmp_path, stack_yaml)

    result = run_cli("validate", "--project", project)

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: baseline.organization_policies.disabled_guardrails[0].reason: required"
    )


def test_spec_error_lists_every_problem_at_once() -> None:
    section = {"disabled_guardrails": [{"name": "protect_config"}], "targets": ["nope"]}

    with pytest.raises(SpecError) as raised:
        parse_spec(spec_with(section))

    assert {p.where for p in raised.value.problems} == {
        f"{WHERE}.disabled_guardrails[0].reason",
        f"{WHERE}.targets[0]",
    }
