"""The prod stack's organization policies, as planned: the guardrail SCPs on the OUs the spec
names, each within AWS's limits, denying the protected actions to all but the exempted."""

from __future__ import annotations

import json

import pytest

from baseline.preview.model import Plan, PlannedResource
from components.policy_evaluation import Request, evaluate
from tests.test_stack import MODES, of_type, planned, providers_by_account

OUS = {"ou-ab12-34cd56ef", "ou-ab12-78gh90ij"}
POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
ADMIN = "arn:aws:iam::444455556666:role/Admin"
EXEMPTED = [
    "arn:aws:iam::444455556666:role/stacksets-exec-0123456789abcdef",
    "arn:aws:iam::222222222222:role/SecurityBaselineDeployRole",
    "arn:aws:iam::333333333333:role/SecurityBaselineDeployRole",
    "arn:aws:iam::444455556666:role/BreakGlass",
]
PROTECTED = [
    "cloudtrail:StopLogging",
    "config:StopConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "securityhub:DisableSecurityHub",
    "macie2:DisableMacie",
    "access-analyzer:DeleteAnalyzer",
    "s3:PutAccountPublicAccessBlock",
    "ec2:DisableEbsEncryptionByDefault",
]


def policies(plan: Plan) -> dict[str, PlannedResource]:
    return {policy.name: policy for policy in of_type(plan, POLICY)}


def targets_by_policy(plan: Plan) -> dict[str, set[str]]:
    urn_of_id = {policy.id: policy.name for policy in of_type(plan, POLICY)}
    found: dict[str, set[str]] = {}
    for attachment in of_type(plan, ATTACHMENT):
        name = urn_of_id[attachment.inputs["policyId"]]
        found.setdefault(name, set()).add(attachment.inputs["targetId"])
    return found


@pytest.fixture(scope="module")
def prod() -> Plan:
    return planned("prod", False)


def test_prod_attaches_the_guardrails_to_the_ous_it_names(prod: Plan) -> None:
    root = next(iter(targets_by_policy(prod)["security-baseline-protect-accounts-2"]))

    assert root.startswith("r-")
    assert targets_by_policy(prod) == {
        "security-baseline-protect-baseline": OUS,
        "security-baseline-protect-accounts": OUS,
        "security-baseline-protect-accounts-2": {root},
        "security-baseline-allowed-regions": OUS,
        "security-baseline-data-perimeter": OUS,
    }


@pytest.mark.parametrize("preview", MODES)
def test_every_policy_is_within_5120_characters_and_comes_from_the_management_account(
    preview: bool,
) -> None:
    plan = planned("prod", preview)
    management = providers_by_account(plan)["111111111111"]

    found = policies(plan)
    assert len(found) == 5
    for policy in found.values():
        assert len(policy.inputs["content"]) <= 5120, policy.name
        assert policy.provider == management
    for attachment in of_type(plan, ATTACHMENT):
        assert attachment.provider == management
        # The engine orders each attachment after its policy.
        (policy_urn,) = attachment.property_dependencies["policyId"]
        assert policy_urn in {p.urn for p in found.values()}


@pytest.mark.parametrize("action", PROTECTED)
def test_the_protected_actions_are_denied_except_to_the_exempted(prod: Plan, action: str) -> None:
    documents = [
        policy.inputs["content"]
        for policy in policies(prod).values()
        if policy.inputs["type"] == "SERVICE_CONTROL_POLICY"
    ]

    def denied(principal: str) -> bool:
        request = Request(
            action,
            "*",
            context={"aws:PrincipalArn": principal, "aws:RequestedRegion": "us-east-1"},
        )
        return any(evaluate(document, request).outcome == "denied" for document in documents)

    assert denied(ADMIN)
    assert not any(denied(principal) for principal in EXEMPTED)


def test_the_exemptions_are_exactly_the_baseline_roles_and_the_specs(prod: Plan) -> None:
    content = json.loads(policies(prod)["security-baseline-protect-baseline"].inputs["content"])

    for statement in content["Statement"]:
        assert statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] == sorted(
            [
                "arn:aws:iam::*:role/BreakGlass",
                "arn:aws:iam::*:role/stacksets-exec-*",
                "arn:aws:iam::222222222222:role/SecurityBaselineDeployRole",
                "arn:aws:iam::333333333333:role/SecurityBaselineDeployRole",
            ]
        ), statement["Sid"]


def test_the_data_perimeter_is_deny_only_and_names_the_organization(prod: Plan) -> None:
    rcp = policies(prod)["security-baseline-data-perimeter"]
    content = json.loads(rcp.inputs["content"])

    assert rcp.inputs["type"] == "RESOURCE_CONTROL_POLICY"
    assert {s["Effect"] for s in content["Statement"]} == {"Deny"}
    identities, transport = content["Statement"]
    assert identities["Condition"] == {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
    }
    assert transport["Condition"] == {"BoolIfExists": {"aws:SecureTransport": "false"}}
    assert identities["Action"] == ["s3:*", "kms:*", "sqs:*", "secretsmanager:*"]


def test_dev_has_no_organization_policies() -> None:
    assert of_type(planned("dev", False), POLICY) == []


def test_prod_keeps_member_default_security_groups_closed(prod: Plan) -> None:
    (stack_set,) = of_type(prod, "aws:cloudformation/stackSet:StackSet")

    assert stack_set.inputs["parameters"]["CloseDefaultSecurityGroups"] == "true"
    assert "VPC_DEFAULT_SECURITY_GROUP_CLOSED" in stack_set.inputs["templateBody"]
