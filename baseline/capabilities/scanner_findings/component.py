"""ScannerFindings: SCA, SAST and DAST reports from CodeBuild into Security Hub.

CodeBuild projects upload a report to the reports bucket under
`reports/<tool>/<repository>/<branch>/<commit>.json`, and S3 invokes the findings-import function
(functions/findings_import); or they invoke the function directly with the report in
the event. The function turns each issue into an ASFF finding of this account's default product.

Who may do what, and why:
- Only the named CodeBuild roles may put objects in the bucket, and nobody may put them outside
  `reports/<tool>/` for the accepted tools: a forged report would resolve real findings.
- An upload may rely on the bucket's default encryption (SSE-KMS with the bucket's key) or name
  that key; any other encryption is refused, so that every report is readable by the function
  and by nothing else. The roles get `kms:GenerateDataKey` and, for multipart uploads (which
  `aws s3 cp` uses above 8 MB), `kms:Decrypt` on the key, through S3 only.
- The function reads reports (`reports/*`), decrypts them through S3, lists the bucket (so that
  a report deleted since its event reads as gone, not as refused), imports into the
  account's default product and reads and resolves findings of its hub; `sts:GetCallerIdentity`
  needs no permission.
- The function's log group is encrypted with the same key: logs may quote the reports.

Roles of other accounts work too, provided their own IAM policies allow `s3:PutObject` on the
bucket, `kms:GenerateDataKey` and `kms:Decrypt` on the key and `lambda:InvokeFunction`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import LifecycleRules, SecureBucket, SecureBucketArgs, objects_of
from components.iam import (
    AwsContext,
    Statement,
    aws_context,
    statement,
)
from components.kms import (
    MAX_DELETION_WINDOW_DAYS,
    KeyGrant,
    ManagedKey,
    ManagedKeyArgs,
    cloudwatch_logs_grant,
)
from components.lambda_code import lambda_role
from components.lambda_function import ExecutionRole, SecureFunction, SecureFunctionArgs

FUNCTION_DIR = Path(__file__).parent / "functions" / "findings_import"
# The report formats the function reads; the names are the key segment after `reports/`.
TOOLS = ("dependency-check", "zap", "sonarqube", "sarif")
REPORTS_PREFIX = "reports/"
REPORT_SUFFIX = ".json"
ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")
# Reports take a while to parse, and throttled Security Hub calls back off for seconds.
FUNCTION_TIMEOUT_SECONDS = 300
FUNCTION_MEMORY_MB = 512


@dataclass(frozen=True)
class ScannerFindingsArgs:
    """Arguments of ScannerFindings.

    `codebuild_role_arns`: the roles allowed to upload reports and to invoke the function.
    `tools`: the reports the bucket accepts (`reports/<tool>/...`).
    `key_administrator_arns` empty means the account root administers the keys;
    `key_deployer_arns` keep administering them (ManagedKeyArgs.deployer_arns).
    `alarm_topic_arn`: where the function's error and dead-letter alarms notify (None: none).
    `key_user_arns`: who may read the dead letters (events whose import failed every retry);
    the queue admits the roles of this account among them, by name.
    """

    codebuild_role_arns: tuple[str, ...]
    report_retention_days: int = 90
    tools: tuple[str, ...] = TOOLS
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    log_retention_days: int = 365
    alarm_topic_arn: pulumi.Input[str] | None = None
    key_user_arns: tuple[pulumi.Input[str], ...] = ()
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.codebuild_role_arns:
            raise ValueError("name at least one CodeBuild role: nothing else may upload reports")
        for arn in self.codebuild_role_arns:
            if not ROLE_ARN.fullmatch(arn):
                raise ValueError(f"not an IAM role ARN: {arn!r}")
        if len(set(self.codebuild_role_arns)) != len(self.codebuild_role_arns):
            raise ValueError("codebuild_role_arns lists a role twice")
        if not self.tools or len(set(self.tools)) != len(self.tools):
            raise ValueError("tools must name each accepted tool once")
        unknown = sorted(set(self.tools) - set(TOOLS))
        if unknown:
            raise ValueError(f"unknown tools {', '.join(unknown)}; known: {', '.join(TOOLS)}")
        if self.report_retention_days < 1:
            raise ValueError("report_retention_days must be a positive number of days")


def log_group_name(name: str) -> str:
    return f"/security-baseline/{name}-import"


def product_arn(context: AwsContext) -> str:
    """The account's own product, which BatchImportFindings writes to."""
    return context.arn("securityhub", f"product/{context.account_id}/default")


