"""OrganizationTrail: validated multi-region trail, its own key, optional CloudWatch Logs."""

import json

import pytest

from baseline.capabilities.cloudtrail.component import (
    CloudWatchLogsDelivery,
    OrganizationTrail,
    OrganizationTrailArgs,
    S3DataEvents,
)
from baseline.capabilities.log_archive.component import LogArchive, LogArchiveArgs
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
from tests.policy_documents import actions, document, lint, principals, statement

READER = "arn:aws:iam::123456789012:role/auditor"
TRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def trail_program(**overrides):
    return exporting(
        lambda: OrganizationTrail(
            "org", OrganizationTrailArgs(bucket_name="log-archive", **overrides)
        ),
        "arn",
        "name",
        "key_arn",
        "log_group_name",
    )


@pytest.mark.parametrize("preview", [True, False])
def test_the_trail_covers_the_organization_every_region_and_validates_its_files(preview):
    plan = plan_of(trail_program(is_organization_trail=True), preview=preview)
    trail, key = only(plan, TRAIL), only(plan, "aws:kms/key:Key")
    assert trail.inputs["isOrganizationTrail"] is True
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["includeGlobalServiceEvents"] is True
    assert trail.inputs["enableLogging"] is True
    assert trail.inputs["kmsKeyId"] == key.outputs["arn"]
    assert trail.inputs["s3BucketName"] == "log-archive"
    assert trail.inputs["s3KeyPrefix"] == "cloudtrail"
    assert key.inputs["enableKeyRotation"] is True
    assert plan.stack_outputs == {
        "arn": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org",
        "name": "org",
        "key_arn": key.outputs["arn"],
        "log_group_name": "/aws/cloudtrail/org",
    }


def test_an_account_trail_unless_organization_mode_is_asked_for():
    assert only(plan_of(trail_program()), TRAIL).inputs["isOrganizationTrail"] is False


