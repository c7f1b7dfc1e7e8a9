"""S3 stack policies: buckets matched with their separate settings resources (pulumi-aws 7)."""

import json

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze_stack, by_name, resource, urn_of, validate_stack

# isort: split

import s3

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACL = "aws:s3/bucketAcl:BucketAcl"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
NAME = "logs-1a2b3c4"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

KMS_RULES = [
    {
        "applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": KEY_ARN,
        },
        "bucketKeyEnabled": True,
    }
]
ALL_FLAGS = dict.fromkeys(s3.PUBLIC_ACCESS_FLAGS, True)
TLS_DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def bucket_policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


SETTINGS: dict[str, dict] = {
    SSE: {"rules": KMS_RULES},
    PAB: ALL_FLAGS,
    VERSIONING: {"versioningConfiguration": {"status": "Enabled"}},
    POLICY: {"policy": bucket_policy(TLS_DENY)},
    OWNERSHIP: {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
}


def secure_bucket(overrides: dict | None = None, omit: tuple[str, ...] = (), bucket_id=NAME):
    """A bucket and its settings resources, each tied to it by a property dependency."""
    bucket = resource(BUCKET, "logs", {"bucket": bucket_id, "arn": f"arn:aws:s3:::{NAME}"})
    settings = {**SETTINGS, **(overrides or {})}
    return [bucket] + [
        resource(
            t,
            f"logs-{t.rsplit(':', 1)[-1]}",
            {"bucket": bucket_id, **props},
            property_dependencies={"bucket": [bucket]},
        )
        for t, props in settings.items()
        if t not in omit
    ]


def check(name: str, resources) -> list[str]:
    violations = validate_stack(by_name(s3.POLICIES, name), resources)
    assert all(v.urn == urn_of(BUCKET, "logs") for v in violations)
    return [v.message for v in violations]


@pytest.mark.parametrize("name", [p.name for p in s3.POLICIES])
def test_bucket_configured_through_separate_resources_passes(name):
    assert check(name, secure_bucket()) == []


@pytest.mark.parametrize(
    ("name", "setting", "expected"),
    [
        (
            "s3-bucket-encryption-kms",
            SSE,
            "bucket 'logs' has no BucketServerSideEncryptionConfiguration.",
        ),
        ("s3-bucket-public-access-block", PAB, "bucket 'logs' has no BucketPublicAccessBlock."),
        ("s3-bucket-versioning", VERSIONING, "bucket 'logs' has no BucketVersioning."),
        ("s3-bucket-tls-only", POLICY, "bucket 'logs': no BucketPolicy denies s3:* on the bucket"),
    ],
)
def test_bucket_missing_a_settings_resource_fails_naming_it(name, setting, expected):
    [message] = check(name, secure_bucket(omit=(setting,)))
    assert message.startswith(expected)


def test_settings_of_another_bucket_do_not_count():
    other = resource(BUCKET, "other", {"bucket": "other-9z8y7x"})
    stack = [resource(BUCKET, "logs", {"bucket": NAME}), other]
    stack += [
        resource(
            t,
            f"other-{i}",
            {"bucket": "other-9z8y7x", **p},
            property_dependencies={"bucket": [other]},
        )
        for i, (t, p) in enumerate(SETTINGS.items())
    ]
    assert check("s3-bucket-encryption-kms", stack) == [
        "bucket 'logs' has no BucketServerSideEncryptionConfiguration."
    ]


def test_bucket_id_unknown_in_preview_is_matched_through_property_dependencies():
    assert check("s3-bucket-encryption-kms", secure_bucket(bucket_id=UNKNOWN_STRING_VALUE)) == []
    [message] = check(
        "s3-bucket-versioning", secure_bucket(omit=(VERSIONING,), bucket_id=UNKNOWN_STRING_VALUE)
    )
    assert message == "bucket 'logs' has no BucketVersioning."


def test_without_property_dependencies_settings_match_by_bucket_name():
    bucket = resource(BUCKET, "logs", {"bucket": NAME, "id": NAME})
    sse = resource(SSE_V2, "logs-sse", {"bucket": NAME, "rules": KMS_RULES})
    assert check("s3-bucket-encryption-kms", [bucket, sse]) == []


def test_unknown_bucket_reference_without_dependencies_is_the_sdk_preview_advisory():
    bucket_urn = urn_of(BUCKET, "logs")
    response = analyze_stack(
        s3.POLICIES,
        [
            (BUCKET, "logs", {"bucket": NAME}, {}),
            (SSE, "logs-sse", {"bucket": UNKNOWN_STRING_VALUE, "rules": KMS_RULES}, {}),
            (PAB, "logs-pab", {"bucket": NAME, **ALL_FLAGS}, {"bucket": [bucket_urn]}),
        ],
    )
    by_policy = {d.policyName: d for d in response.diagnostics}
    unknown = by_policy["s3-bucket-encryption-kms"]
    assert unknown.enforcementLevel == analyzer_pb2.ADVISORY
    assert "can't run policy 's3-bucket-encryption-kms'" in unknown.message
    assert "during preview" in unknown.message
    assert "s3-bucket-public-access-block" not in by_policy  # matched through its dependency
    assert by_policy["s3-bucket-versioning"].enforcementLevel == analyzer_pb2.MANDATORY


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ([{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}], "SSE-S3"),
        ([{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}], "no key named"),
        ([], "no rule"),
    ],
)
def test_encryption_other_than_sse_kms_with_a_key_fails(rules, reason):
    [message] = check("s3-bucket-encryption-kms", secure_bucket({SSE: {"rules": rules}}))
    assert "default encryption is not SSE-KMS with a named key" in message, reason


