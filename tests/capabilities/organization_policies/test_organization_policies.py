"""OrganizationPolicies: AWS's limits checked before planning, and what it plans."""

from __future__ import annotations

import json

import pytest

from baseline.capabilities.organization_policies.component import (
    MAX_POLICY_CHARACTERS,
    RESOURCE_CONTROL_POLICY,
    SERVICE_CONTROL_POLICY,
    OrganizationPolicies,
    OrganizationPoliciesArgs,
    OrganizationPolicy,
    PolicyLimitError,
    chunk_statements,
    limit_problems,
    minified,
    policy_content,
)
from tests.components_harness import of_type, plan_of

OU = "ou-ab12-34cd56ef"
DENY_LEAVING = {
    "Sid": "DenyLeaveOrganization",
    "Effect": "Deny",
    "Action": "organizations:LeaveOrganization",
    "Resource": "*",
}


def scp(
    name: str, targets: tuple[str, ...] = (OU,), statements: list | None = None
) -> OrganizationPolicy:
    return OrganizationPolicy(
        name, SERVICE_CONTROL_POLICY, "test", policy_content(statements or [DENY_LEAVING]), targets
    )


def padded(sid: str, characters: int) -> dict:
    """A statement of about `characters` characters once minified."""
    filler = "x" * max(0, characters - len(minified({**DENY_LEAVING, "Sid": sid})))
    return {**DENY_LEAVING, "Sid": sid, "Resource": f"arn:aws:iam::*:role/{filler}"}


def test_content_is_minified_json_as_aws_counts_it() -> None:
    content = policy_content([DENY_LEAVING])

    assert " " not in content and "\n" not in content
    assert json.loads(content) == {"Version": "2012-10-17", "Statement": [DENY_LEAVING]}
    assert minified({"Sid": "é"}) == '{"Sid":"\\u00e9"}'  # escaped: every character ASCII


def test_statements_are_split_into_as_few_policies_as_fit() -> None:
    statements = [padded(f"S{n}", 2000) for n in range(5)]

    chunks = chunk_statements(statements)

    assert [[s["Sid"] for s in chunk] for chunk in chunks] == [["S0", "S1"], ["S2", "S3"], ["S4"]]
    assert all(len(policy_content(chunk)) <= MAX_POLICY_CHARACTERS for chunk in chunks)


def test_a_statement_too_long_alone_is_refused() -> None:
    with pytest.raises(PolicyLimitError, match="statement Big alone makes a policy of 6"):
        chunk_statements([padded("Big", 6000)])


def test_a_policy_over_5120_characters_is_refused() -> None:
    policy = scp("big", statements=[padded("Big", 5100)])

    assert policy.characters > MAX_POLICY_CHARACTERS
    (problem,) = limit_problems([policy])
    assert problem == f"big: {policy.characters} characters, over AWS's 5120"


def test_four_policies_per_target_besides_full_aws_access() -> None:
    four = [scp(f"p{n}") for n in range(4)]
    assert limit_problems(four) == []

    (problem,) = limit_problems([*four, scp("p4")])
    assert problem.startswith(f"{OU}: 5 policies of type SERVICE_CONTROL_POLICY attached")
    assert problem.endswith("FullAWSAccess included: at most 4 here")


def test_the_root_by_name_and_by_id_is_one_target() -> None:
    policies = [
        scp("a", ("root",)),
        scp("b", ("r-ab12",)),
        scp("c", ("root",)),
        scp("d", ("root",)),
    ]

    assert limit_problems(policies) == []
    assert len(limit_problems([*policies, scp("e", ("r-ab12",))])) == 1


def test_rcps_and_scps_are_counted_apart() -> None:
    rcps = [
        OrganizationPolicy(
            f"r{n}",
            RESOURCE_CONTROL_POLICY,
            "test",
            policy_content([{**DENY_LEAVING, "Principal": "*", "Action": "s3:*"}]),
            (OU,),
        )
        for n in range(4)
    ]

    assert limit_problems([*[scp(f"s{n}") for n in range(4)], *rcps]) == []


def test_an_rcp_may_not_allow_and_must_name_every_principal() -> None:
    allow = {"Sid": "Let", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    no_principal = {**DENY_LEAVING, "Action": "s3:*"}
    rcp = OrganizationPolicy(
        "rcp", RESOURCE_CONTROL_POLICY, "test", policy_content([allow, no_principal]), (OU,)
    )

    assert limit_problems([rcp]) == [
        "rcp: Let is not Deny; an RCP may not allow",
        'rcp: DenyLeaveOrganization must name "Principal": "*"',
    ]


def test_names_types_and_targets_are_checked() -> None:
    wrong = OrganizationPolicy(
        "x", "TAG_POLICY", "d" * 513, policy_content([DENY_LEAVING]), ("123",)
    )

    assert limit_problems([wrong, scp("x")]) == [
        "x: type 'TAG_POLICY' is neither an SCP nor an RCP",
        "x: a description has at most 512 characters",
        "x: '123' is no root or OU",
        "x: two policies have this name",
    ]


def test_the_component_refuses_what_aws_would() -> None:
    with pytest.raises(ValueError, match="5 policies of type SERVICE_CONTROL_POLICY"):
        OrganizationPoliciesArgs(policies=tuple(scp(f"p{n}") for n in range(5)))
    with pytest.raises(ValueError, match="targets the root by name, and no root_id"):
        OrganizationPoliciesArgs(policies=(scp("p", ("root",)),))


def test_each_policy_is_created_once_and_attached_to_each_target() -> None:
    args = OrganizationPoliciesArgs(policies=(scp("deny-leaving", (OU, "root")),), root_id="r-ab12")

    plan = plan_of(lambda: OrganizationPolicies("guardrails", args))

    (policy,) = of_type(plan, "aws:organizations/policy:Policy")
    assert policy.inputs["type"] == SERVICE_CONTROL_POLICY
    assert policy.inputs["content"] == policy_content([DENY_LEAVING])
    assert policy.id.startswith("p-")
    attachments = of_type(plan, "aws:organizations/policyAttachment:PolicyAttachment")
    assert sorted((a.name, a.inputs["targetId"]) for a in attachments) == [
        ("deny-leaving-ou-ab12-34cd56ef", OU),
        ("deny-leaving-root", "r-ab12"),
    ]
    assert {a.inputs["policyId"] for a in attachments} == {policy.id}
