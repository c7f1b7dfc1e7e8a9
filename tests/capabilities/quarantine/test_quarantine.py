"""QuarantineBucket: objects reachable by the remediation and security-admin roles only."""

import json
from fnmatch import fnmatchcase

import pytest

from baseline.capabilities.quarantine.component import QuarantineBucket, QuarantineBucketArgs
from baseline.preview.runner import run_inline
from baseline.project import load_stack_file, program_config
from baseline.spec_loader import spec_from_pulumi_config
from baseline.stack import build
from components import ObjectLock
from tests.components_harness import (
    ACCOUNT,
    ROOT,
    by_urn,
    descendants,
    exporting,
    of_type,
    only,
    plan_of,
)
from tests.paths import REPO
from tests.policy_documents import actions, as_list, document, lint, principals, statement
from tests.test_stack import home_notification_policies

ADMIN = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
DEPLOYER = f"arn:aws:iam::{ACCOUNT}:role/deployer"  # the mocks' caller: assumed-role/deployer
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def quarantine_program(**overrides):
    return exporting(
        lambda: QuarantineBucket("quarantine", QuarantineBucketArgs(**overrides)),
        "bucket",
        "arn",
        "key_arn",
        "remediation_role_arn",
        "security_admin_role_arn",
    )


def roles(plan):
    return (
        only(plan, "aws:iam/role:Role", "quarantine-remediation").outputs["arn"],
        only(plan, "aws:iam/role:Role", "quarantine-security-admin").outputs["arn"],
    )


def denied(policy, principal: str, action: str, resource: str) -> bool:
    """Whether an explicit Deny of `policy` applies (the conditions this component uses)."""
    for each in policy["Statement"]:
        if each["Effect"] != "Deny" or not any(
            fnmatchcase(resource, r) for r in as_list(each["Resource"])
        ):
            continue
        listed = any(
            fnmatchcase(action, a) for a in as_list(each.get("Action") or each.get("NotAction"))
        )
        if listed == ("NotAction" in each):
            continue
        conditions = each.get("Condition", {})
        if "Bool" in conditions:  # the TLS statement: these requests use TLS
            continue
        excluded = as_list(
            (conditions.get("ArnNotEquals") or conditions.get("ArnNotLike") or {}).get(
                "aws:PrincipalArn", []
            )
        )
        if not any(fnmatchcase(principal, pattern) for pattern in excluded):
            return True
    return False


