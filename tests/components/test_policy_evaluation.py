"""The offline policy evaluator: IAM's evaluation logic on the elements this project uses."""

from __future__ import annotations

from typing import Any

import pytest

from components.policy_evaluation import Request, evaluate

ROLE = "arn:aws:iam::222222222222:role/quarantine-remediation"
BUCKET = "arn:aws:s3:::acme-data-lake-raw"
OBJECTS = f"{BUCKET}/*"
TLS = {"aws:SecureTransport": "true", "aws:PrincipalArn": ROLE}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(**extra: Any) -> dict[str, Any]:
    return {
        "Sid": "Grant",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": OBJECTS,
    } | extra


def outcome(document: dict[str, Any], request: Request) -> str:
    return evaluate(document, request).outcome


def test_an_identity_policy_allows_by_action_and_resource_with_wildcards() -> None:
    document = policy(allow(Action=["s3:Get*"], Resource="arn:aws:s3:::acme-*/*"))
    assert outcome(document, Request("s3:GetObjectVersion", OBJECTS)) == "allowed"
    assert outcome(document, Request("S3:getobject", OBJECTS)) == "allowed"  # actions ignore case
    assert outcome(document, Request("s3:PutObject", OBJECTS)) == "not-allowed"
    assert outcome(document, Request("s3:GetObject", "arn:aws:s3:::other/*")) == "not-allowed"


def test_an_explicit_deny_wins_and_is_named() -> None:
    deny = {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": OBJECTS}
    document = policy(allow(Action="s3:*"), deny)
    decision = evaluate(document, Request("s3:DeleteObject", OBJECTS))
    assert (decision.outcome, decision.reason) == ("denied", "denied by NoDelete")
    assert outcome(document, Request("s3:GetObject", OBJECTS)) == "allowed"


def test_not_action_and_not_resource_invert_the_match() -> None:
    deny = {"Effect": "Deny", "NotAction": ["s3:GetObject"], "NotResource": [OBJECTS]}
    document = policy(allow(Action="s3:*", Resource="*"), deny)
    assert outcome(document, Request("s3:PutObject", "arn:aws:s3:::other/*")) == "denied"
    assert outcome(document, Request("s3:PutObject", OBJECTS)) == "allowed"
    assert outcome(document, Request("s3:GetObject", "arn:aws:s3:::other/*")) == "allowed"


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ({"AWS": ROLE}, "allowed"),
        ({"AWS": ["arn:aws:iam::222222222222:root"]}, "allowed"),  # the role's account
        ({"AWS": "222222222222"}, "allowed"),
        ("*", "allowed"),
        ({"AWS": "arn:aws:iam::222222222222:role/other"}, "not-allowed"),
        ({"AWS": "arn:aws:iam::333333333333:root"}, "not-allowed"),
        ({"Service": "s3.amazonaws.com"}, "not-allowed"),
    ],
)
def test_a_resource_policy_must_name_the_role_or_its_account(principal: Any, expected: str) -> None:
    document = policy(allow(Principal=principal))
    assert outcome(document, Request("s3:GetObject", OBJECTS, ROLE, TLS)) == expected


def test_not_principal_applies_to_everyone_else() -> None:
    deny = {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*", "Resource": "*"}
    document = policy(allow(Principal="*"), deny)
    assert outcome(document, Request("s3:GetObject", OBJECTS, ROLE, TLS)) == "allowed"
    other = "arn:aws:iam::222222222222:role/other"
    assert outcome(document, Request("s3:GetObject", OBJECTS, other, {})) == "denied"


def test_conditions_are_checked_against_the_stated_request_context() -> None:
    tls_only = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET, OBJECTS],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    grant = allow(
        Principal={"AWS": "222222222222"}, Condition={"ArnEquals": {"aws:PrincipalArn": ROLE}}
    )
    document = policy(tls_only, grant)
    assert outcome(document, Request("s3:GetObject", OBJECTS, ROLE, TLS)) == "allowed"
    plain_http = {**TLS, "aws:SecureTransport": "false"}
    assert outcome(document, Request("s3:GetObject", OBJECTS, ROLE, plain_http)) == "denied"
    other = {**TLS, "aws:PrincipalArn": "arn:aws:iam::222222222222:role/other"}
    assert outcome(document, Request("s3:GetObject", OBJECTS, ROLE, other)) == "not-allowed"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, "allowed"),
        ({"StringEquals": {"kms:ViaService": ["sqs.us-east-1.amazonaws.com"]}}, "not-allowed"),
        ({"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}, "allowed"),
        ({"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}, "not-allowed"),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/other*"}}, "allowed"),
        ({"Null": {"kms:ViaService": "false"}}, "allowed"),
        ({"Null": {"kms:ViaService": "true"}}, "not-allowed"),
        ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, "allowed"),
        ({"StringEquals": {"KMS:viaservice": "s3.us-east-1.amazonaws.com"}}, "allowed"),
    ],
)
def test_condition_operators(condition: dict[str, Any], expected: str) -> None:
    context = {**TLS, "kms:ViaService": "s3.us-east-1.amazonaws.com"}
    document = policy(allow(Action="kms:Decrypt", Resource="*", Condition=condition))
    assert outcome(document, Request("kms:Decrypt", "*", None, context)) == expected


def test_a_key_the_request_does_not_state_leaves_the_statement_undecided() -> None:
    org_only = {
        "Sid": "OrganizationOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
    }
    decision = evaluate(
        policy(allow(Principal="*"), org_only), Request("s3:GetObject", OBJECTS, ROLE, TLS)
    )
    assert decision.outcome == "undecided"
    assert "OrganizationOnly" in decision.reason
    unknown_operator = allow(Condition={"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}})
    assert (
        outcome(
            policy(unknown_operator),
            Request("s3:GetObject", OBJECTS, None, {"aws:CurrentTime": "x"}),
        )
        == "undecided"
    )


def test_a_json_document_and_a_single_statement_object_are_read() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}'
    )
    assert evaluate(text, Request("s3:GetObject", OBJECTS)).allowed
