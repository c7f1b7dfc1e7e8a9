"""The guardrails, read as IAM reads them: what the baseline's own roles may still do, and what
everyone else may not (components/policy_evaluation.py, IAM's evaluation logic offline)."""

from __future__ import annotations

from typing import Any

import pytest

from baseline.capabilities.guardrails.component import STACK_SET_NAME
from baseline.capabilities.organization_policies.catalog import (
    GUARDRAILS,
    GuardrailArgs,
    guardrail_of,
    guardrail_statement,
    sid_of,
)
from baseline.capabilities.organization_policies.grouping import organization_policies
from baseline.spec_loader import parse_spec
from components.policy_evaluation import Request, evaluate
from tests.test_spec import ORGANIZATION

MEMBER = "444455556666"
REGION = "us-east-1"
STACK = f"StackSet-{STACK_SET_NAME}-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
BREAK_GLASS = "arn:aws:iam::*:role/BreakGlass"
ADMIN = f"arn:aws:iam::{MEMBER}:role/Admin"
STACKSETS_EXEC = f"arn:aws:iam::{MEMBER}:role/stacksets-exec-5d2c8e1b3f4a6978"
SECURITY_DEPLOY = "arn:aws:iam::222222222222:role/BaselineDeploy"
LOG_ARCHIVE_DEPLOY = "arn:aws:iam::333333333333:role/BaselineDeploy"