@pytest.mark.parametrize("preview", [True, False])
def test_created_roles_trust_lambda_in_this_account_and_account_principals_with_mfa(preview):
    plan = plan_of(quarantine_program(), preview=preview)
    remediation = only(plan, "aws:iam/role:Role", "quarantine-remediation")
    trust = statement(document(remediation, "assumeRolePolicy"), "LambdaInThisAccount")
    assert principals(trust, "Service") == ["lambda.amazonaws.com"]
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    admin = only(plan, "aws:iam/role:Role", "quarantine-security-admin")
    trust = statement(document(admin, "assumeRolePolicy"), "AccountPrincipalsWithMfa")
    assert principals(trust, "AWS") == [ROOT]
    assert trust["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    assert admin.inputs["maxSessionDuration"] == 3600.0
    assert (
        plan.stack_outputs["remediation_role_arn"],
        plan.stack_outputs["security_admin_role_arn"],
    ) == roles(plan)


@pytest.mark.parametrize("preview", [True, False])
def test_only_the_two_roles_reach_objects_and_administrators_only_manage(preview):
    plan = plan_of(quarantine_program(administrator_arns=(ADMIN,)), preview=preview)
    remediation, security_admin = roles(plan)
    arn = only(plan, "aws:s3/bucket:Bucket").outputs["arn"]
    policy = document(only(plan, BUCKET_POLICY))
    objects = f"{arn}/evidence.bin"
    cases = [
        (remediation, "s3:PutObject", objects, False),
        (remediation, "s3:GetObject", objects, False),
        (remediation, "s3:PutBucketPolicy", arn, True),
        (remediation, "s3:ListBucket", arn, True),
        (security_admin, "s3:GetObject", objects, False),
        (security_admin, "s3:ListBucket", arn, False),
        (ADMIN, "s3:GetObject", objects, True),
        (ADMIN, "s3:PutObject", objects, True),
        (ADMIN, "s3:PutBucketPolicy", arn, False),
        (ADMIN, "s3:GetBucketPolicy", arn, False),
        (ADMIN, "s3:ListBucket", arn, False),
        (ADMIN, "s3:PutReplicationConfiguration", arn, True),
        (ADMIN, "s3:DeleteBucket", arn, True),
        (ROOT, "s3:GetObject", objects, True),
        (ROOT, "s3:PutEncryptionConfiguration", arn, False),
        (DEPLOYER, "s3:PutBucketVersioning", arn, False),
        (DEPLOYER, "s3:GetObject", objects, True),
        (f"arn:aws:iam::{ACCOUNT}:role/ops/deployer", "s3:GetBucketTagging", arn, False),
        (f"arn:aws:iam::{ACCOUNT}:role/developer", "s3:GetBucketPolicy", arn, True),
        (f"arn:aws:iam::{ACCOUNT}:role/developer", "s3:GetObject", objects, True),
        ("arn:aws:iam::999999999999:root", "s3:ListBucket", arn, True),
    ]
    outcomes = [
        (who, action, denied(policy, who, action, resource)) for who, action, resource, _ in cases
    ]
    assert outcomes == [(who, action, expected) for who, action, _, expected in cases]


def test_the_roles_are_granted_what_their_jobs_need():
    plan = plan_of(quarantine_program())
    remediation, security_admin = roles(plan)
    arn = only(plan, "aws:s3/bucket:Bucket").outputs["arn"]
    policy = document(only(plan, BUCKET_POLICY))
    moves = statement(policy, "RemediationMovesObjectsIn")
    assert principals(moves, "AWS") == [remediation] and moves["Resource"] == [f"{arn}/*"]
    assert {"s3:PutObject", "s3:PutObjectTagging"} <= actions(moves)
    assert not {action for action in actions(moves) if action.startswith("s3:Delete")}
    reviews = statement(policy, "SecurityAdminReviewsObjects")
    assert principals(reviews, "AWS") == [security_admin]
    assert {"s3:GetObject", "s3:DeleteObjectVersion", "s3:PutObjectLegalHold"} <= actions(reviews)
    assert statement(policy, "SecurityAdminListsObjects")["Resource"] == [arn]
    assert statement(policy, "DenyInsecureTransport")["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }


def test_given_roles_are_used_instead_of_created_ones():
    remediation = f"arn:aws:iam::{ACCOUNT}:role/path/remediator"
    security_admin = f"arn:aws:iam::{ACCOUNT}:role/incident-response"
    plan = plan_of(
        quarantine_program(remediation_role_arn=remediation, security_admin_role_arn=security_admin)
    )
    assert of_type(plan, "aws:iam/role:Role") == []
    deny = statement(document(only(plan, BUCKET_POLICY)), "DenyObjectAccessToOthers")
    assert deny["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": [remediation, security_admin]}
    }
    key = document(only(plan, "aws:kms/key:Key"))
    assert principals(statement(key, "RemediationWritesThroughS3"), "AWS") == [remediation]
    assert principals(statement(key, "SecurityAdminReadsThroughS3"), "AWS") == [security_admin]
    assert (
        plan.stack_outputs["remediation_role_arn"],
        plan.stack_outputs["security_admin_role_arn"],
    ) == (
        remediation,
        security_admin,
    )


def test_the_deployer_exemption_can_be_withdrawn():
    plan = plan_of(quarantine_program(exempt_deployer=False, administrator_arns=(ADMIN,)))
    policy = document(only(plan, BUCKET_POLICY))
    assert denied(
        policy, DEPLOYER, "s3:PutBucketPolicy", only(plan, "aws:s3/bucket:Bucket").outputs["arn"]
    )
    managers = statement(policy, "DenyBucketManagementToNonAdministrators")["Condition"][
        "ArnNotLike"
    ]
    assert managers["aws:PrincipalArn"] == [roles(plan)[1], ROOT, ADMIN]


@pytest.fixture(scope="module")
def default_plan():
    return plan_of(quarantine_program())


def test_objects_are_encrypted_with_the_quarantine_key_that_only_the_roles_use_through_s3(
    default_plan,
):
    plan = default_plan
    key = only(plan, "aws:kms/key:Key")
    rules = only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).inputs["rules"]
    assert rules[0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key.outputs["arn"]
    policy = document(key)
    remediation, security_admin = roles(plan)
    writes = statement(policy, "RemediationWritesThroughS3")
    reads = statement(policy, "SecurityAdminReadsThroughS3")
    assert (principals(writes, "AWS"), actions(writes)) == (
        [remediation],
        {"kms:Decrypt", "kms:GenerateDataKey"},
    )
    assert (principals(reads, "AWS"), actions(reads)) == ([security_admin], {"kms:Decrypt"})
    # The key serves S3 requests of the bucket's region only (the mocks' region).
    for grant in (writes, reads):
        assert grant["Condition"] == {
            "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
        }
    # Every statement but administration carries the condition; nobody else uses the key.
    assert [s["Sid"] for s in policy["Statement"] if "Condition" not in s] == ["KeyAdministration"]
    assert principals(statement(policy, "KeyAdministration"), "AWS") == [ROOT]
    assert plan.stack_outputs["key_arn"] == key.outputs["arn"]


def test_incomplete_multipart_uploads_are_aborted_and_evidence_never_expires(default_plan):
    """quarantine_copy aborts a failed multipart copy and relies on this rule when that fails."""
    lifecycle = only(
        default_plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    )
    (rule,) = lifecycle.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1.0}
    assert not {"expiration", "noncurrentVersionExpiration", "transitions"} & set(rule)
    bucket = only(default_plan, "aws:s3/bucket:Bucket")
    assert lifecycle.property_dependencies["bucket"] == (bucket.urn,)
    versioning = only(default_plan, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.urn in lifecycle.dependencies


def test_object_lock_only_when_asked():
    lock = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
    assert of_type(plan_of(quarantine_program()), lock) == []
    plan = plan_of(quarantine_program(object_lock=ObjectLock(mode="GOVERNANCE", days=90)))
    assert only(plan, lock).inputs["rule"] == {
        "defaultRetention": {"mode": "GOVERNANCE", "days": 90.0}
    }
    assert only(plan, "aws:s3/bucket:Bucket").inputs["objectLockEnabled"] is True


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(quarantine_program(region="us-west-2"))
    component = only(plan, "security-baseline:quarantine:QuarantineBucket")
    children = descendants(plan, component)
    assert all(by_urn(plan, child.parent) in [component, *children] for child in children)
    regional = [
        child for child in children if child.custom and not child.type.startswith("aws:iam/")
    ]
    assert len(regional) == 9  # key, alias, bucket and its six settings
    assert all(child.inputs["region"] == "us-west-2" for child in regional)
    assert {child.type for child in children if child.type.startswith("aws:iam/")} == {
        "aws:iam/role:Role"
    }


def test_quarantine_policies_pass_parliament():
    plan = plan_of(quarantine_program(administrator_arns=(ADMIN,)))
    assert lint(only(plan, BUCKET_POLICY).inputs["policy"], "resource") == []
    assert lint(only(plan, "aws:kms/key:Key").inputs["policy"], "key") == []
    for role in of_type(plan, "aws:iam/role:Role"):
        assert lint(role.inputs["assumeRolePolicy"], "trust") == [], role.name


def test_a_remediation_role_of_the_spec_is_the_one_the_topics_admit():
    """With `quarantine.remediation_role_arn`, Macie's remediator runs as that role, and the
    security account's topics admit that exact ARN in place of a role the quarantine makes."""
    given = "arn:aws:iam::222222222222:role/Remediation"  # the prod security account's
    config, secret_keys = program_config(load_stack_file(REPO, "prod"))
    spec = json.loads(config["security-baseline:baseline"])
    spec["quarantine"]["remediation_role_arn"] = given
    config = {**config, "security-baseline:baseline": json.dumps(spec)}
    plan = run_inline(
        lambda: build(spec_from_pulumi_config()),
        project="security-baseline",
        stack="prod",
        config=config,
        secret_keys=secret_keys,
    )
    assert "quarantine-remediation" not in {r.name for r in of_type(plan, "aws:iam/role:Role")}
    for resource in home_notification_policies(plan):
        policy = document(resource)
        named = statement(policy, "AllowPublisherRoles")["Condition"]["ArnEquals"]
        assert given in named["aws:PrincipalArn"], resource.name
