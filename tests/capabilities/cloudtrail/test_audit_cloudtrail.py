"""cloudtrail checks: against moto for trails and buckets, Stubber for denied calls."""

from __future__ import annotations

import dataclasses

from botocore.stub import Stubber

from baseline.audit.model import AuditContext, Status
from baseline.audit.runner import run_service
from baseline.capabilities.cloudtrail import audit as cloudtrail
from tests.audit_harness import (
    HOME,
    TRAIL,
    TRAIL_BUCKET,
    by_check,
    client,
    context_of,
    fake_session,
    seed_account_public_access_block,
    seed_bucket,
    seed_key,
    seed_trail,
    service_error,
    statuses,
)


def audit(url: str, context: AuditContext | None = None) -> dict[str, set[Status]]:
    return statuses(run_service(cloudtrail.SERVICE, context or context_of(fake_session(url)), HOME))


def compliant_trail(url: str) -> str:
    key = seed_key(url)
    seed_bucket(url, TRAIL_BUCKET, "log-archive", key)
    seed_trail(url, key, validation=True)
    return key


def test_a_compliant_trail_passes_every_check(url: str) -> None:
    compliant_trail(url)
    assert audit(url) == {check.id: {Status.PASS} for check in cloudtrail.CHECKS}


def test_a_trail_without_log_file_validation_fails_that_check_only(url: str) -> None:
    key = seed_key(url)
    seed_bucket(url, TRAIL_BUCKET, "log-archive", key)
    seed_trail(url, key, validation=False)
    found = audit(url)
    assert found.pop("cloudtrail.log-file-validation") == {Status.FAIL}
    assert set().union(*found.values()) == {Status.PASS}


def test_a_stopped_single_region_trail_without_a_key_fails_those_checks(url: str) -> None:
    seed_bucket(url, TRAIL_BUCKET, "log-archive", seed_key(url))
    trails = client(url, "cloudtrail")
    trails.create_trail(Name=TRAIL, S3BucketName=TRAIL_BUCKET, EnableLogFileValidation=True)
    found = audit(url)
    assert found["cloudtrail.trail-logging"] == {Status.FAIL}
    assert found["cloudtrail.multi-region"] == {Status.FAIL}
    assert found["cloudtrail.kms-encryption"] == {Status.FAIL}
    assert found["cloudtrail.log-file-validation"] == {Status.PASS}


def test_without_any_trail_every_check_fails_and_says_why(url: str) -> None:
    results = run_service(cloudtrail.SERVICE, context_of(fake_session(url)), HOME)
    assert {r.status for r in results} == {Status.FAIL}
    assert {r.reason for r in results} == {f"no trail named {TRAIL} and no multi-region trail"}


def test_another_multi_region_trail_stands_in_for_the_named_one(url: str) -> None:
    key = seed_key(url)
    seed_bucket(url, TRAIL_BUCKET, "log-archive", key)
    trails = client(url, "cloudtrail")
    trails.create_trail(
        Name="org-trail",
        S3BucketName=TRAIL_BUCKET,
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
    )
    trails.start_logging(Name="org-trail")
    results = run_service(cloudtrail.SERVICE, context_of(fake_session(url)), HOME)
    assert {r.status for r in results} == {Status.PASS}
    logging = by_check(results, "cloudtrail.trail-logging")[0]
    assert logging.resource.endswith(":trail/org-trail")


def test_a_bucket_without_block_public_access_fails_unless_the_account_blocks(url: str) -> None:
    key = seed_key(url)
    client(url, "s3").create_bucket(Bucket=TRAIL_BUCKET)
    seed_trail(url, key, validation=True)
    bucket = by_check(
        run_service(cloudtrail.SERVICE, context_of(fake_session(url)), HOME),
        "cloudtrail.bucket-not-public",
    )[0]
    assert bucket.status is Status.FAIL
    assert "BlockPublicAcls" in bucket.reason
    seed_account_public_access_block(url)
    assert audit(url)["cloudtrail.bucket-not-public"] == {Status.PASS}


def test_a_denied_describe_is_an_error_for_every_check() -> None:
    session = fake_session()
    with Stubber(session.client("cloudtrail", HOME)) as stub:
        stub.add_client_error(
            **service_error("describe_trails", "AccessDeniedException", "not authorized", 403)
        )
        results = run_service(cloudtrail.SERVICE, context_of(session), HOME)
    assert {r.status for r in results} == {Status.ERROR}
    assert len(results) == len(cloudtrail.CHECKS)
    assert all("DescribeTrails: access denied" in r.reason for r in results)


def test_a_denied_status_call_is_an_error_for_the_logging_check_only() -> None:
    session = fake_session()
    trail = {
        "Name": TRAIL,
        "TrailARN": f"arn:aws:cloudtrail:{HOME}:123456789012:trail/{TRAIL}",
        "S3BucketName": TRAIL_BUCKET,
        "IsMultiRegionTrail": True,
        "LogFileValidationEnabled": True,
        "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
    }
    pab = {
        "PublicAccessBlockConfiguration": dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"),
            True,
        )
    }
    with (
        Stubber(session.client("cloudtrail", HOME)) as trails,
        Stubber(session.client("s3", HOME)) as s3,
    ):
        trails.add_response("describe_trails", {"trailList": [trail]})
        trails.add_client_error(**service_error("get_trail_status", "AccessDeniedException", "no"))
        s3.add_response("get_public_access_block", pab, {"Bucket": TRAIL_BUCKET})
        found = statuses(run_service(cloudtrail.SERVICE, context_of(session), HOME))
    assert found.pop("cloudtrail.trail-logging") == {Status.ERROR}
    assert set().union(*found.values()) == {Status.PASS}


def test_a_spec_without_cloudtrail_skips_every_check() -> None:
    context = context_of(fake_session())
    spec = dataclasses.replace(
        context.spec, cloudtrail=dataclasses.replace(context.spec.cloudtrail, enabled=False)
    )
    results = run_service(cloudtrail.SERVICE, AuditContext(spec, context.clients), HOME)
    assert {r.status for r in results} == {Status.SKIP}
    assert {r.reason for r in results} == {"cloudtrail.enabled is false in the spec"}
