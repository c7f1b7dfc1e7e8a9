"""iam_grammar (policies/) answers as parliament 1.6.4 did when the pack ran it: the same
problems, codes, details and order, over every policy document our stacks plan, over
hand-written broken documents, and over generated ones; where parliament raised instead,
iam_grammar says what is malformed. parliament is the oracle here and nowhere in the pack."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from parliament import analyze_policy_string

from baseline.preview.model import Plan
from baseline.project import load_stack_file
from tests.plan_memo import planned_project
from tests.policy_documents import is_secret, plain
from tests.policy_harness import POLICIES_DIR

# isort: split

from documents import DocumentKind, documents_of, parse
from iam_grammar import problems

REPO = Path(__file__).resolve().parent.parent
# The findings the pack counted as invalid when it ran parliament.
INVALID = frozenset(
    {
        "EXCEPTION",
        "MALFORMED_JSON",
        "MALFORMED",
        "DUPLICATE_SID",
        "INVALID_SID",
        "INVALID_VERSION",
        "INVALID_ARN",
        "UNKNOWN_ACTION",
        "UNKNOWN_PREFIX",
        "UNKNOWN_PRINCIPAL",
        "UNKNOWN_OPERATOR",
        "MISMATCHED_TYPE_OPERATION_TO_NULL",
    }
)
Found = list[tuple[str, str]]


def _as_parliament_reads(document: Mapping[str, Any], trust: bool) -> str:
    """parliament knows no trust policies (it demands a Resource) nor CanonicalUser
    principals: the pack used to adapt documents so before linting."""
    statements = document.get("Statement")
    if not isinstance(statements, list | dict):
        return json.dumps(document)
    adapted: list[Any] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            adapted.append(statement)
            continue
        copy = dict(statement)
        principal = copy.get("Principal")
        if isinstance(principal, dict):
            copy["Principal"] = {k: v for k, v in principal.items() if k != "CanonicalUser"}
        if trust and "Resource" not in copy and "NotResource" not in copy:
            copy["Resource"] = "*"
        adapted.append(copy)
    return json.dumps({**document, "Statement": adapted})


def parliament(document: Mapping[str, Any], trust: bool = False) -> Found | None:
    """parliament's invalid findings as (issue, detail), or None when it raised. Its
    EXCEPTION for an action not in service:action form is a MALFORMED action here."""
    try:
        policy = analyze_policy_string(
            _as_parliament_reads(document, trust), ignore_private_auditors=True
        )
        findings = policy.findings
    except Exception:  # noqa: BLE001 parliament raises on shapes it cannot walk
        return None
    return [
        ("MALFORMED" if f.issue == "EXCEPTION" else f.issue, _detail(f.detail))
        for f in findings
        if f.issue in INVALID
    ]


def _detail(detail: Any) -> str:
    return "" if detail in (None, "", "None") else str(detail)


def grammar(document: Mapping[str, Any], trust: bool = False) -> Found:
    return [(p.issue, p.detail) for p in problems(document, resource_required=not trust)]


def planned_documents(plan: Plan) -> list[tuple[str, Mapping[str, Any], bool]]:
    found = []
    for resource in plan.resources:
        inputs = {
            key: plain(value) if is_secret(value) and "value" in value else value
            for key, value in resource.inputs.items()
        }
        for each in documents_of(resource.type, inputs):
            document = parse(each.text)
            if document is not None:
                trust = each.kind is DocumentKind.TRUST
                found.append((f"{resource.name} {each.where}", document, trust))
    return found


@pytest.fixture(scope="module")
def stack_documents() -> list[tuple[str, Mapping[str, Any], bool]]:
    found = []
    for project, stack in ((REPO, "prod"), (REPO, "dev"), (REPO / "examples" / "app-team", "prod")):
        plan = planned_project(load_stack_file(project, stack), preview=True)
        found.extend(planned_documents(plan))
    return found


def test_every_planned_document_gets_parliaments_answer(
    stack_documents: list[tuple[str, Mapping[str, Any], bool]],
) -> None:
    assert len(stack_documents) >= 60
    for where, document, trust in stack_documents:
        expected = parliament(document, trust)
        assert expected is not None, where
        assert grammar(document, trust) == expected, where


def doc(*statements: Any, **policy: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", **policy, "Statement": list(statements)}


def allow(**statement: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::bucket/*",
        **statement,
    }


BROKEN: dict[str, tuple[dict[str, Any], str]] = {
    "unknown policy element": ({"Version": "2012-10-17", "Statement": [], "Foo": 1}, "MALFORMED"),
    "no Statement": ({"Version": "2012-10-17"}, "MALFORMED"),
    "old grammar version": (doc(allow(), Version="2012-10-18"), "INVALID_VERSION"),
    "duplicate Sid": (doc(allow(Sid="A"), allow(Sid="A"), allow(Sid="A")), "DUPLICATE_SID"),
    "Sid with a dash": (doc(allow(Sid="read-objects")), "INVALID_SID"),
    "unknown statement element": (doc(allow(Actions="s3:GetObject")), "MALFORMED"),
    "Principal and NotPrincipal": (doc(allow(Principal="*", NotPrincipal="*")), "MALFORMED"),
    "no Effect": (doc({"Action": "s3:GetObject", "Resource": "*"}), "MALFORMED"),
    "Effect Permit": (doc(allow(Effect="Permit")), "MALFORMED"),
    "Action and NotAction": (doc(allow(NotAction="s3:PutObject")), "MALFORMED"),
    "no Action": (doc({"Effect": "Allow", "Resource": "*"}), "MALFORMED"),
    "no Resource": (doc({"Effect": "Allow", "Action": "s3:GetObject"}), "MALFORMED"),
    "two Condition blocks": (doc(allow(Condition=[{}, {}])), "MALFORMED"),
    "action in three parts": (doc(allow(Action="s3:Get:Object")), "MALFORMED"),
    "unknown action": (doc(allow(Action=["s3:GetObjects", "s3:Get*"])), "UNKNOWN_ACTION"),
    "unknown wildcard": (doc(allow(Action="s3:Fetch*")), "UNKNOWN_ACTION"),
    "unknown prefix": (doc(allow(Action="s4:GetObject")), "UNKNOWN_PREFIX"),
    "unknown under any prefix": (doc(allow(Action="*:FetchEverything")), "UNKNOWN_ACTION"),
    "short ARN": (doc(allow(Resource="arn:aws:s3:bucket")), "INVALID_ARN"),
    "not an ARN": (doc(allow(Resource="bucket:a:b:c:d:e")), "INVALID_ARN"),
    "bad partition": (doc(allow(Resource="arn:amazon:s3:::bucket")), "INVALID_ARN"),
    "bad region": (doc(allow(Resource="arn:aws:sqs:useast1:123456789012:q")), "INVALID_ARN"),
    "bad account": (doc(allow(Resource="arn:aws:sqs:us-east-1:1234:q")), "INVALID_ARN"),
    "principal name": (doc(allow(Principal="everyone")), "UNKNOWN_PRINCIPAL"),
    "AWS principal": (doc(allow(Principal={"AWS": "root"})), "UNKNOWN_PRINCIPAL"),
    "principal kind": (doc(allow(Principal={"Group": "admins"})), "UNKNOWN_PRINCIPAL"),
    "operator": (doc(allow(Condition={"StringEqual": {"aws:x": "y"}})), "UNKNOWN_OPERATOR"),
    "Bool yes": (
        doc(allow(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
        "MISMATCHED_TYPE_OPERATION_TO_NULL",
    ),
    "Null 1": (
        doc(allow(Condition={"Null": {"aws:TokenIssueTime": "1"}})),
        "MISMATCHED_TYPE_OPERATION_TO_NULL",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_each_broken_document_gets_parliaments_answer(name: str) -> None:
    document, issue = BROKEN[name]
    found = grammar(document)
    assert issue in [each for each, _ in found]
    assert found == parliament(document)


WELL_FORMED = {
    "ForAnyValue and IfExists operators": doc(
        allow(Condition={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*"]}})
    ),
    "wildcards ? and [...]": doc(allow(Action=["s3:GetObjec?", "s3:GetObjec[t]", "S3:getobject"])),
    "every service": doc(allow(Action="*:GetObject", Resource="*")),
    "a statement as an object": {"Version": "2012-10-17", "Statement": allow()},
    "one Condition block in a list": doc(
        allow(Condition=[{"Bool": {"aws:SecureTransport": True}}])
    ),
    "partitions and regions": doc(allow(Resource=["arn:aws-cn:s3:::b/*", "arn:*:sqs:*:*:q"])),
    "principals": doc(
        allow(
            Principal={
                "AWS": ["*", "123456789012", "arn:aws:iam::123456789012:role/r"],
                "Service": "lambda.amazonaws.com",
                "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
            }
        )
    ),
}


@pytest.mark.parametrize("name", WELL_FORMED)
def test_each_well_formed_document_passes_both(name: str) -> None:
    assert grammar(WELL_FORMED[name]) == parliament(WELL_FORMED[name]) == []


# Shapes parliament could not walk: the pack used to say it "could not read the document".
UNREADABLE: dict[str, tuple[dict[str, Any], str]] = {
    "Statement null": ({"Version": "2012-10-17", "Statement": None}, "MALFORMED"),
    "a statement that is a string": ({"Statement": ["allow all"]}, "MALFORMED"),
    "statements in a list in a list": ({"Statement": [[allow()]]}, "MALFORMED"),
    "Sid a number": (doc(allow(Sid=7)), "MALFORMED"),
    "Effect a list": (doc(allow(Effect=["Allow"])), "MALFORMED"),
    "actions in a list in a list": (doc(allow(Action=[["s3:GetObject"]])), "MALFORMED"),
    "resources in a list in a list": (doc(allow(Resource=[["arn:aws:s3:::b/*"]])), "INVALID_ARN"),
    "Condition a string": (doc(allow(Condition="aws:SecureTransport")), "MALFORMED"),
    "operator a list": (doc(allow(Condition={"StringEquals": ["a"]})), "MALFORMED"),
    "global key given an object": (
        doc(allow(Condition={"StringEquals": {"aws:PrincipalOrgID": {"a": 1}}})),
        "MALFORMED",
    ),
    "AWS principal a number": (doc(allow(Principal={"AWS": 123456789012})), "MALFORMED"),
    "Federated principal a number": (doc(allow(Principal={"Federated": 1})), "MALFORMED"),
}


@pytest.mark.parametrize("name", UNREADABLE)
def test_shapes_parliament_could_not_read_are_invalid(name: str) -> None:
    document, issue = UNREADABLE[name]
    assert parliament(document) is None
    assert issue in [found for found, _ in grammar(document)]


def test_condition_values_that_are_objects_are_malformed() -> None:
    """parliament let an object through for a key it did not know; IAM takes none."""
    document = doc(allow(Condition={"StringEquals": {"s3:prefix": {"a": 1}}}))
    assert parliament(document) == []
    assert grammar(document) == [
        ("MALFORMED", "StringEquals values must be strings, numbers or booleans")
    ]


def test_values_of_the_wrong_type_are_invalid_as_in_parliament() -> None:
    """Where parliament answered for a wrong type, both say invalid (the codes may differ)."""
    cases = [
        doc(allow(Action=5)),
        doc(allow(Action=None)),
        doc(allow(Action={"s3": "GetObject"})),
        doc(allow(Resource=5)),
        doc(allow(Effect=None)),
        doc(allow(Principal=None)),
        doc(allow(Condition={"Bool": {"aws:SecureTransport": 1}})),
        doc(allow(), Version=1),
    ]
    for document in cases:
        assert parliament(document), document
        assert grammar(document), document


def test_conditions_parliament_raised_on_are_valid() -> None:
    """parliament raised on numbers for numeric keys and on key types it did not know."""
    numeric = doc(allow(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}))
    listed_bool = doc(allow(Condition={"Bool": {"aws:SecureTransport": ["true", "false"]}}))
    for document in (numeric, listed_bool):
        assert parliament(document) is None
        assert grammar(document) == []


ACTIONS = st.sampled_from(
    [
        "s3:GetObject",
        "s3:Get*",
        "s3:*",
        "S3:getobject",
        "kms:Decrypt",
        "kms:Decrypts",
        "iam:PassRole",
        "sts:AssumeRole",
        "*",
        "*:*",
        "*:Describe*",
        "ec2:Describe?nstances",
        "sns:Publish",
        "s4:GetObject",
        "s3:",
        "guardduty:Get*",
        "securityhub:BatchImportFindings",
        "macie2:Fetch*",
    ]
)
RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::bucket/*",
        "arn:aws:kms:us-east-1:123456789012:key/abc",
        "arn:aws:sns:eu-west-1:123456789012:topic",
        "arn:aws:sqs:us-east-1:12345:q",
        "arn:aws:sqs:useast1:123456789012:q",
        "arn:aws:s3",
        "urn:aws:s3:::b:c",
        "arn:aws-us-gov:iam::123456789012:role/*",
        "arn:*:logs:*:*:log-group:*",
    ]
)
PRINCIPALS = st.sampled_from(
    [
        "*",
        "someone",
        {"AWS": "*"},
        {"AWS": ["123456789012", "arn:aws:iam::123456789012:root"]},
        {"AWS": "alice"},
        {"Service": "cloudtrail.amazonaws.com"},
        {"Federated": "cognito-identity.amazonaws.com"},
        {"Users": "bob"},
    ]
)
CONDITIONS = st.sampled_from(
    [
        {"StringEquals": {"aws:SourceAccount": "123456789012"}},
        {"Bool": {"aws:SecureTransport": "false"}},
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": False}},
        {"Null": {"aws:PrincipalOrgID": "maybe"}},
        {"StringEqualsIfExist": {"aws:x": "y"}},
        {"ForAllValues:StringLike": {"aws:TagKeys": ["a*", "b*"]}},
        {
            "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"},
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
    ]
)
STATEMENTS = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "Permit"])},
    optional={
        "Sid": st.sampled_from(["Read", "Read", "read-all", "Write2", ""]),
        "Action": ACTIONS | st.lists(ACTIONS, max_size=3),
        "NotAction": ACTIONS,
        "Resource": RESOURCES | st.lists(RESOURCES, max_size=3),
        "NotResource": RESOURCES,
        "Principal": PRINCIPALS,
        "Condition": CONDITIONS,
    },
)
DOCUMENTS = st.fixed_dictionaries(
    {"Statement": STATEMENTS | st.lists(STATEMENTS, max_size=4)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2012-10-18"])},
)


@given(document=DOCUMENTS, trust=st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_documents_get_parliaments_answer(document: dict[str, Any], trust: bool) -> None:
    expected = parliament(document, trust)
    assume(expected is not None)
    assert grammar(document, trust) == expected


def test_the_pack_lints_with_parliament_unimportable() -> None:
    """The pack runs from policies/requirements.txt alone: parliament is not among them."""
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(POLICIES_DIR)!r})\n"
        "sys.modules['parliament'] = sys.modules['pkg_resources'] = None\n"
        "import catalog, iam\n"
        "from documents import DocumentKind\n"
        'text = \'{"Statement": {"Effect": "Allow", "Action": "s3:Fetch", "Resource": "*"}}\'\n'
        "print(iam.lint(text, DocumentKind.IDENTITY, frozenset()))\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert ran.stdout.strip() == "('UNKNOWN_ACTION: Unknown action s3:Fetch',)"
