"""ScannerFindings under the offline mocks, the `scanner_findings` spec section, and prod."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from baseline.capabilities.scanner_findings.component import (
    FUNCTION_DIR,
    TOOLS,
    ScannerFindings,
    ScannerFindingsArgs,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer import (
    events,
    service,
)
from baseline.preview.model import Plan, PlannedResource
from baseline.problems import SpecError
from baseline.spec_loader import parse_spec
from components.lambda_code import code_archive
from tests.components_harness import of_type, only, plan_of
from tests.organization_harness import SECURITY, account_provider
from tests.policy_documents import document, lint, statement
from tests.test_stack import planned

REGION = "eu-west-1"
BUILD = f"arn:aws:iam::{SECURITY}:role/codebuild-app-build"
DAST = "arn:aws:iam::555555555555:role/ci/codebuild-app-dast"
ROLES = (BUILD, DAST)
ADMIN = f"arn:aws:iam::{SECURITY}:role/KeyAdministrators"
LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{SECURITY}:log-group:/security-baseline/scanner-import"


def _plan(args: ScannerFindingsArgs) -> Plan:
    def program() -> None:
        security = account_provider("security", SECURITY, REGION)
        ScannerFindings("scanner", args, opts=pulumi.ResourceOptions(provider=security))

    return plan_of(program)


def _args(**overrides: Any) -> ScannerFindingsArgs:
    settings: dict[str, Any] = {
        "codebuild_role_arns": ROLES,
        "report_retention_days": 30,
        "key_administrator_arns": (ADMIN,),
        "region": REGION,
    }
    return ScannerFindingsArgs(**{**settings, **overrides})


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan(_args())


def _function(plan: Plan) -> PlannedResource:
    return only(plan, "aws:lambda/function:Function")


def _bucket(plan: Plan) -> PlannedResource:
    return only(plan, "aws:s3/bucket:Bucket")


def _key(plan: Plan) -> PlannedResource:
    return only(plan, "aws:kms/key:Key", "scanner-reports-key")


def _dead_letters(plan: Plan) -> PlannedResource:
    return only(plan, "aws:sqs/queue:Queue")


def _dead_letter_key(plan: Plan) -> PlannedResource:
    return only(plan, "aws:kms/key:Key", "scanner-import-dead-letters-key-key")


def _bucket_policy(plan: Plan) -> dict[str, Any]:
    return document(only(plan, "aws:s3/bucketPolicy:BucketPolicy"))


def _role(plan: Plan) -> PlannedResource:
    return only(plan, "aws:iam/role:Role")


# The function


def test_the_component_accepts_the_tools_and_key_layout_the_function_reads() -> None:
    assert set(TOOLS) == set(service.PARSERS)
    assert f"{events.KEY_PREFIX}/" == "reports/"
    assert events.KEY_SUFFIX == ".json"


def test_the_function_runs_the_bundled_handler(plan: Plan) -> None:
    inputs = _function(plan).inputs
    assert (inputs["runtime"], inputs["handler"], inputs["region"]) == (
        "python3.12",
        "handler.handler",
        REGION,
    )
    assert inputs["memorySize"] >= 512
    assert inputs["timeout"] >= 60
    assert inputs["role"] == _role(plan).outputs["arn"]
    # The handler reads only AWS_REGION, which Lambda sets.
    assert "environment" not in inputs
    assets = inputs["code"]["assets"]
    expected = {
        path.relative_to(FUNCTION_DIR).as_posix()
        for path in FUNCTION_DIR.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {"handler.py", "importer/service.py", "importer/events.py"} <= set(assets)
    assert set(assets) == expected
    assert assets["handler.py"]["path"] == str(FUNCTION_DIR / "handler.py")


def test_the_archive_leaves_bytecode_caches_out(tmp_path: Path) -> None:
    (tmp_path / "importer" / "__pycache__").mkdir(parents=True)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "handler.py").write_text("")
    (tmp_path / "importer" / "service.py").write_text("")
    (tmp_path / "importer" / "__pycache__" / "service.cpython-312.pyc").write_bytes(b"\0")
    (tmp_path / "__pycache__" / "handler.cpython-312.pyc").write_bytes(b"\0")

    assert set(code_archive(tmp_path).assets) == {"handler.py", "importer/service.py"}


def test_the_function_logs_to_an_encrypted_log_group(plan: Plan) -> None:
    log_group = only(plan, "aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["kmsKeyId"] == _key(plan).outputs["arn"]
    assert log_group.inputs["retentionInDays"] == 365
    assert _function(plan).inputs["loggingConfig"]["logGroup"] == log_group.outputs["name"]
    grant = statement(document(_key(plan)), "AllowCloudWatchLogsEncryption")
    assert grant["Principal"] == {"Service": [f"logs.{REGION}.amazonaws.com"]}
    assert grant["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:aws:logs:arn": LOG_GROUP_ARN}
    }
    assert log_group.outputs["arn"].removesuffix(":*") == LOG_GROUP_ARN


def test_the_function_role_grants_only_what_the_import_needs(plan: Plan) -> None:
    role = _role(plan)
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    role_policy = only(plan, "aws:iam/rolePolicy:RolePolicy")
    assert role_policy.inputs["role"] == role.id
    policy = document(role_policy)
    granted = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    bucket = _bucket(plan).outputs["arn"]
    log_group = only(plan, "aws:cloudwatch/logGroup:LogGroup").outputs["arn"]
    assert granted == {
        "ImportFindings": (
            ["securityhub:BatchImportFindings"],
            [f"arn:aws:securityhub:{REGION}:{SECURITY}:product/{SECURITY}/default"],
        ),
        "ReadAndResolveFindings": (
            ["securityhub:GetFindings", "securityhub:BatchUpdateFindings"],
            [f"arn:aws:securityhub:{REGION}:{SECURITY}:hub/default"],
        ),
        "ReadReports": (["s3:GetObject", "s3:GetObjectVersion"], [f"{bucket}/reports/*"]),
        # A report deleted since its event reads as NoSuchKey only with s3:ListBucket.
        "FindGoneReports": (["s3:ListBucket"], [bucket]),
        "DecryptReports": (["kms:Decrypt"], [_key(plan).outputs["arn"]]),
        "WriteOwnLogs": (
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{log_group.removesuffix(':*')}:*"],
        ),
        "SendToDeadLetterQueue": (["sqs:SendMessage"], [_dead_letters(plan).outputs["arn"]]),
        "EncryptDeadLetters": (
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [_dead_letter_key(plan).outputs["arn"]],
        ),
    }
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    # The reports key only decrypts reports through S3, the dead letters' key only through SQS.
    assert statement(policy, "DecryptReports")["Condition"] == {
        "StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    }
    assert statement(policy, "EncryptDeadLetters")["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}
    }
    assert lint(json.dumps(policy), "identity") == []


def test_a_report_whose_import_failed_every_retry_is_kept_and_alarmed() -> None:
    topic = f"arn:aws:sns:{REGION}:{SECURITY}:delivery-alerts"
    plan = _plan(_args(alarm_topic_arn=topic))
    (config,) = of_type(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    queue = _dead_letters(plan)
    assert config.inputs["destinationConfig"] == {
        "onFailure": {"destination": queue.outputs["arn"]}
    }
    assert queue.inputs["kmsMasterKeyId"] == _dead_letter_key(plan).outputs["arn"]
    assert queue.inputs["messageRetentionSeconds"] == 1_209_600
    alarms = {a.name: a.inputs for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(alarms) == {"scanner-import-errors", "scanner-import-dead-letters"}
    assert all(alarm["alarmActions"] == [topic] for alarm in alarms.values())


def test_the_key_users_roles_of_the_account_read_the_dead_letters() -> None:
    analyst = f"arn:aws:iam::{SECURITY}:role/SecurityAnalysts"
    plan = _plan(_args(key_user_arns=(analyst, f"arn:aws:iam::{SECURITY}:user/alice")))
    grant = statement(document(_dead_letter_key(plan)), "AllowConsumerRoles")
    # The queue's key and policy admit roles by name: a user reads through a role.
    assert grant["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [analyst]}}


def test_without_an_alarm_topic_there_is_no_alarm(plan: Plan) -> None:
    assert of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm") == []


# Triggers and permissions


def test_reports_uploaded_under_reports_trigger_the_function(plan: Plan) -> None:
    notification = only(plan, "aws:s3/bucketNotification:BucketNotification")
    function = _function(plan)
    assert notification.inputs["bucket"] == _bucket(plan).outputs["bucket"]
    assert notification.inputs["lambdaFunctions"] == [
        {
            "lambdaFunctionArn": function.outputs["arn"],
            "events": ["s3:ObjectCreated:*"],
            "filterPrefix": "reports/",
            "filterSuffix": ".json",
        }
    ]
    s3_permission = only(plan, "aws:lambda/permission:Permission", "scanner-s3-invoke")
    # S3 checks its permission when the notification is configured.
    assert s3_permission.urn in notification.dependencies


def test_only_this_bucket_of_this_account_and_the_named_roles_may_invoke(plan: Plan) -> None:
    function = _function(plan)
    permissions = of_type(plan, "aws:lambda/permission:Permission")
    by_principal = {p.inputs["principal"]: p.inputs for p in permissions}
    assert set(by_principal) == {"s3.amazonaws.com", *ROLES}
    assert len(permissions) == 3
    s3 = by_principal["s3.amazonaws.com"]
    assert (s3["sourceArn"], s3["sourceAccount"]) == (_bucket(plan).outputs["arn"], SECURITY)
    for role in ROLES:
        assert "sourceArn" not in by_principal[role]
    for inputs in by_principal.values():
        assert inputs["action"] == "lambda:InvokeFunction"
        assert inputs["function"] == function.outputs["name"]
        assert inputs["region"] == REGION


# The reports bucket and its key


def test_only_the_named_roles_may_upload_and_only_under_reports(plan: Plan) -> None:
    policy = _bucket_policy(plan)
    bucket = _bucket(plan).outputs["arn"]
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert [s["Sid"] for s in allows] == ["AllowReportUploads"]
    upload = allows[0]
    assert upload["Principal"] == {"AWS": list(ROLES)}
    assert upload["Action"] == ["s3:PutObject"]
    assert upload["Resource"] == [f"{bucket}/reports/{tool}/*" for tool in TOOLS]
    others = statement(policy, "DenyUploadsByOthers")
    assert (others["Effect"], others["Principal"], others["Action"]) == (
        "Deny",
        "*",
        ["s3:PutObject"],
    )
    assert others["Resource"] == [f"{bucket}/*"]
    assert others["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": list(ROLES)}}
    outside = statement(policy, "DenyUploadsOutsideAcceptedTools")
    assert (outside["Effect"], outside["Principal"], outside["Action"]) == (
        "Deny",
        "*",
        ["s3:PutObject"],
    )
    assert outside["NotResource"] == upload["Resource"]
    assert "Condition" not in outside
    assert lint(json.dumps(policy), "resource") == []


def test_uploads_must_use_the_bucket_key(plan: Plan) -> None:
    policy = _bucket_policy(plan)
    key = _key(plan).outputs["arn"]
    other_keys = statement(policy, "DenyOtherEncryptionKeys")
    assert other_keys["Effect"] == "Deny"
    assert other_keys["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption": "false"},
        "ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key},
    }
    customer_keys = statement(policy, "DenyCustomerProvidedKeys")
    assert customer_keys["Condition"] == {
        "Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}
    }
    encryption = only(
        plan,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    (rule,) = encryption.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key,
    }


def test_the_key_lets_uploaders_and_the_function_use_it_through_s3_only(plan: Plan) -> None:
    key_policy = document(_key(plan))
    through_s3 = {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}}
    uploads = statement(key_policy, "ReportUploadsThroughS3")
    assert uploads["Principal"] == {"AWS": list(ROLES)}
    assert uploads["Action"] == ["kms:GenerateDataKey", "kms:Decrypt"]
    assert uploads["Condition"] == through_s3
    reads = statement(key_policy, "ReportReadsThroughS3")
    assert reads["Principal"] == {"AWS": [_role(plan).outputs["arn"]]}
    assert (reads["Action"], reads["Condition"]) == (["kms:Decrypt"], through_s3)
    assert statement(key_policy, "KeyAdministration")["Principal"] == {"AWS": [ADMIN]}
    assert lint(json.dumps(key_policy), "key") == []


def test_reports_and_their_old_versions_expire(plan: Plan) -> None:
    lifecycle = only(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle.inputs["rules"]
    assert rule["expiration"] == {"days": 30}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}


def test_uploads_are_accepted_for_the_chosen_tools_only() -> None:
    plan = _plan(_args(tools=("zap", "sarif")))
    bucket = _bucket(plan).outputs["arn"]
    policy = _bucket_policy(plan)
    accepted = [f"{bucket}/reports/zap/*", f"{bucket}/reports/sarif/*"]
    assert statement(policy, "AllowReportUploads")["Resource"] == accepted
    assert statement(policy, "DenyUploadsOutsideAcceptedTools")["NotResource"] == accepted


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"codebuild_role_arns": ()}, "at least one CodeBuild role"),
        ({"codebuild_role_arns": ("arn:aws:iam::123:role/x",)}, "not an IAM role ARN"),
        ({"codebuild_role_arns": (BUILD, BUILD)}, "lists a role twice"),
        ({"tools": ("zap", "trivy")}, "unknown tools trivy"),
        ({"tools": ()}, "each accepted tool once"),
        ({"report_retention_days": 0}, "positive number of days"),
    ],
)
def test_arguments_are_checked(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _args(**overrides)


# The spec section


def _section_problems(section: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as raised:
        parse_spec({"scanner_findings": section}, aws_region=REGION)
    return [(p.where, p.what) for p in raised.value.problems]


def test_the_section_is_off_by_default_and_defaults_to_every_tool() -> None:
    settings = parse_spec({}, aws_region=REGION).scanner_findings
    assert settings.enabled is False
    assert settings.codebuild_role_arns == ()
    assert (settings.report_retention_days, settings.tools) == (90, TOOLS)


def test_a_valid_section_is_parsed() -> None:
    settings = parse_spec(
        {
            "scanner_findings": {
                "enabled": True,
                "codebuild_role_arns": list(ROLES),
                "report_retention_days": 30,
                "tools": ["zap", "sarif"],
            }
        },
        aws_region=REGION,
    ).scanner_findings
    assert settings.enabled is True
    assert settings.codebuild_role_arns == ROLES
    assert (settings.report_retention_days, settings.tools) == (30, ("zap", "sarif"))


@pytest.mark.parametrize(
    ("section", "where", "what"),
    [
        (
            {"codebuild_role_arns": ["arn:aws:iam::222222222222:user/alice"]},
            "baseline.scanner_findings.codebuild_role_arns[0]",
            "must be an IAM role ARN",
        ),
        (
            {"codebuild_role_arns": [BUILD, BUILD]},
            "baseline.scanner_findings.codebuild_role_arns",
            "is listed twice",
        ),
        (
            {"enabled": True},
            "baseline.scanner_findings.codebuild_role_arns",
            "at least one CodeBuild role is required",
        ),
        ({"tools": ["zap", "trivy"]}, "baseline.scanner_findings.tools", "unallowed value"),
        ({"tools": ["zap", "zap"]}, "baseline.scanner_findings.tools", "is listed twice"),
        ({"report_retention_days": 0}, "baseline.scanner_findings.report_retention_days", "1"),
        ({"retention": 30}, "baseline.scanner_findings.retention", "unknown key"),
    ],
)
def test_an_invalid_section_says_where_and_what(
    section: dict[str, Any], where: str, what: str
) -> None:
    problems = _section_problems(section)
    assert len(problems) == 1, problems
    assert problems[0][0] == where
    assert what in problems[0][1]


# The prod stack


def test_prod_imports_scanner_findings_in_the_security_account() -> None:
    plan = planned("prod", False)
    (function,) = [
        f
        for f in of_type(plan, "aws:lambda/function:Function")
        if f.inputs["handler"] == "handler.handler"
        and "importer/service.py" in f.inputs["code"]["assets"]
    ]
    assert function.outputs["arn"].startswith("arn:aws:lambda:us-east-1:222222222222:function:")
    (notification,) = of_type(plan, "aws:s3/bucketNotification:BucketNotification")
    assert notification.inputs["lambdaFunctions"][0]["lambdaFunctionArn"] == function.outputs["arn"]
    invoked_by = {
        p.inputs["principal"]
        for p in of_type(plan, "aws:lambda/permission:Permission")
        if p.inputs["function"] == function.outputs["name"]
    }
    assert invoked_by == {
        "s3.amazonaws.com",
        "arn:aws:iam::222222222222:role/codebuild-app-build",
        "arn:aws:iam::222222222222:role/codebuild-app-dast",
    }
    assert plan.stack_outputs["scanner_findings_function"] == function.outputs["name"]
    assert plan.stack_outputs["scanner_reports_bucket"] == notification.inputs["bucket"]
    key_arn = plan.stack_outputs["scanner_reports_key_arn"]
    assert key_arn.startswith("arn:aws:kms:us-east-1:222222222222:key/")
