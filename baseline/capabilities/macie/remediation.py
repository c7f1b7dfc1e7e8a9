"""MacieRemediation: Macie sensitive-data findings quarantined at once, or after a Slack approval.

An EventBridge rule sends every `SensitiveData:S3Object/*` finding to the finding handler,
which ignores it (below `min_severity`), asks the remediator to quarantine the object (AUTO),
or asks for a review (REVIEW): a Slack message whose Remediate button calls the approval
handler through an HTTP API (`POST /slack/actions`), or, without Slack, a notification.
The three functions live in `baseline/capabilities/macie/functions/macie_remediation/`.

The remediator runs as the QuarantineBucket's remediation role (`remediator_role_arn`): the
quarantine bucket and its key admit that role only, and both name it as a principal, which S3
and KMS accept only for a role that already exists. So the role is made before the bucket
(QuarantineBucket makes one by default) and this component attaches its permissions to it.
That role may read and delete only in the source buckets named or matched by a pattern, write
only to the quarantine bucket (where it may never delete), and use only the quarantine key and
the `source_key_arns`: objects encrypted with SSE-KMS under any other key cannot be moved.

The Slack webhook URL and signing secret are kept in Secrets Manager; the functions' variables
hold only the secrets' ARNs. Failed asynchronous runs land in an encrypted dead-letter queue;
alarms on that queue and on the functions' errors notify the alert topic. The notify topic and
its key must let the roles of `publisher_role_arns` (the finding handler's and the
remediator's) publish: the security account's topics grant them (Notifications'
`grant_publish`).

    remediation = MacieRemediation("macie-remediation", MacieRemediationArgs(
        quarantine_bucket_name=quarantine.bucket, quarantine_bucket_arn=quarantine.arn,
        quarantine_key_arn=quarantine.key_arn,
        remediator_role_arn=quarantine.remediation_role_arn,
        notify_topic_arn=topics["security-alerts"], alert_topic_arn=topics["security-alerts"],
        source_bucket_patterns=("acme-data-lake-*",),
    ))
    pulumi.export("slack_request_url", remediation.api_endpoint)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from baseline.capabilities.macie import remediation_access as access
from baseline.capabilities.macie.remediation_settings import (
    APPROVAL_HANDLER,
    DEFAULT_ACTIONS,
    FINDING_HANDLER,
    FINDING_TYPES,
    FUNCTION_DIR,
    REMEDIATOR,
    FunctionSettings,
    MacieRemediationArgs,
    sensitive_data_pattern,
)
from components.alarms import dead_letters, first_occurrence_alarm
from components.event_targets import invoke_from_rule
from components.iam import aws_context, deny_insecure_transport, render_policy, statement
from components.kms import ManagedKey, component_key
from components.lambda_code import ROLE_PATH
from components.lambda_function import ExecutionRole, OnFailure, SecureFunction, SecureFunctionArgs

__all__ = [
    "DEFAULT_ACTIONS",
    "FINDING_TYPES",
    "FUNCTION_DIR",
    "MacieRemediation",
    "MacieRemediationArgs",
    "sensitive_data_pattern",
]

SLACK_ROUTE_PATH = "/slack/actions"
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "sourceIp": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integrationErrorMessage",
    }
)


def _role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


class MacieRemediation(pulumi.ComponentResource):
    """The rule, the three functions, the Slack API and secrets, the dead-letter queue, alarms."""

    rule_arn: pulumi.Output[str]
    function_arns: dict[str, pulumi.Output[str]]
    role_arns: dict[str, pulumi.Output[str]]
    publisher_role_arns: tuple[pulumi.Output[str], ...]
    key_arn: pulumi.Output[str]
    dlq_url: pulumi.Output[str]
    dlq_arn: pulumi.Output[str]
    secret_arns: dict[str, pulumi.Output[str]]
    api_endpoint: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: MacieRemediationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:macie_remediation:MacieRemediation", name, None, opts)
        self._name = name
        self._args = args
        self._tags = dict(args.tags) or None
        self._context = aws_context(self, args.region)
        functions = [FINDING_HANDLER, REMEDIATOR, *([APPROVAL_HANDLER] if args.slack else [])]
        self.role_arns = {REMEDIATOR.kind: pulumi.Output.from_input(args.remediator_role_arn)}
        for settings in functions:
            if settings is not REMEDIATOR:
                self.role_arns[settings.kind] = self._role(settings).arn
        # The functions whose statements publish (access.notify_statements).
        self.publisher_role_arns = tuple(
            self.role_arns[each.kind] for each in (FINDING_HANDLER, REMEDIATOR)
        )
        key = self._key(functions)
        self.key_arn = key.arn
        queue = self._dead_letter_queue()
        self.dlq_url, self.dlq_arn = queue.url, queue.arn
        webhook, signing = args.slack_webhook_url, args.slack_signing_secret
        self.secret_arns = (
            self._slack_secrets(webhook, signing)
            if webhook is not None and signing is not None
            else {}
        )
        remediator = self._remediator()
        finding_handler = self._finding_handler(remediator)
        self.function_arns = {
            REMEDIATOR.kind: remediator.arn,
            FINDING_HANDLER.kind: finding_handler.arn,
        }
        self.rule_arn = self._rule(finding_handler)
        self.api_endpoint = None
        if args.slack:
            approval_handler = self._approval_handler(remediator)
            self.function_arns[APPROVAL_HANDLER.kind] = approval_handler.arn
            self.api_endpoint = self._slack_api(approval_handler)
        self._dead_letter_alarm(queue)
        self.register_outputs(
            {
                "rule_arn": self.rule_arn,
                "function_arns": self.function_arns,
                "role_arns": self.role_arns,
                "key_arn": self.key_arn,
                "dlq_url": self.dlq_url,
                "secret_arns": self.secret_arns,
                "api_endpoint": self.api_endpoint,
            }
        )

    def _function_name(self, settings: FunctionSettings) -> str:
        """Fixed names, so that the log groups (and the key policy) can name them in advance."""
        return f"{self._name}-{settings.kind}"

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _role(self, settings: FunctionSettings) -> aws.iam.Role:
        return aws.iam.Role(
            f"{self._name}-{settings.kind}",
            path=ROLE_PATH,
            description=f"Macie remediation {settings.kind}: {settings.description}",
            assume_role_policy=access.lambda_trust_policy(self._context),
            max_session_duration=3600,
            tags=self._tags,
            opts=self._child(),
        )

    def _key(self, functions: Sequence[FunctionSettings]) -> ManagedKey:
        """Encrypts the log groups, the dead-letter queue and the Slack secrets."""
        args, roles = self._args, self.role_arns
        log_groups = [f"/aws/lambda/{self._function_name(each)}" for each in functions]
        users = access.KeyUsers(
            log_group_names=(*log_groups, *([self._api_log_group_name] if args.slack else [])),
            dead_letter_writers=(roles[FINDING_HANDLER.kind], roles[REMEDIATOR.kind]),
            dead_letter_readers=args.key_user_arns,
            secret_readers=(
                (roles[FINDING_HANDLER.kind], roles[APPROVAL_HANDLER.kind]) if args.slack else ()
            ),
        )
        return component_key(
            self,
            self._name,
            args,
            alias=f"security-baseline/macie-remediation/{self._name}",
            description="Macie remediation: logs, dead letters and Slack secrets",
            grants=access.key_grants(self._context, users),
        )

    @property
    def _api_log_group_name(self) -> str:
        return f"/aws/vendedlogs/apigateway/{self._name}-slack-actions"

    def _log_group(self, label: str, group_name: str) -> aws.cloudwatch.LogGroup:
        return aws.cloudwatch.LogGroup(
            f"{self._name}-{label}",
            name=group_name,
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self.key_arn,
            region=self._args.region,
            tags=self._tags,
            opts=self._child(),
        )

    def _dead_letter_queue(self) -> aws.sqs.Queue:
        queue = aws.sqs.Queue(
            f"{self._name}-dead-letters",
            kms_master_key_id=self.key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=14 * 24 * 3600,  # the longest SQS keeps a message
            region=self._args.region,
            tags=self._tags,
            opts=self._child(),
        )
        aws.sqs.QueuePolicy(
            f"{self._name}-dead-letters",
            queue_url=queue.url,
            policy=render_policy([deny_insecure_transport(["sqs:*"], [queue.arn])]),
            region=self._args.region,
            opts=self._child(),
        )
        return queue

    def _slack_secrets(
        self, webhook_url: pulumi.Input[str], signing_secret: pulumi.Input[str]
    ) -> dict[str, pulumi.Output[str]]:
        channel = f" ({self._args.slack_channel})" if self._args.slack_channel else ""
        return {
            "webhook_url": self._secret(
                "slack-webhook", f"Slack incoming-webhook URL{channel}", webhook_url
            ),
            "signing_secret": self._secret(
                "slack-signing-secret", "Slack app signing secret", signing_secret
            ),
        }

    def _secret(self, label: str, description: str, value: pulumi.Input[str]) -> pulumi.Output[str]:
        secret = aws.secretsmanager.Secret(
            f"{self._name}-{label}",
            description=f"Macie remediation: {description}",
            kms_key_id=self.key_arn,
            region=self._args.region,
            tags=self._tags,
            opts=self._child(),
        )
        aws.secretsmanager.SecretVersion(
            f"{self._name}-{label}",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(value),
            region=self._args.region,
            opts=self._child(),
        )
        return secret.arn

    def _function(
        self,
        settings: FunctionSettings,
        statements: pulumi.Input[Sequence[Any]],
        environment: Mapping[str, pulumi.Input[str]],
        *,
        asynchronous: bool,
        reserved_concurrency: int | None = None,
    ) -> SecureFunction:
        """The function with its role's inline policy, failure destination and error alarm."""
        args, role_arn = self._args, self.role_arns[settings.kind]
        function_name = self._function_name(settings)
        return SecureFunction(
            function_name,
            SecureFunctionArgs(
                source_dir=FUNCTION_DIR,
                source_pattern="*.py",
                handler=settings.handler,
                description=settings.description,
                function_name=function_name,
                timeout_seconds=settings.timeout,
                memory_mb=settings.memory_size,
                reserved_concurrency=reserved_concurrency,
                environment=environment,
                statements=statements,
                role=ExecutionRole(arn=role_arn, name=role_arn.apply(_role_name)),
                invocation="asynchronous" if asynchronous else "synchronous",
                # One queue under the remediation key keeps the failures of both functions.
                on_failure=(
                    OnFailure(destination_arn=self.dlq_arn, key_arn=self.key_arn)
                    if asynchronous
                    else None
                ),
                max_retry_attempts=args.max_retry_attempts,
                alarm_topic_arn=args.alert_topic_arn,
                log_group_name=f"/aws/lambda/{function_name}",
                log_retention_days=args.log_retention_days,
                log_key_arn=self.key_arn,
                region=args.region,
                tags=args.tags,
            ),
            opts=self._child(),
            previous_parent=self,
        )

    @property
    def _shared(self) -> access.Shared:
        args = self._args
        return access.Shared(
            context=self._context,
            key_arn=self.key_arn,
            notify_topic_arn=args.notify_topic_arn,
            topic_key_arns=args.topic_key_arns,
        )

    def _remediator(self) -> SecureFunction:
        args = self._args
        permissions = access.RemediatorAccess(
            source_buckets=args.source_buckets,
            quarantine_bucket_arn=args.quarantine_bucket_arn,
            quarantine_key_arn=args.quarantine_key_arn,
            source_key_arns=args.source_key_arns,
        )
        return self._function(
            REMEDIATOR,
            access.remediator_statements(self._shared, permissions),
            {
                "QUARANTINE_BUCKET": args.quarantine_bucket_name,
                "NOTIFY_TOPIC_ARN": args.notify_topic_arn,
            },
            asynchronous=True,
            reserved_concurrency=args.remediator_reserved_concurrency,
        )

    def _finding_handler(self, remediator: SecureFunction) -> SecureFunction:
        args = self._args
        environment: dict[str, pulumi.Input[str]] = {
            "ACTIONS": json.dumps(args.effective_actions, sort_keys=True),
            "MIN_SEVERITY": args.min_severity,
            "QUARANTINE_BUCKET": args.quarantine_bucket_name,
            "REMEDIATOR_FUNCTION": remediator.arn,
            "NOTIFY_TOPIC_ARN": args.notify_topic_arn,
        }
        statements = [
            access.invoke_statement(remediator.arn),
            *access.notify_statements(self._shared),
        ]
        if args.slack:
            environment["SLACK_WEBHOOK_SECRET_ARN"] = self.secret_arns["webhook_url"]
            statements += access.slack_secret_statements(
                self._shared, self.secret_arns["webhook_url"]
            )
        return self._function(FINDING_HANDLER, statements, environment, asynchronous=True)

    def _approval_handler(self, remediator: SecureFunction) -> SecureFunction:
        return self._function(
            APPROVAL_HANDLER,
            [
                *access.slack_secret_statements(self._shared, self.secret_arns["signing_secret"]),
                access.invoke_statement(remediator.arn),
                # The approval acts on Macie's own finding, looked up by the button's finding id.
                # GetFindings has no resource type (Service Authorization Reference): "*".
                statement("ReadMacieFindings", actions=["macie2:GetFindings"], resources="*"),
            ],
            {
                "SLACK_SIGNING_SECRET_ARN": self.secret_arns["signing_secret"],
                "APPROVERS": json.dumps(list(self._args.approvers)),
                "REMEDIATOR_FUNCTION": remediator.arn,
            },
            asynchronous=False,  # API Gateway waits for its answer
        )

    def _rule(self, finding_handler: SecureFunction) -> pulumi.Output[str]:
        label, region = f"{self._name}-findings", self._args.region
        rule = aws.cloudwatch.EventRule(
            label,
            description="Macie sensitive-data findings, to the remediation finding handler",
            event_pattern=json.dumps(sensitive_data_pattern(), sort_keys=True),
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        invoke_from_rule(label, rule, finding_handler, region=region, child=self._child)
        return rule.arn

    def _slack_api(self, approval_handler: SecureFunction) -> pulumi.Output[str]:
        """The Slack app's interactivity request URL: one route, throttled, access-logged."""
        label, region = f"{self._name}-slack", self._args.region
        api = aws.apigatewayv2.Api(
            label,
            protocol_type="HTTP",
            description="Slack interactivity endpoint of the Macie remediation approvals",
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        integration = aws.apigatewayv2.Integration(
            label,
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_method="POST",
            integration_uri=approval_handler.arn,
            payload_format_version="2.0",
            timeout_milliseconds=APPROVAL_HANDLER.timeout * 1000,
            region=region,
            opts=self._child(),
        )
        aws.apigatewayv2.Route(
            label,
            api_id=api.id,
            route_key=f"POST {SLACK_ROUTE_PATH}",
            # Slack signs its requests; the handler verifies the signature before anything else.
            authorization_type="NONE",
            target=integration.id.apply(lambda integration_id: f"integrations/{integration_id}"),
            region=region,
            opts=self._child(),
        )
        access_logs = self._log_group("slack-api", self._api_log_group_name)
        aws.apigatewayv2.Stage(
            label,
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=aws.apigatewayv2.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            default_route_settings=aws.apigatewayv2.StageDefaultRouteSettingsArgs(
                throttling_burst_limit=20, throttling_rate_limit=10
            ),
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        aws.lambda_.Permission(
            label,
            action="lambda:InvokeFunction",
            function=approval_handler.function_name,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/POST{SLACK_ROUTE_PATH}"),
            region=region,
            opts=self._child(),
        )
        return pulumi.Output.concat(api.api_endpoint, SLACK_ROUTE_PATH)

    def _dead_letter_alarm(self, queue: aws.sqs.Queue) -> None:
        first_occurrence_alarm(
            f"{self._name}-dead-letters",
            dead_letters(queue.name),
            description="Macie remediation: a finding or a quarantine failed and is in the "
            "dead-letter queue",
            topic_arn=self._args.alert_topic_arn,
            region=self._args.region,
            tags=self._tags,
            opts=self._child(),
        )
