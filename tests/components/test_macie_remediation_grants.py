"""What source buckets of other accounts grant the Macie remediator: SecureBucket's argument, the
key grant, the statements documented for other buckets, and the checker a preflight calls."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pytest

from baseline.preview.model import Plan
from components import SecureBucket, SecureBucketArgs
from components.buckets import ObjectLock
from components.kms import ManagedKey, ManagedKeyArgs
from components.macie_remediation_grants import (
    missing_bucket_grants,
    missing_key_grants,
    source_key_grant,
    source_object_actions,
)
from tests.components_harness import only, plan_of
from tests.organization_harness import HOME, SECURITY, account_provider
from tests.paths import REPO
from tests.policy_documents import document, lint, plain, statement

DATA_ACCOUNT = "444444444444"
ROLE = f"arn:aws:iam::{SECURITY}:role/quarantine-remediation-7181423"
OTHER_ROLE = f"arn:aws:iam::{SECURITY}:role/someone-else"
BUCKET = "acme-data-lake-raw"
DOCS = REPO / "docs" / "macie-remediation.md"
VERSIONED = {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion"}
REQUIRED = {*VERSIONED, "s3:ListBucket"}


@pytest.fixture(scope="module")
def data_owner() -> Plan:
    """The data lake's own stack in its account: a SecureBucket and its ManagedKey."""

    def program() -> None:
        data = account_provider("data", DATA_ACCOUNT)
        key = ManagedKey(
            "data-lake",
            ManagedKeyArgs(alias="data-lake", grants=(source_key_grant((ROLE,), HOME),)),
            opts=pulumi.ResourceOptions(provider=data),
        )
        SecureBucket(
            "data-lake-raw",
            SecureBucketArgs(
                kms_key_arn=key.arn, bucket_name=BUCKET, remediation_role_arns=(ROLE,)
            ),
            opts=pulumi.ResourceOptions(provider=data),
        )

    return plan_of(program)


def _bucket_policy(plan: Plan) -> dict[str, Any]:
    return document(only(plan, "aws:s3/bucketPolicy:BucketPolicy"))


def _key(plan: Plan) -> tuple[dict[str, Any], str]:
    key = only(plan, "aws:kms/key:Key")
    return document(key), key.outputs["arn"]


def test_versioned_sources_need_the_version_actions_too() -> None:
    assert set(source_object_actions(versioned=True)) == VERSIONED
    assert set(source_object_actions(versioned=False)) == {"s3:DeleteObject", "s3:GetObject"}


def test_a_secure_bucket_grants_the_role_exactly_what_the_remediator_calls_need(
    data_owner: Plan,
) -> None:
    policy = _bucket_policy(data_owner)
    objects = statement(policy, "MacieRemediationMovesObjectsOut")
    listing = statement(policy, "MacieRemediationFindsGoneObjects")
    for each in (objects, listing):
        # The role's account as principal, the role as condition: deployable before the role.
        assert each["Principal"] == {"AWS": [f"arn:aws:iam::{SECURITY}:root"]}
        assert each["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [ROLE]}}
    assert (set(objects["Action"]), objects["Resource"]) == (
        VERSIONED,
        [f"arn:aws:s3:::{BUCKET}/*"],
    )
    assert (listing["Action"], listing["Resource"]) == (
        ["s3:ListBucket"],
        [f"arn:aws:s3:::{BUCKET}"],
    )
    assert missing_bucket_grants(policy, ROLE, BUCKET) == {}
    # The bucket keeps its TLS-only statement, which the checker reads too.
    assert statement(policy, "DenyInsecureTransport")["Effect"] == "Deny"


def test_the_key_grant_lets_the_role_decrypt_through_s3_in_the_buckets_region_only(
    data_owner: Plan,
) -> None:
    policy, key_arn = _key(data_owner)
    grant = statement(policy, "MacieRemediationDecryptsThroughS3")
    assert grant["Principal"] == {"AWS": [f"arn:aws:iam::{SECURITY}:root"]}
    assert grant["Action"] == ["kms:Decrypt"]
    assert grant["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{HOME}.amazonaws.com"},
        "ArnEquals": {"aws:PrincipalArn": [ROLE]},
    }
    assert f":{DATA_ACCOUNT}:" in key_arn
    assert missing_key_grants(policy, ROLE, key_arn) == {}
    assert missing_key_grants(policy, OTHER_ROLE, key_arn) == {
        "kms:Decrypt": "no statement allows it"
    }
    elsewhere = key_arn.replace(f":{HOME}:", ":eu-west-1:")  # S3 of another region
    assert set(missing_key_grants(policy, ROLE, elsewhere)) == {"kms:Decrypt"}


