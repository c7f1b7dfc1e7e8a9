"""IAM: no identity policy grants every action on every resource (CIS 1.16, "*:*").

Checked where a stack can grant it: the documents of managed policies (aws.iam.Policy),
inline policies (RolePolicy, UserPolicy, GroupPolicy, a Role's inline_policies), and
attachments of the AWS managed AdministratorAccess policy (the policy attachments, their
*Exclusive variants, a Role's managed_policy_arns).

A statement grants everything when it allows every action on every resource, whatever the
spelling (`"*"`, `"*:*"`, `"arn:aws:*"`, a NotResource), or when it allows everything *but*
some actions (NotAction) on every resource while leaving IAM's self-granting actions in: a
principal that may attach or write its own policies can give itself the rest (AWS IAM User
Guide, "NotAction with Allow": it grants "all the actions not listed", including future ones).
Conditions do not narrow a grant here, as in AWS's own check (Security Hub IAM.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from documents import DocumentKind, documents_of, parse, statement_label, statements
from graph import known
from helpers import as_list, python_name
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity
from pulumi_policy.proxy import UnknownValueError

ADMINISTRATOR_ACCESS = re.compile(r"arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess")
IDENTITY_POLICY_TYPES = frozenset(
    {
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/role:Role",
    }
)
# The properties holding the ARNs of managed policies that a resource attaches.
ATTACHMENTS: Mapping[str, str] = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
}
CHECKED_TYPES = IDENTITY_POLICY_TYPES | frozenset(ATTACHMENTS)

# A pattern covers "every action" or "every resource" when it matches each of these: actions
# of unrelated services, and ARNs of unrelated services in one partition.
_SAMPLE_ACTIONS = ("s3:GetObject", "iam:CreateUser", "ec2:RunInstances", "kms:Decrypt")
_SAMPLE_RESOURCES = tuple(
    (
        f"arn:{partition}:s3:::example-bucket/key",
        f"arn:{partition}:iam::123456789012:role/example",
        f"arn:{partition}:ec2:{region}:123456789012:instance/i-0123456789abcdef0",
    )
    for partition, region in (
        ("aws", "us-east-1"),
        ("aws-us-gov", "us-gov-west-1"),
        ("aws-cn", "cn-north-1"),
    )
)
# IAM actions with which a principal grants itself more (policy writes and attachments,
# policy versions, trust policies, credentials of other users, group membership).
SELF_GRANTING_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:PassRole",
)


def _values(value: Any) -> list[str]:
    return [str(v) for v in as_list(value)] if not isinstance(value, str) else [value]


def _matches(patterns: Sequence[str], value: str) -> bool:
    # Action names are case-insensitive (IAM JSON policy reference: Action); ARNs are not.
    return any(fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _every_action(patterns: Sequence[str]) -> bool:
    return all(_matches(patterns, action) for action in _SAMPLE_ACTIONS)


def _every_resource(statement: Mapping[str, Any]) -> bool:
    if "NotResource" in statement:
        return True  # everything but the listed resources
    patterns = _values(statement.get("Resource"))
    return any(
        all(any(fnmatchcase(arn, p) for p in patterns) for arn in samples)
        for samples in _SAMPLE_RESOURCES
    )


def _grant(statement: Mapping[str, Any]) -> str | None:
    """How the statement grants everything, or None when it does not."""
    if statement.get("Effect") != "Allow" or not _every_resource(statement):
        return None
    if "NotAction" in statement:
        excluded = _values(statement.get("NotAction"))
        left = [a for a in SELF_GRANTING_ACTIONS if not _matches(excluded, a)]
        if left:
            return (
                f"allows every action but {', '.join(excluded)} (NotAction) on every resource, "
                f"{left[0]} included, with which it can grant itself the rest"
            )
        return None
    if _every_action(_values(statement.get("Action"))):
        return "allows every action on every resource"
    return None


def admin_grants(document: Mapping[str, Any]) -> list[str]:
    """`<statement label> <how>` for each statement of the document that grants `*` on `*`."""
    found = []
    for index, statement in enumerate(statements(document)):
        how = _grant(statement)
        if how is not None:
            found.append(f"{statement_label(index, statement)} {how}")
    return found


def _document_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    problems = []
    for found in documents_of(resource_type, props, DocumentKind.IDENTITY):
        document = parse(found.text)
        for grant in admin_grants(document) if document is not None else []:
            problems.append(f"{found.where}: {grant}.")
    return problems


def _attachment_problems(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    prop = ATTACHMENTS.get(resource_type)
    if prop is None:
        return []
    return [
        f"{python_name(prop)} attaches {arn}, the AWS managed policy that allows every action "
        "on every resource."
        for arn in _known_values(props, prop)
        if ADMINISTRATOR_ACCESS.fullmatch(arn)
    ]


def _known_values(props: Mapping[str, Any], prop: str) -> list[str]:
    """The known ARNs of `prop`. An ARN unknown during preview is the output of a policy the
    stack creates (checked as that policy); AWS managed policy ARNs are constants, known to
    every preview."""
    value = known(props, prop)
    if value is None or isinstance(value, str):
        return [value] if value else []
    found = []
    for index in range(len(value) if isinstance(value, Sequence) else 0):
        try:
            found.append(str(value[index]))
        except UnknownValueError:
            continue
    return found


def _validate_no_admin(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in CHECKED_TYPES:
        return
    problems = _attachment_problems(args.resource_type, args.props)
    if args.resource_type in IDENTITY_POLICY_TYPES:
        problems += _document_problems(args.resource_type, args.props)
    for problem in problems:
        report(problem, None)


POLICIES = [
    resource_policy(
        name="iam-no-admin-star-star",
        summary=(
            "IAM policies must not allow every action on every resource ('*:*'), directly, "
            "through NotAction or NotResource, or by attaching AdministratorAccess."
        ),
        validate=_validate_no_admin,
        severity=Severity.HIGH,
        remediation_steps=(
            "Grant the actions the principal needs on the resources it needs (name ARNs); "
            "for administrators, use an IAM Identity Center permission set with MFA instead of "
            "a policy in the stack. A permissions boundary that allows '*' is a legitimate "
            "exception: exempt that one policy in the pack config's policy-exemptions."
        ),
    ),
]
