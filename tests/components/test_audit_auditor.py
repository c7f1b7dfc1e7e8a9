"""AuditorRole: the audit's read-only policy, from the table of API calls, under the offline
mocks; the policy and trust policy linted with parliament."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from baseline.audit.permissions import ANY_RESOURCE, API_CALLS, auditor_actions, read_permissions
from components.auditor import AuditorRole, AuditorRoleArgs, auditor_policy_document
from tests.components_harness import ACCOUNT, exporting, only, plan_of
from tests.policy_documents import document, lint

AUDITORS = ("arn:aws:iam::444455556666:role/InternalAudit",)
# The auditor roles of the management, security and log-archive accounts (--role-name).
BASELINE_ACCOUNT_ROLES = (
    "arn:aws:iam::111111111111:role/BaselineAuditor",
    "arn:aws:iam::222222222222:role/BaselineAuditor",
    "arn:aws:iam::333333333333:role/BaselineAuditor",
)
ASSUME_ROLE = "sts:AssumeRole"
READS = read_permissions()
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# IAM lists a resource type for these, but the audit looks the recorder up without knowing its
# ARN (see baseline.audit.permissions): parliament's RESOURCE_STAR on them is expected.
UNSCOPED_BY_DESIGN = {
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
}


def auditor_program(args: AuditorRoleArgs):
    return exporting(lambda: AuditorRole("auditor", args), "arn")


def planned(args: AuditorRoleArgs) -> tuple[Any, Any]:
    plan = plan_of(auditor_program(args))
    component = only(plan, "security-baseline:auditor:AuditorRole")
    role = only(plan, ROLE)
    policy = only(plan, ROLE_POLICY)
    assert role.parent == component.urn and policy.parent == component.urn
    return role, policy


def policy_actions(policy: dict[str, Any]) -> set[str]:
    return {action for each in policy["Statement"] for action in each["Action"]}


def test_the_policy_allows_exactly_the_actions_of_the_table() -> None:
    args = AuditorRoleArgs(
        trusted_principal_arns=AUDITORS,
        read_permissions=READS,
        assumable_role_arns=BASELINE_ACCOUNT_ROLES,
    )
    _, role_policy = planned(args)
    policy = document(role_policy)
    assert policy_actions(policy) == set(auditor_actions())
    assert policy_actions(policy) == {call.action for call in API_CALLS}


def test_without_roles_to_assume_the_auditor_assumes_none() -> None:
    _, role_policy = planned(
        AuditorRoleArgs(trusted_principal_arns=AUDITORS, read_permissions=READS)
    )
    assert policy_actions(document(role_policy)) == set(auditor_actions()) - {ASSUME_ROLE}


def test_the_roles_to_assume_are_named_one_by_one() -> None:
    policy = json.loads(auditor_policy_document(READS, ACCOUNT, "aws", BASELINE_ACCOUNT_ROLES))
    (assume,) = [each for each in policy["Statement"] if ASSUME_ROLE in each["Action"]]
    assert assume["Sid"] == "AssumeAuditedAccountRoles"
    assert assume["Action"] == [ASSUME_ROLE]
    assert assume["Resource"] == list(BASELINE_ACCOUNT_ROLES)


def test_the_policy_is_read_only_but_for_assuming_the_named_roles() -> None:
    actions = set(auditor_actions()) - {ASSUME_ROLE}
    assert all(re.fullmatch(r"[a-z0-9-]+:(Get|List|Describe)\w+", a) for a in actions), actions
    assert all(
        each["Effect"] == "Allow"
        for each in json.loads(auditor_policy_document(READS, ACCOUNT))["Statement"]
    )


def test_the_policy_names_the_audited_account_where_iam_can_narrow() -> None:
    _, role_policy = planned(
        AuditorRoleArgs(trusted_principal_arns=AUDITORS, read_permissions=READS)
    )
    statements = document(role_policy)["Statement"]
    scoped = [each for each in statements if each["Resource"] != ANY_RESOURCE]
    assert {each["Sid"] for each in scoped} >= {"ReadKms", "ReadS3", "ReadSecurityhub"}
    kms = next(each for each in scoped if each["Sid"] == "ReadKms")
    assert kms["Resource"] == [f"arn:aws:kms:*:{ACCOUNT}:key/*"]


def test_parliament_knows_every_action_and_finds_only_the_documented_star() -> None:
    findings = lint(
        auditor_policy_document(READS, ACCOUNT, "aws", BASELINE_ACCOUNT_ROLES), "identity"
    )
    # AssumeRole returns credentials, by design: those of the named roles only.
    assert sorted(findings) == [
        "CREDENTIALS_EXPOSURE: ",
        f"RESOURCE_STAR: {sorted(UNSCOPED_BY_DESIGN)}",
    ]
    findings = lint(auditor_policy_document(READS, ACCOUNT, "aws"), "identity")
    assert findings == [f"RESOURCE_STAR: {sorted(UNSCOPED_BY_DESIGN)}"]


def test_other_partitions_get_their_arns() -> None:
    policy = json.loads(auditor_policy_document(READS, ACCOUNT, "aws-us-gov"))
    scoped = [
        r for each in policy["Statement"] if each["Resource"] != "*" for r in each["Resource"]
    ]
    assert scoped and all(r.startswith("arn:aws-us-gov:") for r in scoped)


def trust_statement(role: Any) -> dict[str, Any]:
    (statement,) = document(role, "assumeRolePolicy")["Statement"]
    return dict(statement)


def test_trusted_auditors_assume_the_role_with_mfa_by_default() -> None:
    role, _ = planned(AuditorRoleArgs(trusted_principal_arns=AUDITORS, read_permissions=READS))
    statement = trust_statement(role)
    assert statement["Principal"] == {"AWS": list(AUDITORS)}
    assert statement["Action"] == ["sts:AssumeRole"]
    assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert role.inputs["maxSessionDuration"] == 3600.0
    assert lint(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), "trust") == []


def test_an_external_id_is_required_when_given_and_mfa_can_be_waived_explicitly() -> None:
    args = AuditorRoleArgs(
        trusted_principal_arns=AUDITORS,
        read_permissions=READS,
        external_id="audit-2026",
        require_mfa=False,
    )
    role, _ = planned(args)
    assert trust_statement(role)["Condition"] == {"StringEquals": {"sts:ExternalId": "audit-2026"}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"trusted_principal_arns": ()}, "name at least one principal"),
        ({"trusted_principal_arns": ("arn:aws:s3:::bucket",)}, "not IAM account, role or user"),
        ({"trusted_principal_arns": ("*",)}, "not IAM account, role or user"),
        ({"external_id": "x"}, "external_id"),
        ({"assumable_role_arns": ("arn:aws:iam::111111111111:role/*",)}, "not IAM role ARNs"),
        ({"assumable_role_arns": ("arn:aws:iam::111111111111:user/u",)}, "not IAM role ARNs"),
        ({"max_session_duration_seconds": 60}, "between 3600 and 43200"),
        ({"read_permissions": {}}, "name what the auditor reads"),
        ({"read_permissions": {"*": ("s3:PutObject",)}}, "not read-only actions: s3:PutObject"),
        (
            {"read_permissions": {"*": ("iam:PassRole", "iam:GetRole")}},
            "not read-only actions: iam:PassRole",
        ),
        ({"read_permissions": {"arn:aws:s3:::*": ("s3:GetObject",)}}, "arn:{partition}:"),
        ({"read_permissions": {"arn:{partition}:s3:::{bucket}": ("s3:GetObject",)}}, "arn:{"),
    ],
)
def test_unsafe_or_malformed_arguments_are_refused(overrides: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {
        "trusted_principal_arns": AUDITORS,
        "read_permissions": READS,
        **overrides,
    }
    with pytest.raises(ValueError, match=message):
        AuditorRoleArgs(**arguments)