def test_the_data_owners_policies_pass_parliament(data_owner: Plan) -> None:
    assert (
        lint(
            plain(only(data_owner, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"]), "resource"
        )
        == []
    )
    assert lint(plain(only(data_owner, "aws:kms/key:Key").inputs["policy"]), "key") == []


def _documented(placeholders: dict[str, str]) -> list[Any]:
    """The JSON blocks of docs/macie-remediation.md, placeholders filled in."""
    text = DOCS.read_text(encoding="utf-8")
    for placeholder, value in placeholders.items():
        text = text.replace(placeholder, value)
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def test_the_documented_statements_are_those_secure_bucket_and_the_key_grant_write(
    data_owner: Plan,
) -> None:
    bucket_statements, key_statement = _documented(
        {
            "<bucket>": BUCKET,
            "<security-account-id>": SECURITY,
            "<remediation-role-arn>": ROLE,
            "<region>": HOME,
        }
    )
    planned = {each.get("Sid"): each for each in _bucket_policy(data_owner)["Statement"]}
    assert bucket_statements == [planned[each["Sid"]] for each in bucket_statements]
    assert key_statement == statement(_key(data_owner)[0], key_statement["Sid"])


def test_the_checker_names_each_missing_action_and_why(data_owner: Plan) -> None:
    policy = _bucket_policy(data_owner)
    assert missing_bucket_grants(None, ROLE, BUCKET) == dict.fromkeys(
        REQUIRED, "the bucket has no policy"
    )
    assert missing_bucket_grants(policy, OTHER_ROLE, BUCKET) == dict.fromkeys(
        REQUIRED, "no statement allows it"
    )
    assert set(missing_bucket_grants(policy, ROLE, "another-bucket")) == REQUIRED
    unversioned = missing_bucket_grants(None, ROLE, BUCKET, versioned=False)
    assert set(unversioned) == {"s3:DeleteObject", "s3:GetObject", "s3:ListBucket"}


def _granting(**objects: Any) -> dict[str, Any]:
    principal = {"AWS": ROLE}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{BUCKET}",
            },
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": "s3:*Object*",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
            | objects,
        ],
    }


def test_a_grant_on_a_prefix_only_is_missing_for_the_rest_of_the_bucket() -> None:
    assert missing_bucket_grants(_granting(), ROLE, BUCKET) == {}
    prefix_only = _granting(Resource=f"arn:aws:s3:::{BUCKET}/exports/*")
    assert set(missing_bucket_grants(prefix_only, ROLE, BUCKET)) == VERSIONED


def test_a_deny_and_an_unreadable_condition_are_reported_as_such() -> None:
    policy = _granting()
    policy["Statement"].append(
        {
            "Sid": "KeepVersions",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteObjectVersion",
            "Resource": "*",
        }
    )
    assert missing_bucket_grants(policy, ROLE, BUCKET) == {
        "s3:DeleteObjectVersion": "denied by KeepVersions"
    }
    policy["Statement"][-1] = {
        "Sid": "OrganizationOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}},
    }
    missing = missing_bucket_grants(policy, ROLE, BUCKET)
    assert set(missing) == REQUIRED
    assert all("OrganizationOnly" in reason for reason in missing.values())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"remediation_role_arns": ("quarantine-remediation",)}, "not IAM role ARNs"),
        (
            {"remediation_role_arns": (ROLE,), "object_lock": ObjectLock()},
            "object_lock retains",
        ),
    ],
)
def test_secure_bucket_refuses_grants_that_could_not_work(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SecureBucketArgs(kms_key_arn=None, **overrides)
