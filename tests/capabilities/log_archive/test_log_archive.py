"""LogArchive: each service writes only under its prefix, only for this account or organization."""

import json

import pulumi
import pytest

from baseline.capabilities.log_archive.component import LogArchive, LogArchiveArgs, LogService
from tests.components_harness import ACCOUNT, ROOT, by_urn, descendants, of_type, only, plan_of
from tests.policy_documents import actions, document, lint, principals, statement

ORG = "o-a1b2c3d4e5"
MANAGEMENT = "111111111111"
SECURITY = "222222222222"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
ALL_SERVICES: tuple[LogService, ...] = ("cloudtrail", "config", "guardduty", "macie")


def archive_program(args: LogArchiveArgs):
    def program() -> None:
        archive = LogArchive("logs", args)
        pulumi.export("bucket", archive.bucket)
        pulumi.export("arn", archive.arn)
        pulumi.export("key_arn", archive.key_arn)
        pulumi.export(
            "prefixes",
            [
                archive.cloudtrail_prefix,
                archive.config_prefix,
                archive.guardduty_prefix,
                archive.macie_prefix,
            ],
        )

    return program


def archive_policy(plan):
    return document(only(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-archive-policy"))


def archive_arn(plan):
    return only(plan, "aws:s3/bucket:Bucket", "logs-archive-bucket").outputs["arn"]


@pytest.mark.parametrize("preview", [True, False])
def test_account_mode_admits_cloudtrail_and_config_for_this_account_under_their_prefixes(preview):
    plan = plan_of(archive_program(LogArchiveArgs()), preview=preview)
    policy, arn = archive_policy(plan), archive_arn(plan)
    this_account = {"aws:SourceAccount": [ACCOUNT]}
    # CloudTrail user guide: aws:SourceArn, the trail; any trail of the account when not named.
    trails = {"ArnLike": {"aws:SourceArn": [f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"]}}

    acl_check = statement(policy, "CloudTrailAclCheck")
    assert actions(acl_check) == {"s3:GetBucketAcl"} and acl_check["Resource"] == [arn]
    assert acl_check["Condition"] == trails
    write = statement(policy, "CloudTrailWrite")
    assert principals(write, "Service") == ["cloudtrail.amazonaws.com"]
    assert write["Resource"] == [f"{arn}/cloudtrail/AWSLogs/{ACCOUNT}/*"]
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
        **trails,
    }

    # Config developer guide: aws:SourceAccount on the checks and the write.
    assert statement(policy, "ConfigAclCheck")["Condition"] == {"StringEquals": this_account}
    existence = statement(policy, "ConfigBucketExistenceCheck")
    assert actions(existence) == {"s3:ListBucket"}
    assert existence["Condition"] == {"StringEquals": this_account}
    config_write = statement(policy, "ConfigWrite")
    assert config_write["Resource"] == [f"{arn}/config/AWSLogs/{ACCOUNT}/Config/*"]
    assert config_write["Condition"] == {
        "StringEquals": {**this_account, "s3:x-amz-acl": "bucket-owner-full-control"}
    }
    assert plan.stack_outputs["prefixes"] == ["cloudtrail", "config", None, None]


def test_organization_mode_admits_the_trail_by_arn_config_by_organization_findings_by_account():
    trail = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org"
    args = LogArchiveArgs(
        organization_id=ORG,
        source_account_ids=(MANAGEMENT,),
        trail_arns=(trail,),
        findings_account_ids=(SECURITY,),
        services=ALL_SERVICES,
    )
    plan = plan_of(archive_program(args))
    policy, arn = archive_policy(plan), archive_arn(plan)
    # CloudTrail user guide, organization trails: aws:SourceArn is the management account's trail.
    write = statement(policy, "CloudTrailWrite")
    assert write["Resource"] == [
        f"{arn}/cloudtrail/AWSLogs/{MANAGEMENT}/*",
        f"{arn}/cloudtrail/AWSLogs/{ORG}/*",
    ]
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
        "ArnLike": {"aws:SourceArn": [trail]},
    }
    assert statement(policy, "CloudTrailAclCheck")["Condition"] == {
        "ArnLike": {"aws:SourceArn": [trail]}
    }
    # Control Tower user guide: every account's Config writes under aws:SourceOrgID.
    config_write = statement(policy, "ConfigWrite")
    assert config_write["Resource"] == [f"{arn}/config/AWSLogs/*/Config/*"]
    assert config_write["Condition"] == {
        "StringEquals": {"aws:SourceOrgID": ORG, "s3:x-amz-acl": "bucket-owner-full-control"}
    }
    for sid in ("ConfigAclCheck", "ConfigBucketExistenceCheck"):
        assert "Condition" not in statement(policy, sid)
    # GuardDuty and Macie export from the delegated administrator.
    for sid in ("GuardDutyBucketLocation", "GuardDutyWrite", "MacieBucketLocation", "MacieWrite"):
        assert statement(policy, sid)["Condition"]["StringEquals"] == {
            "aws:SourceAccount": [SECURITY]
        }
    assert statement(policy, "GuardDutyWrite")["Condition"]["ArnLike"] == {
        "aws:SourceArn": [f"arn:aws:guardduty:*:{SECURITY}:detector/*"]
    }
    assert "aws:SourceOrgID" not in json.dumps(
        [each for each in policy["Statement"] if not each["Sid"].startswith("Config")]
    )


def test_organization_mode_key_admits_config_unconditioned_and_exporters_by_account():
    args = LogArchiveArgs(
        organization_id=ORG,
        source_account_ids=(MANAGEMENT,),
        findings_account_ids=(SECURITY,),
        services=ALL_SERVICES,
    )
    policy = document(only(plan_of(archive_program(args)), "aws:kms/key:Key"))
    # Control Tower user guide, Optionally configure AWS KMS keys: no condition for Config.
    config = statement(policy, "AllowConfigDelivery")
    assert actions(config) == {"kms:Decrypt", "kms:GenerateDataKey"}
    assert "Condition" not in config
    guardduty = statement(policy, "AllowGuardDutyExport")
    assert actions(guardduty) == {"kms:GenerateDataKey"}
    assert guardduty["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [SECURITY]},
        "ArnLike": {"aws:SourceArn": [f"arn:aws:guardduty:*:{SECURITY}:detector/*"]},
    }
    macie = statement(policy, "AllowMacieExport")
    assert actions(macie) == {"kms:Encrypt", "kms:GenerateDataKey"}
    assert macie["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [SECURITY]},
        "ArnLike": {
            "aws:SourceArn": [
                f"arn:aws:macie2:*:{SECURITY}:export-configuration:*",
                f"arn:aws:macie2:*:{SECURITY}:classification-job/*",
            ]
        },
    }


def test_every_write_stays_under_its_services_prefix():
    plan = plan_of(archive_program(LogArchiveArgs(services=ALL_SERVICES)))
    policy, arn = archive_policy(plan), archive_arn(plan)
    writes = [each for each in policy["Statement"] if "s3:PutObject" in actions(each)]
    assert {each["Sid"] for each in writes} == {
        "CloudTrailWrite",
        "ConfigWrite",
        "GuardDutyWrite",
        "MacieWrite",
    }
    for each in writes:
        service = principals(each, "Service")[0].split(".")[0]
        assert all(resource.startswith(f"{arn}/{service}/") for resource in each["Resource"])
    for sid in ("ConfigWrite", "GuardDutyWrite", "MacieWrite"):
        assert statement(policy, sid)["Condition"]["StringEquals"]["aws:SourceAccount"] == [ACCOUNT]
    assert statement(policy, "GuardDutyWrite")["Condition"]["ArnLike"] == {
        "aws:SourceArn": [f"arn:aws:guardduty:*:{ACCOUNT}:detector/*"]
    }
    assert statement(policy, "MacieWrite")["Condition"]["ArnLike"] == {
        "aws:SourceArn": [
            f"arn:aws:macie2:*:{ACCOUNT}:export-configuration:*",
            f"arn:aws:macie2:*:{ACCOUNT}:classification-job/*",
        ]
    }


def test_guardduty_and_macie_are_only_admitted_when_named():
    policy = archive_policy(plan_of(archive_program(LogArchiveArgs())))
    granted = {
        principal
        for each in policy["Statement"]
        if "Principal" in each and each["Principal"] != "*"
        for principal in principals(each, "Service")
    }
    assert granted == {"cloudtrail.amazonaws.com", "config.amazonaws.com"}


def test_the_archive_key_lets_only_named_delivering_services_generate_data_keys():
    plan = plan_of(archive_program(LogArchiveArgs(services=("cloudtrail", "config", "guardduty"))))
    key = only(plan, "aws:kms/key:Key")
    policy = document(key)
    assert {each["Sid"] for each in policy["Statement"]} == {
        "KeyAdministration",
        "AllowConfigDelivery",
        "AllowGuardDutyExport",
    }
    assert statement(policy, "AllowConfigDelivery")["Condition"] == {
        "StringEquals": {"aws:SourceAccount": [ACCOUNT]}
    }
    encryption = only(plan, ENCRYPTION, "logs-archive-encryption")
    assert (
        encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
        == key.outputs["arn"]
    )
    assert plan.stack_outputs["key_arn"] == key.outputs["arn"]


def test_log_readers_list_get_and_decrypt_through_s3_only():
    reader = f"arn:aws:iam::{SECURITY}:role/investigator"
    plan = plan_of(archive_program(LogArchiveArgs(key_user_arns=(reader,))))
    policy = document(only(plan, "aws:kms/key:Key"))
    readers = statement(policy, "LogReadersDecrypt")
    assert principals(readers, "AWS") == [reader]
    assert actions(readers) == {"kms:Decrypt"}
    assert readers["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    }
    assert "KeyUsage" not in {each["Sid"] for each in policy["Statement"]}
    bucket, arn = archive_policy(plan), archive_arn(plan)
    listing = statement(bucket, "LogReadersList")
    assert (principals(listing, "AWS"), actions(listing)) == ([reader], {"s3:ListBucket"})
    assert listing["Resource"] == [arn]
    getting = statement(bucket, "LogReadersGetObjects")
    assert (principals(getting, "AWS"), actions(getting)) == ([reader], {"s3:GetObject"})
    assert getting["Resource"] == [f"{arn}/*"]


def test_without_readers_nobody_is_granted_reads():
    plan = plan_of(archive_program(LogArchiveArgs()))
    sids = {each["Sid"] for each in archive_policy(plan)["Statement"]}
    assert not {"LogReadersList", "LogReadersGetObjects"} & sids
    key_sids = {each["Sid"] for each in document(only(plan, "aws:kms/key:Key"))["Statement"]}
    assert "LogReadersDecrypt" not in key_sids


def test_with_account_reads_the_account_decides_who_decrypts():
    policy = document(
        only(plan_of(archive_program(LogArchiveArgs(account_reads=True))), "aws:kms/key:Key")
    )
    assert principals(statement(policy, "LogReadersDecrypt"), "AWS") == [ROOT]


def test_a_given_key_replaces_the_archive_key():
    given = "arn:aws:kms:us-east-1:123456789012:key/given"
    plan = plan_of(archive_program(LogArchiveArgs(kms_key_arn=given)))
    assert of_type(plan, "aws:kms/key:Key") == []
    rules = only(plan, ENCRYPTION, "logs-archive-encryption").inputs["rules"]
    assert rules[0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == given
    assert plan.stack_outputs["key_arn"] == given


def test_retention_moves_to_glacier_then_expires_and_drops_old_versions():
    args = LogArchiveArgs(
        transition_to_glacier_days=30, expiration_days=2555, noncurrent_version_expiration_days=7
    )
    plan = plan_of(archive_program(args))
    rule = only(
        plan,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "logs-archive-lifecycle",
    ).inputs["rules"][0]
    assert rule["transitions"] == [{"days": 30.0, "storageClass": "GLACIER"}]
    assert rule["expiration"] == {"days": 2555.0}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 7.0}


def test_default_retention_is_ninety_days_then_a_year():
    plan = plan_of(archive_program(LogArchiveArgs()))
    rule = only(
        plan,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "logs-archive-lifecycle",
    ).inputs["rules"][0]
    assert (rule["transitions"][0]["days"], rule["expiration"]["days"]) == (90.0, 365.0)


def test_access_logs_go_to_a_protected_sse_s3_bucket_only_the_archive_may_write():
    plan = plan_of(archive_program(LogArchiveArgs()))
    logs_bucket = only(plan, "aws:s3/bucket:Bucket", "logs-access-logs-bucket")
    logging = only(plan, "aws:s3/bucketLogging:BucketLogging")
    assert (
        logging.inputs["bucket"]
        == only(plan, "aws:s3/bucket:Bucket", "logs-archive-bucket").outputs["bucket"]
    )
    assert logging.inputs["targetBucket"] == logs_bucket.outputs["bucket"]
    assert logging.inputs["targetPrefix"] == "log-archive/"
    assert only(plan, ENCRYPTION, "logs-access-logs-encryption").inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    block = only(
        plan,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "logs-access-logs-public-access",
    )
    assert all(
        block.inputs[flag]
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    policy = document(only(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-access-logs-policy"))
    assert statement(policy, "DenyInsecureTransport")["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"}
    }
    delivery = statement(policy, "AllowServerAccessLogDelivery")
    assert principals(delivery, "Service") == ["logging.s3.amazonaws.com"]
    assert delivery["Resource"] == [f"{logs_bucket.outputs['arn']}/log-archive/*"]
    assert delivery["Condition"] == {
        "ArnLike": {"aws:SourceArn": [archive_arn(plan)]},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }


def test_access_logging_can_be_turned_off_explicitly():
    plan = plan_of(archive_program(LogArchiveArgs(access_logging=False)))
    assert len(of_type(plan, "aws:s3/bucket:Bucket")) == 1
    assert of_type(plan, "aws:s3/bucketLogging:BucketLogging") == []


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(archive_program(LogArchiveArgs(region="ap-southeast-2", services=ALL_SERVICES)))
    archive = only(plan, "security-baseline:log_archive:LogArchive")
    children = descendants(plan, archive)
    direct = [child for child in children if child.parent == archive.urn]
    assert {child.type for child in direct} == {
        "security-baseline:kms:ManagedKey",
        "security-baseline:buckets:SecureBucket",
        "aws:s3/bucketLogging:BucketLogging",
    }
    custom = [child for child in children if child.custom]
    assert all(child.inputs["region"] == "ap-southeast-2" for child in custom)
    assert all(by_urn(plan, child.parent) in [archive, *children] for child in children)


def test_archive_policies_pass_parliament():
    reader = f"arn:aws:iam::{SECURITY}:role/investigator"
    plan = plan_of(archive_program(LogArchiveArgs(services=ALL_SERVICES, key_user_arns=(reader,))))
    for policy in of_type(plan, "aws:s3/bucketPolicy:BucketPolicy"):
        assert lint(policy.inputs["policy"], "resource") == [], policy.name
    assert lint(only(plan, "aws:kms/key:Key").inputs["policy"], "key") == []
    org_args = LogArchiveArgs(
        organization_id=ORG,
        services=ALL_SERVICES,
        findings_account_ids=(SECURITY,),
        key_user_arns=(reader,),
    )
    org_plan = plan_of(archive_program(org_args))
    assert lint(archive_policy_input(org_plan), "resource") == []
    assert lint(only(org_plan, "aws:kms/key:Key").inputs["policy"], "key") == []


def archive_policy_input(plan):
    return only(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-archive-policy").inputs["policy"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"services": ("cloudtrail", "vpcflow")}, "unknown log services"),
        ({"source_account_ids": ("12345",)}, "12 digits"),
        ({"findings_account_ids": ("2222",)}, "12 digits"),
        ({"organization_id": "org-1"}, "o-xxxxxxxxxx"),
        ({"transition_to_glacier_days": 400, "expiration_days": 365}, "greater than"),
    ],
)
def test_arguments_aws_would_refuse_are_refused(args, message):
    with pytest.raises(ValueError, match=message):
        LogArchiveArgs(**args)
