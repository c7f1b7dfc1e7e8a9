"""SecureBucket: encryption, public access block, versioning, ownership, TLS-only policy."""

import pulumi
import pulumi_aws as aws
import pytest

from components import (
    AccessLogging,
    LifecycleRules,
    ManagedKey,
    ManagedKeyArgs,
    ObjectLock,
    SecureBucket,
    SecureBucketArgs,
)
from components.iam import statement as policy_statement
from tests.components_harness import by_urn, descendants, exporting, of_type, only, plan_of
from tests.policy_documents import actions, document, lint, statement

READER = "arn:aws:iam::123456789012:role/reader"


def bucket_program(**overrides):
    def bucket() -> SecureBucket:
        key = ManagedKey("data", ManagedKeyArgs(alias="data"))
        return SecureBucket("reports", SecureBucketArgs(kms_key_arn=key.arn, **overrides))

    return exporting(bucket, "bucket", "arn", "id")


@pytest.mark.parametrize("preview", [True, False])
def test_every_protection_is_on(preview):
    plan = plan_of(bucket_program(), preview=preview)
    bucket = only(plan, "aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is False
    name = bucket.outputs["bucket"]
    block = only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs == {
        "bucket": name,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    ownership = only(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    versioning = only(plan, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    encryption = only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    key = only(plan, "aws:kms/key:Key")
    assert encryption.inputs["bucket"] == name
    assert encryption.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": key.outputs["arn"],
            },
            "bucketKeyEnabled": True,
        }
    ]


@pytest.mark.parametrize("preview", [True, False])
def test_the_policy_denies_requests_without_tls(preview):
    plan = plan_of(bucket_program(), preview=preview)
    arn = only(plan, "aws:s3/bucket:Bucket").outputs["arn"]
    deny = statement(
        document(only(plan, "aws:s3/bucketPolicy:BucketPolicy")), "DenyInsecureTransport"
    )
    assert deny == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_callers_statements_join_the_single_bucket_policy():
    def reader_statements(arn: pulumi.Output[str]):
        return [
            policy_statement(
                "ReaderGetsObjects",
                principal={"AWS": [READER]},
                actions=["s3:GetObject"],
                resources=[arn.apply(lambda a: f"{a}/*")],
            )
        ]

    plan = plan_of(bucket_program(policy_statements=reader_statements))
    policy = document(only(plan, "aws:s3/bucketPolicy:BucketPolicy"))
    arn = only(plan, "aws:s3/bucket:Bucket").outputs["arn"]
    assert [each["Sid"] for each in policy["Statement"]] == [
        "DenyInsecureTransport",
        "ReaderGetsObjects",
    ]
    assert statement(policy, "ReaderGetsObjects")["Resource"] == [f"{arn}/*"]
    assert lint(only(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"], "resource") == []


def test_sse_s3_only_when_asked_for_explicitly():
    def program() -> None:
        SecureBucket("access-logs", SecureBucketArgs(kms_key_arn=None))

    plan = plan_of(program)
    encryption = only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    assert encryption.inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    with pytest.raises(TypeError):
        SecureBucketArgs()  # type: ignore[call-arg]  # the key is a required choice


def test_no_lifecycle_object_lock_or_logging_unless_asked():
    plan = plan_of(bucket_program())
    for absent in (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketLogging:BucketLogging",
    ):
        assert of_type(plan, absent) == []
    assert "objectLockEnabled" not in only(plan, "aws:s3/bucket:Bucket").inputs


def test_lifecycle_transitions_expires_and_drops_old_versions():
    rules = LifecycleRules(
        transition_to_glacier_days=90, expiration_days=365, noncurrent_version_expiration_days=30
    )
    plan = plan_of(bucket_program(lifecycle=rules))
    lifecycle = only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    versioning = only(plan, "aws:s3/bucketVersioning:BucketVersioning")
    assert lifecycle.inputs["rules"] == [
        {
            "id": "baseline-retention",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
            "transitions": [{"days": 90.0, "storageClass": "GLACIER"}],
            "expiration": {"days": 365.0},
            "noncurrentVersionExpiration": {"noncurrentDays": 30.0},
        }
    ]
    assert versioning.urn in lifecycle.dependencies


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"transition_to_glacier_days": 90, "expiration_days": 90}, "greater than"),
        ({"expiration_days": 0}, "positive"),
        ({"noncurrent_version_expiration_days": -1}, "positive"),
    ],
)
def test_lifecycle_rules_s3_would_refuse_are_refused(rules, message):
    with pytest.raises(ValueError, match=message):
        LifecycleRules(**rules)


def test_object_lock_is_enabled_at_creation_with_default_retention():
    plan = plan_of(bucket_program(object_lock=ObjectLock(mode="COMPLIANCE", days=365)))
    assert only(plan, "aws:s3/bucket:Bucket").inputs["objectLockEnabled"] is True
    lock = only(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 365.0}}


@pytest.mark.parametrize(("mode", "days"), [("LEGAL", 30), ("GOVERNANCE", 0)])
def test_object_lock_settings_s3_would_refuse_are_refused(mode, days):
    with pytest.raises(ValueError, match="object lock"):
        ObjectLock(mode=mode, days=days)


def test_access_logs_go_to_the_given_bucket_and_prefix():
    plan = plan_of(bucket_program(access_logging=AccessLogging("central-access-logs", "reports/")))
    logging = only(plan, "aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == "central-access-logs"
    assert logging.inputs["targetPrefix"] == "reports/"
    assert logging.inputs["bucket"] == only(plan, "aws:s3/bucket:Bucket").outputs["bucket"]


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(
        bucket_program(region="eu-west-1", lifecycle=LifecycleRules(), object_lock=ObjectLock())
    )
    component = only(plan, "security-baseline:buckets:SecureBucket")
    children = descendants(plan, component)
    assert len(children) == 8
    assert all(by_urn(plan, child.parent) == component for child in children)
    assert all(child.inputs["region"] == "eu-west-1" for child in children)


@pytest.mark.parametrize("preview", [True, False])
def test_outputs_settle_after_the_bucket_is_configured(preview):
    def program() -> None:
        bucket = SecureBucket(
            "trail-logs", SecureBucketArgs(kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k")
        )
        aws.cloudtrail.Trail("trail", s3_bucket_name=bucket.bucket)
        pulumi.export("bucket", bucket.bucket)
        pulumi.export("arn", bucket.arn)

    plan = plan_of(program, preview=preview)
    raw = only(plan, "aws:s3/bucket:Bucket")
    assert plan.stack_outputs == {"bucket": raw.outputs["bucket"], "arn": raw.outputs["arn"]}
    trail = only(plan, "aws:cloudtrail/trail:Trail")
    assert trail.inputs["s3BucketName"] == raw.outputs["bucket"]
    settings = {
        only(plan, token).urn
        for token in (
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )
    }
    assert settings <= set(trail.dependencies)


def test_the_policy_waits_for_the_public_access_block():
    plan = plan_of(bucket_program())
    policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy")
    block = only(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.urn in policy.dependencies
    assert actions(statement(document(policy), "DenyInsecureTransport")) == {"s3:*"}