def cloudformation_name(logical_id: str, limit: int = 64) -> str:
    """The name CloudFormation generates for `logical_id` in STACK: 13 characters of `limit`
    for "-<12 random>", the other 50 (and a hyphen) shared between stack name and logical id,
    the stack name rounding up (inferred from names AWS generates; see guardrail_catalog)."""
    budget = limit - 13 - 1
    stack, logical = STACK, logical_id
    if len(stack) + len(logical) > budget:
        stack_share = max(-(-budget // 2), budget - len(logical))
        stack = stack[:stack_share]
        logical = logical[: budget - len(stack)]
    return f"{stack}-{logical}-1A2B3C4D5E6F"


ROLE = f"arn:aws:iam::{MEMBER}:role/{cloudformation_name('AccountSettingsRole')}"
FUNCTION = (
    f"arn:aws:lambda:{REGION}:{MEMBER}:function:{cloudformation_name('AccountSettingsFunction')}"
)
RULE = (
    f"arn:aws:events:{REGION}:{MEMBER}:rule/{cloudformation_name('TamperForwardRuleSecurityhub')}"
)
STACK_ARN = f"arn:aws:cloudformation:{REGION}:{MEMBER}:stack/{STACK}/0f1e2d3c"
LOG_GROUP = f"arn:aws:logs:{REGION}:{MEMBER}:log-group:{STACK}-AccountSettingsLogGroup-AB12"


@pytest.fixture(scope="module")
def policies() -> list[dict[str, Any]]:
    section = {"exempt_principals": [BREAK_GLASS], "administrator_roles": [BREAK_GLASS]}
    document = {
        **ORGANIZATION,
        "accounts": {
            **ORGANIZATION["accounts"],
            "security": {"id": "222222222222", "role_name": "BaselineDeploy"},
            "log_archive": {"id": "333333333333", "role_name": "BaselineDeploy"},
        },
        "organization_policies": {**section, "region_allow_list": True},
    }
    spec = parse_spec(document)
    assert spec.accounts is not None
    planned = organization_policies(spec.organization_policies, spec.accounts, spec.regions)
    return [
        {"Version": "2012-10-17", "Statement": policy.statements}
        for policy in planned
        if policy.type == "SERVICE_CONTROL_POLICY"
    ]


def decision(
    policies: list[dict[str, Any]], principal: str, action: str, resource: str = "*", **context: Any
) -> str:
    """ "denied" when a guardrail denies the request, "passes" when none does."""
    request = Request(
        action,
        resource,
        context={"aws:PrincipalArn": principal, "aws:RequestedRegion": REGION, **context},
    )
    for policy in policies:
        found = evaluate(policy, request)
        assert found.outcome != "undecided", found.reason
        if found.outcome == "denied":
            return "denied"
    return "passes"


# What the baseline's own roles do in member accounts, deploying and running the baseline.
BASELINE_CALLS = [
    # The StackSets execution role creates and updates the guardrails stack instances.
    (STACKSETS_EXEC, "cloudformation:UpdateStack", STACK_ARN),
    (STACKSETS_EXEC, "config:PutConfigurationRecorder", "*"),
    (STACKSETS_EXEC, "config:PutDeliveryChannel", "*"),
    (STACKSETS_EXEC, "iam:CreateRole", ROLE),
    (STACKSETS_EXEC, "iam:PassRole", ROLE),
    (STACKSETS_EXEC, "lambda:UpdateFunctionCode", FUNCTION),
    (STACKSETS_EXEC, "lambda:InvokeFunction", FUNCTION),
    (STACKSETS_EXEC, "events:PutRule", RULE),
    (STACKSETS_EXEC, "events:PutTargets", RULE),
    (STACKSETS_EXEC, "access-analyzer:DeleteAnalyzer", "*"),
    # The StackSet's function applies the account settings.
    (ROLE, "s3:PutAccountPublicAccessBlock", "*"),
    (ROLE, "ec2:ModifyEbsDefaultKmsKeyId", "*"),
    # The security account's deploy role administers the detective services.
    (SECURITY_DEPLOY, "guardduty:UpdateOrganizationConfiguration", "*"),
    (SECURITY_DEPLOY, "securityhub:UpdateOrganizationConfiguration", "*"),
    (SECURITY_DEPLOY, "macie2:UpdateOrganizationConfiguration", "*"),
    (SECURITY_DEPLOY, "config:PutOrganizationConformancePack", "*"),
    (SECURITY_DEPLOY, "guardduty:DeleteDetector", "*"),
    (LOG_ARCHIVE_DEPLOY, "config:PutConfigurationRecorder", "*"),
    (LOG_ARCHIVE_DEPLOY, "config:StopConfigurationRecorder", "*"),
]


@pytest.mark.parametrize(("principal", "action", "resource"), BASELINE_CALLS)
def test_the_baseline_can_still_deploy_and_run(
    policies: list[dict[str, Any]], principal: str, action: str, resource: str
) -> None:
    assert decision(policies, principal, action, resource) == "passes"


@pytest.mark.parametrize(("principal", "action", "resource"), BASELINE_CALLS)
def test_a_member_administrator_may_do_none_of_it(
    policies: list[dict[str, Any]], principal: str, action: str, resource: str
) -> None:
    assert decision(policies, ADMIN, action, resource) == "denied"


@pytest.mark.parametrize(
    "action",
    [
        "cloudtrail:StopLogging",
        "cloudtrail:DeleteTrail",
        "config:DeleteConfigurationRecorder",
        "config:DeleteDeliveryChannel",
        "config:DeleteConfigRule",
        "config:DeleteConformancePack",
        "guardduty:DisassociateFromAdministratorAccount",
        "securityhub:DisableSecurityHub",
        "securityhub:DisassociateFromAdministratorAccount",
        "macie2:DisableMacie",
        "macie2:DisassociateFromAdministratorAccount",
        "access-analyzer:DeleteAnalyzer",
        "ec2:DisableEbsEncryptionByDefault",
        "organizations:LeaveOrganization",
    ],
)
def test_protected_actions_are_denied_and_the_break_glass_role_is_spared(
    policies: list[dict[str, Any]], action: str
) -> None:
    break_glass = f"arn:aws:iam::{MEMBER}:role/BreakGlass"

    assert decision(policies, ADMIN, action) == "denied"
    expected = "denied" if action == "organizations:LeaveOrganization" else "passes"
    assert decision(policies, break_glass, action) == expected


@pytest.mark.parametrize("resource", [ROLE, FUNCTION, RULE, STACK_ARN, LOG_GROUP])
def test_the_stack_sets_resources_are_protected_whatever_cloudformation_names_them(
    policies: list[dict[str, Any]], resource: str
) -> None:
    action = {
        "iam": "iam:DeleteRole",
        "lambda": "lambda:DeleteFunction",
        "events": "events:DeleteRule",
        "cloudformation": "cloudformation:DeleteStack",
        "logs": "logs:DeleteLogGroup",
    }[resource.split(":")[2]]

    assert decision(policies, ADMIN, action, resource) == "denied"
    assert decision(policies, STACKSETS_EXEC, action, resource) == "passes"


def test_other_resources_of_the_same_services_stay_the_members(
    policies: list[dict[str, Any]],
) -> None:
    own_role = f"arn:aws:iam::{MEMBER}:role/app-runtime"
    own_function = f"arn:aws:lambda:{REGION}:{MEMBER}:function:orders"

    assert decision(policies, ADMIN, "iam:DeleteRole", own_role) == "passes"
    assert decision(policies, ADMIN, "lambda:UpdateFunctionCode", own_function) == "passes"


def test_the_root_user_of_a_member_account_may_do_nothing(policies: list[dict[str, Any]]) -> None:
    root = f"arn:aws:iam::{MEMBER}:root"

    assert decision(policies, root, "s3:ListAllMyBuckets") == "denied"
    assert decision(policies, root, "iam:CreateUser") == "denied"


def test_administrator_access_goes_to_the_named_roles_only(
    policies: list[dict[str, Any]],
) -> None:
    admin_access = {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}
    read_only = {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    developers = f"arn:aws:iam::{MEMBER}:role/Developers"
    break_glass = f"arn:aws:iam::{MEMBER}:role/BreakGlass"
    attach = "iam:AttachRolePolicy"

    assert decision(policies, ADMIN, attach, developers, **admin_access) == "denied"
    assert decision(policies, ADMIN, attach, break_glass, **admin_access) == "passes"
    assert decision(policies, ADMIN, attach, developers, **read_only) == "passes"
    user = f"arn:aws:iam::{MEMBER}:user/alice"
    assert decision(policies, ADMIN, "iam:AttachUserPolicy", user, **admin_access) == "denied"


def test_regions_outside_the_spec_are_denied_but_global_services_and_exemptions_pass(
    policies: list[dict[str, Any]],
) -> None:
    sydney = {"aws:RequestedRegion": "ap-southeast-2"}

    assert decision(policies, ADMIN, "ec2:RunInstances", **sydney) == "denied"
    assert decision(policies, ADMIN, "ec2:RunInstances") == "passes"
    assert decision(policies, ADMIN, "iam:CreateRole", ADMIN, **sydney) == "passes"
    assert decision(policies, ADMIN, "sts:AssumeRole", ADMIN, **sydney) == "passes"
    assert decision(policies, SECURITY_DEPLOY, "ec2:RunInstances", **sydney) == "passes"


def test_each_guardrail_is_one_statement_whose_sid_names_it() -> None:
    args = GuardrailArgs(allowed_regions=("us-east-1",))

    for guardrail in GUARDRAILS:
        statement = guardrail_statement(guardrail, args)
        assert statement["Effect"] == "Deny"
        assert statement["Sid"] == sid_of(guardrail)
        assert guardrail_of(statement["Sid"]) == guardrail
    assert guardrail_of("SomethingElse") is None


def test_the_generated_names_keep_the_prefix_the_guardrails_match() -> None:
    prefix = GuardrailArgs().generated_name_prefix

    assert prefix == "StackSet-security-baselin"
    for logical_id in ("AccountSettingsRole", "TamperForwardRuleSecurityhub", "X" * 60):
        assert cloudformation_name(logical_id).startswith(prefix)
        assert len(cloudformation_name(logical_id)) <= 64


def test_an_unknown_guardrail_or_partition_is_refused() -> None:
    with pytest.raises(ValueError, match="'protect_all' is no guardrail"):
        guardrail_statement("protect_all", GuardrailArgs())
    with pytest.raises(ValueError, match="is no partition"):
        GuardrailArgs(partition="azure")
    with pytest.raises(ValueError, match="no allowed regions"):
        guardrail_statement("region_allow_list", GuardrailArgs())


def test_other_partitions_name_their_own_arns() -> None:
    statement = guardrail_statement("deny_root_user", GuardrailArgs(partition="aws-us-gov"))

    assert statement["Condition"] == {
        "StringLike": {"aws:PrincipalArn": "arn:aws-us-gov:iam::*:root"}
    }
