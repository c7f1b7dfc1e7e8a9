"""The prod plan's Macie remediation grants: the data lake of another account is covered, the
grants are the calls' and no more, and every key is used through the service that needs it."""

from __future__ import annotations

from typing import Any

import pytest

from baseline.preview.model import Plan
from components.macie_remediation_grants import (
    SOURCE_BUCKET_ACTIONS,
    missing_bucket_grants,
    missing_key_grants,
    source_object_actions,
)
from components.policy_evaluation import Request, evaluate
from tests.capabilities.macie import remediation_calls
from tests.components_harness import of_type, only
from tests.policy_documents import actions, as_list, document, lint, plain
from tests.test_stack import planned

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
HOME = "us-east-1"
# The prod Macie job's buckets in the data-lake account (Pulumi.prod.yaml).
DATA_LAKE = ("acme-data-lake-raw", "acme-data-lake-curated")
SOURCE_KEY = "arn:aws:kms:us-east-1:444444444444:key/5f3c2b1a-8d4e-4f6a-9b7c-0123456789ab"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return planned("prod", False)


def _policy(plan: Plan, name: str) -> dict[str, Any]:
    return document(only(plan, ROLE_POLICY, name))


def _remediator(plan: Plan) -> dict[str, Any]:
    return _policy(plan, "macie-remediation-remediator")


def _role_arn(plan: Plan) -> str:
    role: str = only(plan, "aws:iam/role:Role", "quarantine-remediation").outputs["arn"]
    return role


def _via_s3(region: str = HOME) -> dict[str, str]:
    return {"kms:ViaService": f"s3.{region}.amazonaws.com"}


def test_the_role_may_quarantine_in_every_data_lake_bucket_the_job_scans(prod: Plan) -> None:
    policy = _remediator(prod)
    for bucket in DATA_LAKE:
        arn = f"arn:aws:s3:::{bucket}"
        for action in source_object_actions(versioned=True):
            assert evaluate(policy, Request(action, f"{arn}/*")).allowed, (bucket, action)
        for action in SOURCE_BUCKET_ACTIONS:
            assert evaluate(policy, Request(action, arn)).allowed, (bucket, action)
    assert not evaluate(policy, Request("s3:GetObject", "arn:aws:s3:::acme-payroll/*")).allowed


def test_the_role_decrypts_the_data_lake_key_through_s3_only(prod: Plan) -> None:
    policy = _remediator(prod)
    assert evaluate(policy, Request("kms:Decrypt", SOURCE_KEY, None, _via_s3())).allowed
    direct = {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}
    assert not evaluate(policy, Request("kms:Decrypt", SOURCE_KEY, None, direct)).allowed
    assert not evaluate(policy, Request("kms:Encrypt", SOURCE_KEY, None, _via_s3())).allowed


def test_the_role_has_no_grant_that_no_call_uses(prod: Plan) -> None:
    quarantine = f"arn:aws:s3:::{prod.stack_outputs['quarantine_bucket']}"
    granted: dict[str, set[str]] = {}
    for each in _remediator(prod)["Statement"]:
        if each["Effect"] == "Allow":
            for resource in as_list(each["Resource"]):
                granted.setdefault(resource, set()).update(actions(each))
    # Tags are never read and versions never listed in sources; quarantine is never listed
    # with s3:ListBucket (its bucket policy denies that to the role anyway).
    assert granted["arn:aws:s3:::acme-data-lake-*/*"] == set(source_object_actions(True))
    assert granted["arn:aws:s3:::acme-data-lake-*"] == {"s3:ListBucket"}
    assert granted[quarantine] == {"s3:ListBucketVersions"}
    assert "s3:ListBucket" not in granted[f"{quarantine}/*"]
    denied = evaluate(
        document(only(prod, "aws:s3/bucketPolicy:BucketPolicy", "quarantine-bucket-policy")),
        Request(
            "s3:ListBucket",
            quarantine,
            _role_arn(prod),
            {"aws:PrincipalArn": _role_arn(prod), "aws:SecureTransport": "true"},
        ),
    )
    assert denied.outcome == "denied"


def test_the_data_lake_grants_documented_for_data_owners_leave_nothing_missing(
    prod: Plan,
) -> None:
    role = prod.stack_outputs["macie_remediation_role_arn"]
    assert role == _role_arn(prod)
    for bucket in DATA_LAKE:
        bucket_policy, key_policy = remediation_calls.data_owner_policies(role, bucket, SOURCE_KEY)
        assert missing_bucket_grants(bucket_policy, role, bucket) == {}
        assert missing_key_grants(key_policy, role, SOURCE_KEY) == {}


def test_the_quarantine_bucket_aborts_abandoned_multipart_uploads(prod: Plan) -> None:
    (lifecycle,) = [
        r
        for r in of_type(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        if r.name == "quarantine-bucket-lifecycle"
    ]
    (rule,) = lifecycle.inputs["rules"]
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1.0}
    assert "expiration" not in rule and "noncurrentVersionExpiration" not in rule


def test_the_findings_import_role_lists_its_reports_bucket(prod: Plan) -> None:
    policy = _policy(prod, "scanner-findings-import")
    bucket = f"arn:aws:s3:::{prod.stack_outputs['scanner_reports_bucket']}"
    assert evaluate(policy, Request("s3:ListBucket", bucket)).allowed
    assert not evaluate(policy, Request("s3:ListBucket", "arn:aws:s3:::other")).allowed


@pytest.mark.parametrize(
    "name",
    [
        "macie-remediation-remediator",
        "macie-remediation-finding-handler",
        "macie-remediation-approval-handler",
        "scanner-findings-import",
        "alerts-format",
    ],
)
def test_every_key_use_of_the_functions_goes_through_a_service(prod: Plan, name: str) -> None:
    policy = _policy(prod, name)
    for each in policy["Statement"]:
        if any(action.startswith("kms:") for action in actions(each)):
            via = each["Condition"]["StringEquals"]["kms:ViaService"]
            assert all(v.endswith(".us-east-1.amazonaws.com") for v in as_list(via)), each["Sid"]
    assert lint(plain(only(prod, ROLE_POLICY, name).inputs["policy"]), "identity") == []


def test_the_quarantine_key_is_used_through_s3_only(prod: Plan) -> None:
    key = only(prod, "aws:kms/key:Key", "quarantine-key-key")
    policy = document(key)
    administration = {"KeyAdministration", "DeployerKeyAdministration"}
    usage = [s for s in policy["Statement"] if s["Sid"] not in administration]
    assert {s["Sid"] for s in usage} == {
        "RemediationWritesThroughS3",
        "SecurityAdminReadsThroughS3",
    }
    assert all(s["Condition"] == {"StringEquals": _via_s3()} for s in usage)
    role, arn = _role_arn(prod), key.outputs["arn"]
    context = {"aws:PrincipalArn": role, **_via_s3()}
    assert evaluate(policy, Request("kms:GenerateDataKey", arn, role, context)).allowed
    direct = {"aws:PrincipalArn": role, "kms:ViaService": "sqs.us-east-1.amazonaws.com"}
    assert not evaluate(policy, Request("kms:Decrypt", arn, role, direct)).allowed
    assert lint(plain(key.inputs["policy"]), "key") == []
