"""Who may administer, use, write and read, on the dev and prod plans (issue 12, defects 1, 3,
5, 6 and the CloudTrail -> CloudWatch Logs trust of 7), as AWS documents each of them."""

import json
from collections.abc import Callable

import pytest

from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline
from baseline.project import load_stack_file, program_config
from baseline.spec_loader import spec_from_pulumi_config
from baseline.stack import build
from components.kms import ADMINISTRATOR_ACTIONS
from tests.policy_documents import (
    PolicyKind,
    actions,
    as_list,
    document,
    lint,
    principals,
    statement,
)
from tests.test_stack import ROOT, of_type, planned, providers_by_account

ORG = "o-a1b2c3d4e5"
MANAGEMENT, SECURITY, LOG_ARCHIVE = "111111111111", "222222222222", "333333333333"
DEV_ACCOUNT = "123456789012"
DEPLOY_ROLES = {
    MANAGEMENT: f"arn:aws:iam::{MANAGEMENT}:role/OrganizationAccountAccessRole",
    SECURITY: f"arn:aws:iam::{SECURITY}:role/SecurityBaselineDeployRole",
    LOG_ARCHIVE: f"arn:aws:iam::{LOG_ARCHIVE}:role/SecurityBaselineDeployRole",
}
KEY_ADMINISTRATORS = f"arn:aws:iam::{SECURITY}:role/KeyAdministrators"
ANALYSTS = f"arn:aws:iam::{SECURITY}:role/SecurityAnalysts"
FMS_ROLE = f"arn:aws:iam::{SECURITY}:role/aws-service-role/fms.amazonaws.com/AWSServiceRoleForFMS"
USAGE = {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*"}
KEY = "aws:kms/key:Key"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return planned("prod", False)


@pytest.fixture(scope="module")
def dev() -> Plan:
    return planned("dev", False)


def account_of(resource: PlannedResource) -> str:
    return str(resource.outputs["arn"]).split(":")[4]


def one(plan: Plan, type_token: str, name: str) -> PlannedResource:
    (found,) = [r for r in of_type(plan, type_token) if r.name == name]
    return found


def administering(policy: dict) -> dict[str, list[str]]:
    """Principals of the Allow statements that let them change the key policy."""
    return {
        each["Sid"]: principals(each, "AWS")
        for each in policy["Statement"]
        if each["Effect"] == "Allow" and "kms:PutKeyPolicy" in actions(each)
    }


def using(policy: dict) -> list[dict]:
    return [each for each in policy["Statement"] if actions(each) & USAGE]


# Defect 1: the deploying principal keeps key administration, duties stay separated.


def assumed_roles(plan: Plan) -> dict[str, str]:
    """The role each account's provider assumes, by the provider's reference."""
    return {
        f"{p.urn}::{p.id}": json.loads(p.inputs["assumeRoles"])[0]["roleArn"]
        for p in of_type(plan, "pulumi:providers:aws")
        if "assumeRoles" in p.inputs
    }


def test_prod_every_key_is_administered_by_the_deploy_role_of_its_account(prod):
    """The role exactly as the key's provider assumes it: the pack's deploy-role interface."""
    keys = of_type(prod, KEY)
    assumed = assumed_roles(prod)
    assert {account_of(key) for key in keys} == {MANAGEMENT, SECURITY, LOG_ARCHIVE}
    for key in keys:
        account = account_of(key)
        assert assumed[key.provider] == DEPLOY_ROLES[account], key.name
        policy = document(key)
        assert administering(policy) == {
            "KeyAdministration": [KEY_ADMINISTRATORS],
            "DeployerKeyAdministration": [DEPLOY_ROLES[account]],
        }, key.name
        for sid in administering(policy):
            assert actions(statement(policy, sid)) == set(ADMINISTRATOR_ACTIONS)


def test_prod_the_management_trail_key_is_no_longer_only_the_security_accounts(prod):
    (trail,) = of_type(prod, "aws:cloudtrail/trail:Trail")
    (key,) = [k for k in of_type(prod, KEY) if k.outputs["arn"] == trail.inputs["kmsKeyId"]]
    assert account_of(key) == MANAGEMENT
    deployers = statement(document(key), "DeployerKeyAdministration")
    assert principals(deployers, "AWS") == [DEPLOY_ROLES[MANAGEMENT]]


def test_prod_administrators_never_use_and_users_never_administer(prod):
    for key in of_type(prod, KEY):
        policy = document(key)
        for each in using(policy):
            assert not actions(each) & {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}
            assert KEY_ADMINISTRATORS not in as_list(each["Principal"].get("AWS", []))
        for sid in administering(policy):
            assert ANALYSTS not in principals(statement(policy, sid), "AWS")


def test_prod_deploy_roles_use_no_key_but_the_trails_for_its_creation(prod):
    """CloudTrail user guide: creating a trail on a bucket with an S3 Bucket Key takes Decrypt."""
    deploy_roles = set(DEPLOY_ROLES.values())
    for key in of_type(prod, KEY):
        for each in using(document(key)):
            if deploy_roles & set(as_list(each["Principal"].get("AWS", []))):
                assert each["Sid"] == "AllowCloudTrailLogDecryption", key.name
                assert actions(each) == {"kms:Decrypt"}
                assert each["Condition"] == {
                    "Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}
                }


def test_dev_keeps_the_account_root_as_aws_default_key_policy_does(dev):
    for key in of_type(dev, KEY):
        assert administering(document(key)) == {
            "KeyAdministration": [f"arn:aws:iam::{DEV_ACCOUNT}:root"]
        }, key.name


# Defect 3: Firewall Manager's service-linked role is the principal, by ARN.


def test_prod_fms_topics_and_their_keys_name_the_service_linked_role(prod):
    topic_policies = of_type(prod, TOPIC_POLICY)
    keys = [k for k in of_type(prod, KEY) if k.name.startswith("notifications")]
    assert len(keys) == 4  # home, plus the FMS and DDoS topics of the other regions
    for resource, sid in [
        *((p, "AllowFirewallManagerPublish") for p in topic_policies),
        *((k, "AllowFirewallManagerPublishing") for k in keys),
    ]:
        grant = statement(document(resource), sid)
        assert principals(grant, "AWS") == [FMS_ROLE], resource.name
        assert "Condition" not in grant
        assert "aws:PrincipalArn" not in json.dumps(grant)
    for resource in (*topic_policies, *keys):
        conditions = [
            json.dumps(each.get("Condition", {})) for each in document(resource)["Statement"]
        ]
        assert not any("AWSServiceRoleForFMS" in each for each in conditions), resource.name


def test_dev_has_no_firewall_manager_principal(dev):
    for resource in (*of_type(dev, TOPIC_POLICY), *of_type(dev, KEY)):
        assert "AWSServiceRoleForFMS" not in json.dumps(document(resource))


# Defect 5: log readers can read, across accounts in prod, through the account's IAM in dev.


def archive_policy(plan: Plan) -> dict:
    return document(one(plan, BUCKET_POLICY, "log-archive-archive-policy"))


def archive_key(plan: Plan) -> dict:
    return document(one(plan, KEY, "log-archive-key-key"))


def trail_key(plan: Plan) -> dict:
    return document(one(plan, KEY, "cloudtrail-key-key"))


def test_prod_kms_users_list_get_and_decrypt_the_archive_in_another_account(prod):
    archive = one(prod, "aws:s3/bucket:Bucket", "log-archive-archive-bucket")
    assert archive.provider == providers_by_account(prod)[LOG_ARCHIVE]
    policy, arn = archive_policy(prod), archive.outputs["arn"]
    listing = statement(policy, "LogReadersList")
    assert (principals(listing, "AWS"), actions(listing), listing["Resource"]) == (
        [ANALYSTS],
        {"s3:ListBucket"},
        [arn],
    )
    getting = statement(policy, "LogReadersGetObjects")
    assert (principals(getting, "AWS"), actions(getting), getting["Resource"]) == (
        [ANALYSTS],
        {"s3:GetObject"},
        [f"{arn}/*"],
    )
    readers = statement(archive_key(prod), "LogReadersDecrypt")
    assert principals(readers, "AWS") == [ANALYSTS]
    assert readers["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    }
    trail_readers = statement(trail_key(prod), "AllowCloudTrailLogDecryption")
    assert ANALYSTS in principals(trail_readers, "AWS")


def test_dev_lets_the_accounts_iam_decide_who_reads_the_trail_and_archive(dev):
    root = f"arn:aws:iam::{DEV_ACCOUNT}:root"
    assert principals(statement(archive_key(dev), "LogReadersDecrypt"), "AWS") == [root]
    assert principals(statement(trail_key(dev), "AllowCloudTrailLogDecryption"), "AWS") == [root]
    # Same account: IAM policies suffice for S3, so the bucket policy names no reader.
    assert "LogReadersGetObjects" not in {each["Sid"] for each in archive_policy(dev)["Statement"]}


def prod_variant(change: Callable[[dict], None]) -> Plan:
    """The prod plan with its spec changed by `change`."""
    config, secret_keys = program_config(load_stack_file(ROOT, "prod"))
    spec = json.loads(config["security-baseline:baseline"])
    change(spec)
    return run_inline(
        lambda: build(spec_from_pulumi_config()),
        project="security-baseline",
        stack="prod",
        config={**config, "security-baseline:baseline": json.dumps(spec)},
        secret_keys=secret_keys,
    )


def test_prod_without_kms_users_the_log_archive_accounts_iam_decides_who_reads():
    """The trail's files live in the archive: its account, not the trail's, may decrypt them."""
    plan = prod_variant(lambda spec: spec["kms"].pop("users"))
    archive_root = f"arn:aws:iam::{LOG_ARCHIVE}:root"
    assert principals(statement(archive_key(plan), "LogReadersDecrypt"), "AWS") == [archive_root]
    trail_readers = statement(trail_key(plan), "AllowCloudTrailLogDecryption")
    assert principals(trail_readers, "AWS") == [archive_root, DEPLOY_ROLES[MANAGEMENT]]


# Defect 6: every service writes under the conditions its own guide documents.


def test_prod_cloudtrail_writes_for_the_organization_trail_by_its_arn(prod):
    (trail,) = of_type(prod, "aws:cloudtrail/trail:Trail")
    policy = archive_policy(prod)
    for sid in ("CloudTrailAclCheck", "CloudTrailWrite"):
        conditions = statement(policy, sid)["Condition"]
        assert conditions["ArnLike"] == {"aws:SourceArn": [trail.outputs["arn"]]}, sid
        assert "aws:SourceOrgID" not in json.dumps(conditions)
    trail_key_policy = trail_key(prod)
    assert statement(trail_key_policy, "AllowCloudTrailEncryptLogs")["Condition"][
        "StringEquals"
    ] == {"aws:SourceArn": trail.outputs["arn"]}


def test_prod_config_of_every_account_writes_under_the_organization(prod):
    write = statement(archive_policy(prod), "ConfigWrite")
    assert write["Condition"] == {
        "StringEquals": {"aws:SourceOrgID": ORG, "s3:x-amz-acl": "bucket-owner-full-control"}
    }
    assert "Condition" not in statement(archive_key(prod), "AllowConfigDelivery")


def test_prod_guardduty_and_macie_export_as_the_delegated_administrator(prod):
    exporters = {
        "guardduty/publishingDestination:PublishingDestination",
        "macie2/classificationExportConfiguration:ClassificationExportConfiguration",
    }
    security = providers_by_account(prod)[SECURITY]
    for type_token in exporters:
        resources = of_type(prod, f"aws:{type_token}")
        assert resources and {r.provider for r in resources} == {security}, type_token
    bucket, key = archive_policy(prod), archive_key(prod)
    for policy, sid in [
        (bucket, "GuardDutyWrite"),
        (bucket, "GuardDutyBucketLocation"),
        (key, "AllowGuardDutyExport"),
        (bucket, "MacieWrite"),
        (bucket, "MacieBucketLocation"),
        (key, "AllowMacieExport"),
    ]:
        conditions = statement(policy, sid)["Condition"]
        assert conditions["StringEquals"] == {"aws:SourceAccount": [SECURITY]}, sid
        assert all(f":{SECURITY}:" in arn for arn in conditions["ArnLike"]["aws:SourceArn"]), sid


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_eventbridge_publishes_unconditioned_and_alarms_by_account_and_region(stack):
    """EventBridge user guide and SNS developer guide: no condition for EventBridge."""
    plan = planned(stack, False)
    for policy_resource in of_type(plan, TOPIC_POLICY):
        policy = document(policy_resource)
        (topic_arn,) = statement(policy, "AllowEventBridgePublish")["Resource"]
        assert "Condition" not in statement(policy, "AllowEventBridgePublish")
        region, account = topic_arn.split(":")[3:5]
        assert statement(policy, "AllowCloudWatchAlarmsPublish")["Condition"] == {
            "StringEquals": {"aws:SourceAccount": [account]},
            "ArnLike": {"aws:SourceArn": [f"arn:aws:cloudwatch:{region}:{account}:alarm:*"]},
        }
    for key in [k for k in of_type(plan, KEY) if k.name.startswith("notifications")]:
        assert "Condition" not in statement(document(key), "AllowEventBridgePublishing")


# The CloudTrail -> CloudWatch Logs role: CloudTrail documents no condition for its trust.


def test_prod_the_cloudtrail_logs_role_trusts_cloudtrail_as_documented(prod):
    (role,) = [
        r for r in of_type(prod, "aws:iam/role:Role") if r.name == "cloudtrail-cloudwatch-role"
    ]
    (trust,) = document(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert actions(trust) == {"sts:AssumeRole"}
    assert "Condition" not in trust


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_parliament_finds_nothing_in_key_topic_archive_and_trail_documents(stack):
    plan = planned(stack, False)
    documents: list[tuple[str, PolicyKind, str]] = [
        *((k.inputs["policy"], "key", k.name) for k in of_type(plan, KEY)),
        *((p.inputs["policy"], "resource", p.name) for p in of_type(plan, TOPIC_POLICY)),
        *(
            (p.inputs["policy"], "resource", p.name)
            for p in of_type(plan, BUCKET_POLICY)
            if p.name.startswith("log-archive")
        ),
        *(
            (r.inputs["assumeRolePolicy"], "trust", r.name)
            for r in of_type(plan, "aws:iam/role:Role")
            if r.name.startswith("cloudtrail")
        ),
    ]
    assert len(documents) >= 6
    for text, kind, name in documents:
        assert lint(text, kind) == [], name


def test_prod_fms_topics_and_keys_wait_for_the_service_linked_role_they_name(prod):
    """KMS and SNS refuse a policy naming a principal that does not exist yet."""
    (role,) = [
        r
        for r in of_type(prod, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
        if r.inputs["awsServiceName"] == "fms.amazonaws.com"
    ]
    assert account_of(role) == SECURITY
    named = [
        r
        for r in (*of_type(prod, TOPIC_POLICY), *of_type(prod, KEY))
        if "AWSServiceRoleForFMS" in json.dumps(document(r))
    ]
    assert len(named) == 9  # 5 topic policies, 4 keys
    for resource in named:
        assert role.urn in resource.dependencies, resource.name


def test_an_existing_fms_service_linked_role_is_not_created_again():
    plan = prod_variant(
        lambda spec: spec["firewall_manager"].update(service_linked_role="existing")
    )
    roles = of_type(plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert all(r.inputs["awsServiceName"] != "fms.amazonaws.com" for r in roles)
