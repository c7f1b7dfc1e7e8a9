"""s3 checks: account Block Public Access and the tagged baseline buckets, in moto."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from baseline.audit.model import CheckResult, Status
from baseline.audit.runner import run_service
from baseline.capabilities.log_archive import audit as s3
from tests.audit_harness import (
    HOME,
    LOG_ARCHIVE_BUCKET,
    ORGANIZATION,
    QUARANTINE_BUCKET,
    client,
    context_of,
    fake_session,
    seed_account_public_access_block,
    seed_bucket,
    seed_key,
    service_error,
    tls_only_policy,
)

ARCHIVE_ARN = f"arn:aws:s3:::{LOG_ARCHIVE_BUCKET}"


@pytest.fixture
def buckets(url: str) -> str:
    key = seed_key(url)
    seed_bucket(url, LOG_ARCHIVE_BUCKET, "log-archive", key)
    seed_bucket(url, QUARANTINE_BUCKET, "quarantine", key)
    return url


def audit(url: str) -> list[CheckResult]:
    return run_service(s3.SERVICE, context_of(fake_session(url)), HOME)


def outcome(results: list[CheckResult], check_id: str, resource: str) -> tuple[Status, str]:
    found = [r for r in results if r.check_id == check_id and r.resource == resource]
    assert len(found) == 1, found
    return found[0].status, found[0].reason


def test_a_blocked_account_with_compliant_buckets_passes(buckets: str) -> None:
    seed_account_public_access_block(buckets)
    results = audit(buckets)
    assert {r.status for r in results} == {Status.PASS}
    assert {r.resource for r in results if r.check_id == "s3.bucket-encryption"} == {
        ARCHIVE_ARN,
        f"arn:aws:s3:::{QUARANTINE_BUCKET}",
    }


def test_account_block_public_access_needs_all_four_settings(url: str) -> None:
    results = audit(url)
    assert outcome(results, "s3.account-public-access-block", "account 123456789012") == (
        Status.FAIL,
        "off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets",
    )


def test_sse_s3_versioning_suspended_and_no_tls_deny_fail(buckets: str) -> None:
    s3_client = client(buckets, "s3")
    s3_client.put_bucket_encryption(
        Bucket=LOG_ARCHIVE_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3_client.put_bucket_versioning(
        Bucket=LOG_ARCHIVE_BUCKET, VersioningConfiguration={"Status": "Suspended"}
    )
    s3_client.delete_bucket_policy(Bucket=LOG_ARCHIVE_BUCKET)
    results = audit(buckets)
    assert outcome(results, "s3.bucket-encryption", ARCHIVE_ARN) == (
        Status.FAIL,
        "default encryption AES256, not SSE-KMS",
    )
    assert outcome(results, "s3.bucket-versioning", ARCHIVE_ARN) == (
        Status.FAIL,
        "versioning Suspended",
    )
    assert outcome(results, "s3.bucket-tls-only", ARCHIVE_ARN) == (Status.FAIL, "no bucket policy")


def test_missing_buckets_fail_naming_the_tag_looked_for(url: str) -> None:
    client(url, "s3").create_bucket(Bucket="unrelated")
    results = [r for r in audit(url) if r.check_id.startswith("s3.bucket-")]
    assert {(r.resource, r.status, r.reason) for r in results} == {
        (
            "security-baseline:role=log-archive",
            Status.FAIL,
            "no bucket tagged security-baseline:role=log-archive",
        ),
        (
            "security-baseline:role=quarantine",
            Status.FAIL,
            "no bucket tagged security-baseline:role=quarantine",
        ),
    }


def test_organization_buckets_of_other_accounts_are_skipped(url: str) -> None:
    context = context_of(fake_session(url), ORGANIZATION, "prod")
    results = run_service(s3.SERVICE, context, HOME)
    archive = {r.status for r in results if r.resource == "security-baseline:role=log-archive"}
    quarantine = {r.status for r in results if r.resource == "security-baseline:role=quarantine"}
    assert archive == {Status.SKIP}
    assert quarantine == {Status.FAIL}
    assert any("log archive account 333333333333" in r.reason for r in results)


def policy(statement: dict[str, Any]) -> str:
    return json.dumps({"Statement": [statement]})


DENY = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "s3:*",
    "Resource": f"{ARCHIVE_ARN}/*",
    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize(
    ("changes", "tls_only"),
    [
        ({}, True),
        ({"Resource": "arn:aws:s3:::*"}, True),
        ({"Resource": ARCHIVE_ARN}, False),
        ({"Action": "s3:GetObject"}, False),
        ({"Effect": "Allow"}, False),
        ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
    ],
)
def test_tls_only_needs_a_deny_of_everything_on_the_objects(
    changes: dict[str, Any], tls_only: bool
) -> None:
    assert s3.denies_insecure_transport(policy({**DENY, **changes}), ARCHIVE_ARN) is tls_only


def test_the_harness_policy_is_tls_only() -> None:
    assert s3.denies_insecure_transport(tls_only_policy(LOG_ARCHIVE_BUCKET), ARCHIVE_ARN)


def test_denied_account_block_public_access_is_an_error_for_that_check_only() -> None:
    session = fake_session()
    with (
        Stubber(session.client("s3control", HOME)) as control,
        Stubber(session.client("s3", HOME)) as buckets,
    ):
        control.add_client_error(**service_error("get_public_access_block", "AccessDenied", "no"))
        buckets.add_response("list_buckets", {"Buckets": []})
        results = audit_with(session)
    account = [r for r in results if r.check_id == "s3.account-public-access-block"]
    assert [(r.status, r.reason) for r in account] == [
        (Status.ERROR, "GetPublicAccessBlock: access denied (AccessDenied): no")
    ]
    assert {r.status for r in results if r.check_id.startswith("s3.bucket-")} == {Status.FAIL}


def test_unreadable_tags_make_a_missing_bucket_an_error_not_a_failure() -> None:
    session = fake_session()
    with (
        Stubber(session.client("s3control", HOME)) as control,
        Stubber(session.client("s3", HOME)) as buckets,
    ):
        control.add_response(
            "get_public_access_block",
            {"PublicAccessBlockConfiguration": dict.fromkeys(s3.PUBLIC_ACCESS_BLOCK_FLAGS, True)},
        )
        buckets.add_response("list_buckets", {"Buckets": [{"Name": "locked"}]})
        buckets.add_client_error(**service_error("get_bucket_tagging", "AccessDenied", "no", 403))
        results = audit_with(session)
    bucket_results = {(r.status, r.reason) for r in results if r.check_id.startswith("s3.bucket-")}
    assert bucket_results == {
        (Status.ERROR, "not among the readable buckets; tags unreadable on: locked")
    }


def audit_with(session: Any) -> list[CheckResult]:
    return run_service(s3.SERVICE, context_of(session), HOME)