def hub_arn(context: AwsContext) -> str:
    return context.arn("securityhub", "hub/default")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _deny_uploads(
    sid: str,
    resources: list[pulumi.Output[str]] | None,
    conditions: dict[str, dict[str, Any]] | None = None,
) -> Statement:
    """A bucket policy statement refusing `s3:PutObject` to everyone, under `conditions`."""
    return statement(
        sid,
        effect="Deny",
        principal="*",
        actions=["s3:PutObject"],
        resources=resources,
        conditions=conditions,
    )


class ScannerFindings(pulumi.ComponentResource):
    """The reports bucket and its key, the findings-import function, and who may use them."""

    function_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    reports_bucket: pulumi.Output[str]
    reports_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ScannerFindingsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:scanner_findings:ScannerFindings", name, None, opts)
        self._name = name
        self._args = args
        self._tags = dict(args.tags) or None
        self._context = aws_context(self, args.region)
        role = self._function_role()
        key = self._key(role.arn)
        bucket = SecureBucket(
            f"{name}-reports",
            SecureBucketArgs(
                kms_key_arn=key.arn,
                lifecycle=LifecycleRules(
                    expiration_days=args.report_retention_days,
                    noncurrent_version_expiration_days=args.report_retention_days,
                ),
                policy_statements=lambda arn: self._bucket_statements(arn, key.arn),
                region=args.region,
                tags=args.tags,
            ),
            opts=self._child(),
        )
        function = self._function(role, key.arn, bucket.arn)
        self._s3_trigger(function, bucket)
        for role_arn in args.codebuild_role_arns:
            aws.lambda_.Permission(
                f"{name}-invoke-{_digest(role_arn)}",
                action="lambda:InvokeFunction",
                function=function.function_name,
                principal=role_arn,
                region=args.region,
                opts=self._child(),
            )
        self.function_arn = function.arn
        self.function_name = function.function_name
        self.reports_bucket = bucket.bucket
        self.reports_key_arn = key.arn
        self.register_outputs(
            {
                "function_arn": self.function_arn,
                "function_name": self.function_name,
                "reports_bucket": self.reports_bucket,
                "reports_key_arn": self.reports_key_arn,
            }
        )

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _through_s3(self) -> dict[str, dict[str, Any]]:
        """Key use only in S3's requests of this region, never directly."""
        via = self._context.apply(lambda ctx: ctx.service_principal(f"s3.{ctx.region}"))
        return {"StringEquals": {"kms:ViaService": via}}

    def _key(self, function_role_arn: pulumi.Output[str]) -> ManagedKey:
        args, name = self._args, self._name
        grants = (
            KeyGrant(
                sid="ReportUploadsThroughS3",
                principals=args.codebuild_role_arns,
                actions=("kms:GenerateDataKey", "kms:Decrypt"),
                conditions=self._through_s3(),
                principal_type="AWS",
            ),
            KeyGrant(
                sid="ReportReadsThroughS3",
                principals=(function_role_arn,),
                actions=("kms:Decrypt",),
                conditions=self._through_s3(),
                principal_type="AWS",
            ),
            cloudwatch_logs_grant(
                logs_principal=self._context.apply(
                    lambda ctx: ctx.service_principal(f"logs.{ctx.region}")
                ),
                log_group_arn=self._context.apply(
                    lambda ctx: ctx.arn("logs", f"log-group:{log_group_name(name)}")
                ),
            ),
        )
        return ManagedKey(
            f"{name}-reports",
            ManagedKeyArgs(
                alias=f"security-baseline/{name}-reports",
                description="security-baseline: scanner reports and the findings-import logs",
                deletion_window_in_days=args.key_deletion_window_in_days,
                administrator_arns=args.key_administrator_arns,
                deployer_arns=args.key_deployer_arns,
                grants=grants,
                region=args.region,
                tags=args.tags,
            ),
            opts=self._child(),
        )

    def _bucket_statements(
        self, bucket_arn: pulumi.Output[str], key_arn: pulumi.Output[str]
    ) -> list[Statement]:
        roles = list(self._args.codebuild_role_arns)
        accepted = [objects_of(bucket_arn, f"{REPORTS_PREFIX}{tool}/") for tool in self._args.tools]
        every_object = [objects_of(bucket_arn)]
        # Roles whose own IAM policies allow more must not write elsewhere either.
        outside = _deny_uploads("DenyUploadsOutsideAcceptedTools", None)
        outside["NotResource"] = accepted
        return [
            statement(
                "AllowReportUploads",
                principal={"AWS": roles},
                actions=["s3:PutObject"],
                resources=accepted,
            ),
            _deny_uploads(
                "DenyUploadsByOthers",
                every_object,
                {"ArnNotEquals": {"aws:PrincipalArn": roles}},
            ),
            outside,
            # No encryption header means the default: SSE-KMS with this key.
            _deny_uploads(
                "DenyOtherEncryptionKeys",
                every_object,
                {
                    "Null": {"s3:x-amz-server-side-encryption": "false"},
                    "ArnNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn},
                },
            ),
            _deny_uploads(
                "DenyCustomerProvidedKeys",
                every_object,
                {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}},
            ),
        ]

    def _function_role(self) -> aws.iam.Role:
        return lambda_role(
            f"{self._name}-import",
            "security-baseline findings-import: scanner reports to Security Hub",
            self._tags,
            self._child(),
        )

    def _function_statements(
        self, key_arn: pulumi.Output[str], bucket_arn: pulumi.Output[str]
    ) -> list[Statement]:
        context = self._context
        return [
            statement(
                "ImportFindings",
                actions=["securityhub:BatchImportFindings"],
                resources=[context.apply(product_arn)],
            ),
            statement(
                "ReadAndResolveFindings",
                actions=["securityhub:GetFindings", "securityhub:BatchUpdateFindings"],
                resources=[context.apply(hub_arn)],
            ),
            statement(
                "ReadReports",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[objects_of(bucket_arn, REPORTS_PREFIX)],
            ),
            # GetObject of a report deleted since its event answers NoSuchKey (which the function
            # reads as "already gone") only with s3:ListBucket, otherwise AccessDenied (S3 API
            # reference, GetObject). No s3:prefix condition: that check carries no prefix.
            statement("FindGoneReports", actions=["s3:ListBucket"], resources=[bucket_arn]),
            statement(
                "DecryptReports",
                actions=["kms:Decrypt"],
                resources=[key_arn],
                conditions=self._through_s3(),
            ),
        ]

    def _function(
        self, role: aws.iam.Role, key_arn: pulumi.Output[str], bucket_arn: pulumi.Output[str]
    ) -> SecureFunction:
        args = self._args
        # The function reads AWS_REGION only, which Lambda sets itself: no environment.
        return SecureFunction(
            f"{self._name}-import",
            SecureFunctionArgs(
                source_dir=FUNCTION_DIR,
                handler="handler.handler",
                description="Imports SCA, SAST and DAST scanner reports into Security Hub",
                timeout_seconds=FUNCTION_TIMEOUT_SECONDS,
                memory_mb=FUNCTION_MEMORY_MB,
                statements=self._function_statements(key_arn, bucket_arn),
                role=ExecutionRole.of(role),
                dead_letter_consumer_role_arns=tuple(
                    arn for arn in args.key_user_arns if not isinstance(arn, str) or ":role/" in arn
                ),
                alarm_topic_arn=args.alarm_topic_arn,
                log_group_name=log_group_name(self._name),
                log_retention_days=args.log_retention_days,
                log_key_arn=key_arn,
                key_administrator_arns=args.key_administrator_arns,
                key_deployer_arns=args.key_deployer_arns,
                key_deletion_window_in_days=args.key_deletion_window_in_days,
                region=args.region,
                tags=args.tags,
            ),
            opts=self._child(),
            previous_parent=self,
        )

    def _s3_trigger(self, function: SecureFunction, bucket: SecureBucket) -> None:
        args, name = self._args, self._name
        permission = aws.lambda_.Permission(
            f"{name}-s3-invoke",
            action="lambda:InvokeFunction",
            function=function.function_name,
            principal="s3.amazonaws.com",
            source_arn=bucket.arn,
            source_account=self._context.apply(lambda ctx: ctx.account_id),
            region=args.region,
            opts=self._child(),
        )
        # S3 checks that it may invoke the function when the notification is configured.
        aws.s3.BucketNotification(
            f"{name}-reports",
            bucket=bucket.id,
            lambda_functions=[
                aws.s3.BucketNotificationLambdaFunctionArgs(
                    lambda_function_arn=function.arn,
                    events=["s3:ObjectCreated:*"],
                    filter_prefix=REPORTS_PREFIX,
                    filter_suffix=REPORT_SUFFIX,
                )
            ],
            region=args.region,
            opts=self._child(depends_on=[permission]),
        )
