"""iam-no-admin-star-star (CIS 1.16): no identity policy allows every action on every resource."""

import json

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze, validate_resource

# isort: split

import iam_admin

POLICY = iam_admin.POLICIES[0]
MANAGED = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
BUCKET_ARN = "arn:aws:s3:::orders-data"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "*"}
        ],
    }
)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(**fields) -> dict:
    return {"Effect": "Allow", **fields}


def check(resource_type: str, props: dict) -> list[str]:
    return validate_resource(POLICY, resource_type, props)


@pytest.mark.parametrize(
    "statement",
    [
        allow(Action="s3:GetObject", Resource="*"),
        allow(Action="*", Resource=[BUCKET_ARN, f"{BUCKET_ARN}/*"]),
        allow(Action="s3:*", Resource="arn:aws:s3:::*"),
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        # PowerUserAccess's shape: everything but IAM, Organizations and Account.
        allow(NotAction=["iam:*", "organizations:*", "account:*"], Resource="*"),
        allow(NotAction="s3:DeleteBucket", Resource=BUCKET_ARN),
    ],
)
def test_scoped_statements_pass(statement):
    assert check(MANAGED, {"policy": document(statement)}) == []


@pytest.mark.parametrize(
    "statement",
    [
        allow(Action="*", Resource="*"),
        allow(Action=["*:*"], Resource=["*"]),
        allow(Action="*", Resource="arn:aws:*:*:*:*"),
        allow(Action="*", Resource="arn:aws-us-gov:*"),
        allow(Action="*", Resource="*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
    ],
)
def test_every_action_on_every_resource_fails_however_spelt(statement):
    assert check(MANAGED, {"policy": document(statement)}) == [
        "policy: statement 1 allows every action on every resource."
    ]


def test_not_resource_on_every_action_fails():
    statement = allow(Sid="AllButLogs", Action="*", NotResource="arn:aws:s3:::audit-logs/*")
    assert check(MANAGED, {"policy": document(statement)}) == [
        "policy: statement 1 (Sid 'AllButLogs') allows every action on every resource."
    ]


def test_not_action_that_leaves_iam_in_fails():
    statement = allow(NotAction=["s3:DeleteBucket"], Resource="*")
    assert check(
        MANAGED, {"policy": document(allow(Action="s3:GetObject", Resource="*"), statement)}
    ) == [
        "policy: statement 2 allows every action but s3:DeleteBucket (NotAction) on every "
        "resource, iam:AttachRolePolicy included, with which it can grant itself the rest."
    ]


def test_not_action_excluding_only_some_iam_writes_still_fails():
    statement = allow(NotAction=["iam:Attach*", "iam:Put*"], Resource="*")
    [message] = check(MANAGED, {"policy": document(statement)})
    assert "iam:CreatePolicyVersion included" in message


@pytest.mark.parametrize(
    ("resource_type", "props", "where"),
    [
        ("aws:iam/rolePolicy:RolePolicy", {"role": "app"}, "policy"),
        ("aws:iam/userPolicy:UserPolicy", {"user": "jane"}, "policy"),
        ("aws:iam/groupPolicy:GroupPolicy", {"group": "admins"}, "policy"),
    ],
)
def test_inline_policies_are_checked(resource_type, props, where):
    admin = document(allow(Action="*", Resource="*"))
    assert check(resource_type, {**props, "policy": admin}) == [
        f"{where}: statement 1 allows every action on every resource."
    ]


def test_a_roles_inline_policies_are_checked_and_its_trust_policy_is_not():
    inline = [
        {"name": "logs", "policy": document(allow(Action="logs:PutLogEvents", Resource="*"))},
        {
            "name": "admin",
            "policy": {"Version": "2012-10-17", "Statement": [allow(Action="*", Resource="*")]},
        },
    ]
    assert check(ROLE, {"assumeRolePolicy": TRUST, "inlinePolicies": inline}) == [
        "inline_policies[1].policy: statement 1 allows every action on every resource."
    ]


def test_an_unknown_trust_policy_does_not_keep_the_inline_policies_from_being_checked():
    inline = [{"name": "admin", "policy": document(allow(Action="*", Resource="*"))}]
    props = {"assumeRolePolicy": UNKNOWN_STRING_VALUE, "inlinePolicies": inline}
    [diagnostic] = analyze([POLICY], ROLE, props).diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "inline_policies[0].policy: statement 1 allows every action" in diagnostic.message


@pytest.mark.parametrize(
    ("resource_type", "prop", "value"),
    [
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "policyArn", ADMIN_ARN),
        ("aws:iam/userPolicyAttachment:UserPolicyAttachment", "policyArn", ADMIN_ARN),
        ("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "policyArn", ADMIN_ARN),
        ("aws:iam/policyAttachment:PolicyAttachment", "policyArn", ADMIN_ARN),
        (
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            "policyArns",
            [ADMIN_ARN],
        ),
        (ROLE, "managedPolicyArns", [ADMIN_ARN]),
    ],
)
def test_attaching_administrator_access_fails(resource_type, prop, value):
    snake = {"policyArn": "policy_arn", "policyArns": "policy_arns"}.get(
        prop, "managed_policy_arns"
    )
    assert check(resource_type, {prop: value}) == [
        f"{snake} attaches {ADMIN_ARN}, the AWS managed policy that allows every action on "
        "every resource."
    ]


def test_administrator_access_is_recognised_in_every_partition():
    gov = "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert len(check(attachment, {"role": "r", "policyArn": gov})) == 1


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
        # A customer managed policy of that name: its document is what is checked.
        "arn:aws:iam::123456789012:policy/AdministratorAccess",
    ],
)
def test_other_managed_policies_pass(arn):
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(attachment, {"role": "r", "policyArn": arn}) == []


def test_an_unknown_policy_arn_is_a_policy_of_the_stack_and_no_preview_advisory():
    # An AWS managed policy's ARN is a constant; an unknown one is the output of an
    # aws.iam.Policy of the stack, whose document this policy checks itself.
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert (
        analyze([POLICY], attachment, {"role": "r", "policyArn": UNKNOWN_STRING_VALUE}).diagnostics
        == []
    )
    props = {"managedPolicyArns": [UNKNOWN_STRING_VALUE, ADMIN_ARN]}
    assert len(check(ROLE, props)) == 1


def test_other_resource_types_are_not_read():
    assert (
        check(
            "aws:s3/bucketPolicy:BucketPolicy",
            {"policy": document(allow(Action="*", Resource="*"))},
        )
        == []
    )