def test_the_key_serves_this_trail_only_and_its_readers_only_decrypt():
    plan = plan_of(trail_program(key_user_arns=(READER,)))
    trail_arn = only(plan, TRAIL).outputs["arn"]
    policy = document(only(plan, "aws:kms/key:Key"))
    encrypt = statement(policy, "AllowCloudTrailEncryptLogs")
    assert principals(encrypt, "Service") == ["cloudtrail.amazonaws.com"]
    assert actions(encrypt) == {"kms:GenerateDataKey*"}
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": trail_arn},
        "StringLike": {
            "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
        },
    }
    assert statement(policy, "AllowCloudTrailDescribeKey")["Condition"] == {
        "StringEquals": {"aws:SourceArn": trail_arn}
    }
    readers = statement(policy, "AllowCloudTrailLogDecryption")
    assert principals(readers, "AWS") == [READER]
    assert actions(readers) == {"kms:Decrypt"}
    assert readers["Condition"] == {"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}
    assert "KeyUsage" not in {each["Sid"] for each in policy["Statement"]}


def test_with_account_reads_the_account_root_may_decrypt_the_logs_too():
    policy = document(only(plan_of(trail_program(account_reads=True)), "aws:kms/key:Key"))
    readers = statement(policy, "AllowCloudTrailLogDecryption")
    assert principals(readers, "AWS") == [ROOT]
    assert actions(readers) == {"kms:Decrypt"}
    assert readers["Condition"] == {"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}}


def test_the_deployer_and_the_administrators_administer_the_trail_key():
    admin = "arn:aws:iam::222222222222:role/KeyAdministrators"
    deployer = f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
    plan = plan_of(trail_program(key_administrator_arns=(admin,), key_deployer_arns=(deployer,)))
    policy = document(only(plan, "aws:kms/key:Key"))
    assert principals(statement(policy, "KeyAdministration"), "AWS") == [admin]
    deployers = statement(policy, "DeployerKeyAdministration")
    assert principals(deployers, "AWS") == [deployer]
    assert "kms:PutKeyPolicy" in actions(deployers)


@pytest.mark.parametrize("preview", [True, False])
def test_cloudwatch_delivery_is_encrypted_retained_and_written_through_a_narrow_role(preview):
    plan = plan_of(
        trail_program(cloudwatch_logs=CloudWatchLogsDelivery(retention_in_days=731)),
        preview=preview,
    )
    trail, key, group = only(plan, TRAIL), only(plan, "aws:kms/key:Key"), only(plan, LOG_GROUP)
    assert group.inputs["name"] == "/aws/cloudtrail/org"
    assert group.inputs["retentionInDays"] == 731.0
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    logs = statement(document(key), "AllowCloudWatchLogsEncryption")
    assert principals(logs, "Service") == ["logs.us-east-1.amazonaws.com"]
    assert logs["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:logs:arn": group.outputs["arn"]}
    }
    assert "kms:DescribeKey" not in actions(logs)

    role, role_policy = only(plan, "aws:iam/role:Role"), only(plan, "aws:iam/rolePolicy:RolePolicy")
    # CloudTrail user guide: the role supports no aws:SourceArn or aws:SourceAccount condition.
    assert document(role, "assumeRolePolicy")["Statement"] == [
        {
            "Sid": "CloudTrailDeliversToCloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": ["sts:AssumeRole"],
        }
    ]
    write = statement(document(role_policy), "WriteTrailLogStreams")
    assert actions(write) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert write["Resource"] == [f"{group.outputs['arn']}:log-stream:*"]
    assert role_policy.inputs["role"] == role.outputs["name"]

    assert trail.inputs["cloudWatchLogsGroupArn"] == f"{group.outputs['arn']}:*"
    assert trail.inputs["cloudWatchLogsRoleArn"] == role.outputs["arn"]
    assert role_policy.urn in trail.dependencies


def test_without_cloudwatch_delivery_there_is_no_log_group_role_or_logs_grant():
    plan = plan_of(trail_program(cloudwatch_logs=None))
    assert of_type(plan, LOG_GROUP) == [] and of_type(plan, "aws:iam/role:Role") == []
    trail = only(plan, TRAIL)
    assert "cloudWatchLogsGroupArn" not in trail.inputs
    sids = {each["Sid"] for each in document(only(plan, "aws:kms/key:Key"))["Statement"]}
    assert sids == {"KeyAdministration", "AllowCloudTrailEncryptLogs", "AllowCloudTrailDescribeKey"}
    assert plan.stack_outputs["log_group_name"] is None


@pytest.mark.parametrize("days", [0, 366, 10])
def test_retention_cloudwatch_would_refuse_is_refused(days):
    with pytest.raises(ValueError, match="retention"):
        CloudWatchLogsDelivery(retention_in_days=days)


@pytest.mark.parametrize("name", ["ab", "-starts-with-dash", "has space", "x" * 129])
def test_trail_names_cloudtrail_would_refuse_are_refused(name):
    with pytest.raises(ValueError, match="trail_name"):
        OrganizationTrailArgs(bucket_name="b", trail_name=name)


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(trail_program(region="eu-north-1", trail_name="baseline"))
    component = only(plan, "security-baseline:cloudtrail:OrganizationTrail")
    children = descendants(plan, component)
    assert all(by_urn(plan, child.parent) in [component, *children] for child in children)
    regional = [c for c in children if c.custom and not c.type.startswith("aws:iam/")]
    assert {c.type for c in regional} == {
        TRAIL,
        LOG_GROUP,
        "aws:kms/key:Key",
        "aws:kms/alias:Alias",
    }
    assert all(child.inputs["region"] == "eu-north-1" for child in regional)
    trail = only(plan, TRAIL)
    assert trail.outputs["arn"] == f"arn:aws:cloudtrail:eu-north-1:{ACCOUNT}:trail/baseline"
    logs = statement(document(only(plan, "aws:kms/key:Key")), "AllowCloudWatchLogsEncryption")
    assert principals(logs, "Service") == ["logs.eu-north-1.amazonaws.com"]


def test_the_trail_writes_to_the_log_archive_once_its_policy_is_in_place():
    def program() -> None:
        archive = LogArchive("logs", LogArchiveArgs())
        OrganizationTrail(
            "org",
            OrganizationTrailArgs(
                bucket_name=archive.bucket, s3_key_prefix=archive.cloudtrail_prefix
            ),
        )

    plan = plan_of(program)
    trail = only(plan, TRAIL)
    archive_bucket = only(plan, "aws:s3/bucket:Bucket", "logs-archive-bucket")
    archive_policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy", "logs-archive-policy")
    assert trail.inputs["s3BucketName"] == archive_bucket.outputs["bucket"]
    assert archive_policy.urn in trail.dependencies
    write = statement(document(archive_policy), "CloudTrailWrite")
    assert write["Resource"] == [
        f"{archive_bucket.outputs['arn']}/{trail.inputs['s3KeyPrefix']}/AWSLogs/{ACCOUNT}/*"
    ]
    assert write["Condition"]["ArnLike"]["aws:SourceArn"] == [
        f"arn:aws:cloudtrail:*:{ACCOUNT}:trail/*"
    ]


def test_trail_policies_pass_parliament():
    plan = plan_of(trail_program(key_user_arns=(READER,)))
    assert lint(only(plan, "aws:kms/key:Key").inputs["policy"], "key") == []
    assert lint(only(plan, "aws:iam/rolePolicy:RolePolicy").inputs["policy"], "identity") == []
    trust = only(plan, "aws:iam/role:Role").inputs["assumeRolePolicy"]
    assert "Resource" not in json.loads(trust)["Statement"][0]
    assert lint(trust, "trust") == []


def test_without_data_events_the_trail_keeps_its_default_selectors():
    plan = plan_of(trail_program())
    assert "advancedEventSelectors" not in only(plan, TRAIL).inputs


@pytest.mark.parametrize(
    ("events", "read_only", "name"),
    [
        (S3DataEvents(), None, "S3 object reads and writes"),
        (S3DataEvents(read=False), ["false"], "S3 object writes"),
        (S3DataEvents(write=False), ["true"], "S3 object reads"),
    ],
)
def test_s3_data_events_keep_management_events_and_leave_out_the_trails_bucket(
    events, read_only, name
):
    plan = plan_of(trail_program(s3_data_events=events))
    management, data = only(plan, TRAIL).inputs["advancedEventSelectors"]
    assert management == {
        "name": "Management events",
        "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
    }
    assert data["name"] == name
    fields = {field["field"]: field for field in data["fieldSelectors"]}
    assert fields["eventCategory"]["equals"] == ["Data"]
    assert fields["resources.type"]["equals"] == ["AWS::S3::Object"]
    # The trail's own deliveries would be data events too.
    assert fields["resources.ARN"]["notStartsWiths"] == ["arn:aws:s3:::log-archive/"]
    assert fields.get("readOnly", {}).get("equals") == read_only


def test_data_events_of_neither_kind_are_refused():
    with pytest.raises(ValueError, match="writes, reads or both"):
        S3DataEvents(write=False, read=False)
