"""iam-policy-valid: every policy document lints clean with parliament."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from tests.policy_harness import validate_resource

# isort: split

import iam
from documents import DOCUMENT_SOURCES

POLICY = iam.POLICIES[0]
ROLE = "aws:iam/role:Role"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACCOUNT = "123456789012"
BUCKET_ARN = "arn:aws:s3:::logs-1a2b3c4"


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


LAMBDA_TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole",
}
WRITE_LOGS = {
    "Effect": "Allow",
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/quarantine:*",
}


def check(resource_type: str, props: dict, config: dict | None = None) -> list[str]:
    return validate_resource(POLICY, resource_type, props, config)


def test_role_with_valid_trust_and_inline_policies_passes():
    props = {
        "assumeRolePolicy": document(LAMBDA_TRUST),
        "inlinePolicies": [{"name": "logs", "policy": document(WRITE_LOGS)}],
    }
    assert check(ROLE, props) == []


def test_documents_given_as_objects_are_linted_too():
    props = {"assumeRolePolicy": json.loads(document(LAMBDA_TRUST))}
    assert check(ROLE, props) == []
    props = {
        "assumeRolePolicy": json.loads(document({**LAMBDA_TRUST, "Action": "sts:AssumeRoles"}))
    }
    assert len(check(ROLE, props)) == 1


def test_unknown_action_in_an_inline_policy_fails():
    bad = {**WRITE_LOGS, "Action": "logs:PutLogEvent"}
    props = {
        "assumeRolePolicy": document(LAMBDA_TRUST),
        "inlinePolicies": [{"name": "l", "policy": document(bad)}],
    }
    assert check(ROLE, props) == [
        "inline_policies[0].policy (identity policy): "
        "UNKNOWN_ACTION: Unknown action logs:PutLogEvent."
    ]


def test_unknown_service_prefix_fails():
    [message] = check(
        "aws:iam/policy:Policy", {"policy": document({**WRITE_LOGS, "Action": "log:PutLogEvents"})}
    )
    assert message.startswith("policy (identity policy): UNKNOWN_PREFIX")


def test_action_newer_than_parliament_passes_once_configured():
    props = {"policy": document({**WRITE_LOGS, "Action": "logs:PutBrandNewThing"})}
    assert len(check("aws:iam/rolePolicy:RolePolicy", props)) == 1
    config = {"additionalActions": ["logs:PutBrandNewThing"]}
    assert check("aws:iam/rolePolicy:RolePolicy", props, config) == []


@pytest.mark.parametrize(
    ("resource_type", "props", "expected"),
    [
        (
            ROLE,
            {"assumeRolePolicy": document({**LAMBDA_TRUST, "Resource": "*"})},
            "assume_role_policy (trust policy): "
            "statement 1 has a Resource, which trust policies cannot have.",
        ),
        (
            ROLE,
            {
                "assumeRolePolicy": document(
                    {k: v for k, v in LAMBDA_TRUST.items() if k != "Principal"}
                )
            },
            "assume_role_policy (trust policy): "
            "statement 1 has no Principal, which trust policies need.",
        ),
        (
            "aws:iam/userPolicy:UserPolicy",
            {"policy": document({**WRITE_LOGS, "Sid": "Logs", "Principal": {"AWS": ACCOUNT}})},
            "policy (identity policy): "
            "statement 1 (Sid 'Logs') has a Principal, which identity policies cannot have.",
        ),
        (
            BUCKET_POLICY,
            {
                "policy": document(
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}
                )
            },
            "policy (resource policy): statement 1 has no Principal, which resource policies need.",
        ),
    ],
)
def test_statement_shape_wrong_for_the_document_kind_fails(resource_type, props, expected):
    assert check(resource_type, props) == [expected]


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("{not json", "MALFORMED_JSON"),
        ('["Statement"]', "MALFORMED_JSON"),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Action": "s3:GetObject", "Resource": "*"}],
                }
            ),
            "MALFORMED",
        ),
        (json.dumps({"Version": "2012-10-17"}), "MALFORMED"),
        (document({**WRITE_LOGS, "Sid": "not valid!"}), "INVALID_SID"),
        (document({**WRITE_LOGS, "Resource": "logs:thing"}), "INVALID_ARN"),
        (json.dumps({"Version": "2019-01-01", "Statement": [WRITE_LOGS]}), "INVALID_VERSION"),
        (
            document({**WRITE_LOGS, "Condition": {"StringEqualz": {"aws:SourceAccount": ACCOUNT}}}),
            "UNKNOWN_OPERATOR",
        ),
    ],
)
def test_malformed_documents_fail(text, issue):
    [message] = check("aws:iam/groupPolicy:GroupPolicy", {"policy": text})
    assert message.startswith(f"policy (identity policy): {issue}")


@pytest.mark.parametrize(
    "statement",
    [
        {  # parliament's data predates aws:SourceOrgID: style, not invalid
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET_ARN}/AWSLogs/*",
            "Condition": {"StringEquals": {"aws:SourceOrgID": "o-abc123def4"}},
        },
        {  # parliament rejects decimals for numeric conditions
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
        {  # CloudFront origin access identity
            "Effect": "Allow",
            "Principal": {
                "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
            },
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET_ARN}/*",
        },
    ],
)
def test_valid_resource_policies_parliament_would_misjudge_pass(statement):
    assert check(BUCKET_POLICY, {"policy": document(statement)}) == []


def test_oidc_federated_trust_passes():
    trust = {
        "Effect": "Allow",
        "Principal": {
            "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
        },
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
        },
    }
    assert check(ROLE, {"assumeRolePolicy": document(trust)}) == []


@pytest.mark.parametrize("resource_type", sorted(DOCUMENT_SOURCES))
def test_every_document_carrying_type_is_linted(resource_type):
    bad = document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "s3:GetObjekt",
            "Resource": "*",
        }
    )
    source = DOCUMENT_SOURCES[resource_type][0]
    assert any("UNKNOWN_ACTION" in m for m in check(resource_type, {source.prop: bad}))


def test_unknown_document_during_preview_raises_for_the_sdk_to_report():
    with pytest.raises(UnknownValueError):
        check(BUCKET_POLICY, {"policy": UNKNOWN_STRING_VALUE})