def test_dsse_kms_with_an_unknown_key_arn_passes():
    rules = [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms:dsse",
                "kmsMasterKeyId": UNKNOWN_STRING_VALUE,
            }
        }
    ]
    assert check("s3-bucket-encryption-kms", secure_bucket({SSE: {"rules": rules}})) == []


def test_public_access_block_names_the_flags_left_off():
    flags = {**ALL_FLAGS, "ignorePublicAcls": False}
    del flags["restrictPublicBuckets"]
    assert check("s3-bucket-public-access-block", secure_bucket({PAB: flags})) == [
        "bucket 'logs': BucketPublicAccessBlock leaves ignorePublicAcls, restrictPublicBuckets off."
    ]


def test_suspended_versioning_fails():
    versioning = {"versioningConfiguration": {"status": "Suspended"}}
    assert check("s3-bucket-versioning", secure_bucket({VERSIONING: versioning})) == [
        "bucket 'logs': versioning is Suspended, not Enabled."
    ]


@pytest.mark.parametrize(
    "statement",
    [
        {**TLS_DENY, "Effect": "Allow"},
        {**TLS_DENY, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        {**TLS_DENY, "Action": "s3:GetObject"},
        {**TLS_DENY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {**TLS_DENY, "Resource": f"arn:aws:s3:::{NAME}"},
    ],
)
def test_policy_that_does_not_deny_all_insecure_requests_fails(statement):
    overrides = {POLICY: {"policy": bucket_policy(statement)}}
    assert len(check("s3-bucket-tls-only", secure_bucket(overrides))) == 1


def test_tls_deny_with_aws_principal_and_boolean_value_passes():
    statement = {
        **TLS_DENY,
        "Principal": {"AWS": "*"},
        "Action": ["s3:*"],
        "Condition": {"Bool": {"aws:SecureTransport": False}},
    }
    assert (
        check("s3-bucket-tls-only", secure_bucket({POLICY: {"policy": bucket_policy(statement)}}))
        == []
    )


@pytest.mark.parametrize(
    ("acl", "expected"),
    [
        ({"acl": "public-read"}, "bucket 'logs': BucketAcl has canned ACL public-read."),
        (
            {
                "accessControlPolicy": {
                    "owner": {"id": "abc"},
                    "grants": [
                        {
                            "permission": "READ",
                            "grantee": {
                                "type": "Group",
                                "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                            },
                        }
                    ],
                }
            },
            "bucket 'logs': BucketAcl has a grant to AllUsers.",
        ),
    ],
)
def test_public_bucket_acl_resource_fails(acl, expected):
    assert check("s3-bucket-no-public-acl", secure_bucket({ACL: acl})) == [expected]


def test_private_bucket_acl_resource_passes():
    assert check("s3-bucket-no-public-acl", secure_bucket({ACL: {"acl": "private"}})) == []


def test_public_inline_acl_fails_unless_acls_are_disabled():
    bucket = resource(BUCKET, "logs", {"bucket": NAME, "acl": "public-read-write"})
    assert check("s3-bucket-no-public-acl", [bucket]) == [
        "bucket 'logs' has canned ACL public-read-write."
    ]
    enforced = resource(
        OWNERSHIP,
        "own",
        {"bucket": NAME, "rule": {"objectOwnership": "BucketOwnerEnforced"}},
        property_dependencies={"bucket": [bucket]},
    )
    assert check("s3-bucket-no-public-acl", [bucket, enforced]) == []


def test_inline_grant_to_authenticated_users_fails():
    grants = [
        {
            "type": "Group",
            "permissions": ["READ"],
            "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        }
    ]
    bucket = resource(BUCKET, "logs", {"bucket": NAME, "grants": grants})
    assert check("s3-bucket-no-public-acl", [bucket]) == [
        "bucket 'logs' has a grant to AuthenticatedUsers."
    ]


def test_inline_settings_on_the_bucket_are_not_accepted_as_configuration():
    bucket = resource(BUCKET, "logs", {"bucket": NAME, "versioning": {"enabled": True}})
    assert check("s3-bucket-versioning", [bucket]) == ["bucket 'logs' has no BucketVersioning."]


SSE_S3 = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}
LOGGING = "aws:s3/bucketLogging:BucketLogging"


def test_access_log_target_may_use_sse_s3():
    stack = secure_bucket({SSE: SSE_S3})
    source = resource(BUCKET, "data", {"bucket": "data-5d6e7f8"})
    logging = resource(
        LOGGING,
        "data-logging",
        {"bucket": "data-5d6e7f8", "targetBucket": NAME, "targetPrefix": "data/"},
        property_dependencies={"bucket": [source], "targetBucket": [stack[0]]},
    )
    violations = validate_stack(
        by_name(s3.POLICIES, "s3-bucket-encryption-kms"), [*stack, source, logging]
    )
    assert [v.urn for v in violations] == [urn_of(BUCKET, "data")]  # the source still needs SSE


def test_sse_s3_is_not_enough_for_a_bucket_that_receives_no_access_logs():
    [message] = check("s3-bucket-encryption-kms", secure_bucket({SSE: SSE_S3}))
    assert "default encryption is not SSE-KMS" in message


@pytest.mark.parametrize("by_dependency", [True, False])
def test_load_balancer_access_log_target_may_use_sse_s3(by_dependency):
    stack = secure_bucket({SSE: SSE_S3})
    load_balancer = resource(
        "aws:lb/loadBalancer:LoadBalancer",
        "web",
        {"accessLogs": {"bucket": NAME, "enabled": True}},
        property_dependencies={"accessLogs": [stack[0]]} if by_dependency else {},
    )
    violations = validate_stack(
        by_name(s3.POLICIES, "s3-bucket-encryption-kms"), [*stack, load_balancer]
    )
    assert violations == []


def test_disabled_load_balancer_access_logs_do_not_excuse_sse_s3():
    stack = secure_bucket({SSE: SSE_S3})
    load_balancer = resource(
        "aws:lb/loadBalancer:LoadBalancer",
        "web",
        {"accessLogs": {"bucket": NAME, "enabled": False}},
    )
    violations = validate_stack(
        by_name(s3.POLICIES, "s3-bucket-encryption-kms"), [*stack, load_balancer]
    )
    assert len(violations) == 1


# S3 User Guide, "Access control list (ACL) overview", Canned ACL: authenticated-read gives READ
# to the AuthenticatedUsers group (any AWS account), which Block Public Access counts as public.
@pytest.mark.parametrize("canned", ["public-read", "public-read-write", "authenticated-read"])
def test_every_public_canned_acl_fails_as_a_resource_and_inline(canned):
    assert check("s3-bucket-no-public-acl", secure_bucket({ACL: {"acl": canned}})) == [
        f"bucket 'logs': BucketAcl has canned ACL {canned}."
    ]
    bucket = resource(BUCKET, "logs", {"bucket": NAME, "acl": canned})
    assert check("s3-bucket-no-public-acl", [bucket]) == [f"bucket 'logs' has canned ACL {canned}."]


@pytest.mark.parametrize(
    "canned",
    ["private", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"],
)
def test_canned_acls_that_grant_no_one_outside_pass(canned):
    assert check("s3-bucket-no-public-acl", secure_bucket({ACL: {"acl": canned}})) == []
