"""SecureFunction under the offline mocks, and every function of the prod plan built with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from baseline.preview.model import Plan, PlannedResource
from components import ExecutionRole, OnFailure, SecureFunction, SecureFunctionArgs
from components.iam import statement as make_statement
from components.lambda_function import checked_statement_ids
from tests.components_harness import ACCOUNT, by_urn, of_type, only, plan_of
from tests.paths import REPO
from tests.policy_documents import document, lint, statement
from tests.test_stack import planned

SOURCE = REPO / "baseline" / "capabilities" / "alerts" / "functions" / "alert_format"
REGION = "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts"
BUCKET_OBJECTS = "arn:aws:s3:::reports/*"
READER = f"arn:aws:iam::{ACCOUNT}:role/SecurityAnalysts"
COMPONENT = "security-baseline:lambda_function:SecureFunction"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _args(**overrides: Any) -> SecureFunctionArgs:
    settings: dict[str, Any] = {
        "source_dir": SOURCE,
        "source_pattern": "handler.py",
        "handler": "handler.handler",
        "description": "Reads reports",
        "statements": (
            make_statement("ReadReports", actions=["s3:GetObject"], resources=[BUCKET_OBJECTS]),
        ),
        "region": REGION,
    }
    return SecureFunctionArgs(**{**settings, **overrides})


def _plan(args: SecureFunctionArgs) -> Plan:
    return plan_of(lambda: SecureFunction("reports", args))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan(_args(alarm_topic_arn=TOPIC, dead_letter_consumer_role_arns=(READER,)))


def _policy(plan: Plan) -> dict[str, Any]:
    return document(only(plan, "aws:iam/rolePolicy:RolePolicy"))


def test_the_function_runs_the_archive_as_its_own_role(plan: Plan) -> None:
    function = only(plan, FUNCTION).inputs
    role = only(plan, "aws:iam/role:Role")
    assert function["role"] == role.outputs["arn"]
    assert (function["handler"], function["runtime"], function["architectures"]) == (
        "handler.handler",
        "python3.12",
        ["arm64"],
    )
    assert (function["timeout"], function["memorySize"]) == (30, 128)
    trust = document(role, "assumeRolePolicy")["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    policy = only(plan, "aws:iam/rolePolicy:RolePolicy")
    assert policy.inputs["role"] == role.id
    # Nothing invokes it before its permissions are in place.
    assert policy.urn in only(plan, FUNCTION).dependencies


def test_the_role_may_do_what_is_named_and_write_its_own_logs_and_dead_letters(
    plan: Plan,
) -> None:
    policy = _policy(plan)
    log_group = only(plan, LOG_GROUP).outputs["arn"]
    queue = only(plan, "aws:sqs/queue:Queue").outputs["arn"]
    key = only(plan, "aws:kms/key:Key", "reports-dead-letters-key-key").outputs["arn"]
    granted = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy["Statement"]}
    assert granted == {
        "ReadReports": (["s3:GetObject"], [BUCKET_OBJECTS]),
        "WriteOwnLogs": (["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group}:*"]),
        "SendToDeadLetterQueue": (["sqs:SendMessage"], [queue]),
        "EncryptDeadLetters": (["kms:Decrypt", "kms:GenerateDataKey"], [key]),
    }
    assert statement(policy, "EncryptDeadLetters")["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}
    }
    assert lint(json.dumps(policy), "identity") == []


def test_the_log_group_is_kept_and_encrypted_with_a_key_for_its_logs_only(plan: Plan) -> None:
    group = only(plan, LOG_GROUP)
    key = only(plan, "aws:kms/key:Key", "reports-logs-key")
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    assert only(plan, FUNCTION).inputs["loggingConfig"]["logGroup"] == group.outputs["name"]
    grant = statement(document(key), "AllowCloudWatchLogsEncryption")
    assert grant["Principal"] == {"Service": [f"logs.{REGION}.amazonaws.com"]}
    # The group's name is generated from the resource name: the key admits that pattern only.
    assert grant["Condition"] == {
        "StringLike": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:reports-*"
            )
        }
    }
    assert only(plan, "aws:kms/alias:Alias", "reports-logs-alias").inputs["name"] == (
        "alias/functions/reports-logs"
    )


def test_a_named_log_group_is_the_only_one_the_key_admits() -> None:
    plan = _plan(_args(log_group_name="/app/reports"))
    grant = statement(
        document(only(plan, "aws:kms/key:Key", "reports-logs-key")), "AllowCloudWatchLogsEncryption"
    )
    assert grant["Condition"] == {
        "StringEquals": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/reports"
            )
        }
    }


def test_failed_events_go_to_an_encrypted_dead_letter_queue_the_readers_may_read(
    plan: Plan,
) -> None:
    (config,) = of_type(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    queue = only(plan, "aws:sqs/queue:Queue")
    assert config.inputs["destinationConfig"] == {
        "onFailure": {"destination": queue.outputs["arn"]}
    }
    assert config.inputs["maximumRetryAttempts"] == 2
    key = only(plan, "aws:kms/key:Key", "reports-dead-letters-key-key")
    assert queue.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert queue.inputs["messageRetentionSeconds"] == 1_209_600
    assert "redrivePolicy" not in queue.inputs  # a dead-letter queue has none of its own
    role = only(plan, "aws:iam/role:Role").outputs["arn"]
    key_policy = document(key)
    assert statement(key_policy, "AllowSenderRoles")["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": [role]}
    }
    assert statement(key_policy, "AllowConsumerRoles")["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": [READER]}
    }


def test_errors_and_dead_letters_raise_alarms_on_the_topic(plan: Plan) -> None:
    alarms = {a.name: a.inputs for a in of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert set(alarms) == {"reports-errors", "reports-dead-letters"}
    function = only(plan, FUNCTION).outputs["name"]
    queue_name = only(plan, "aws:sqs/queue:Queue").outputs["arn"].rsplit(":", 1)[-1]
    errors, dead_letters = alarms["reports-errors"], alarms["reports-dead-letters"]
    assert (errors["namespace"], errors["metricName"], errors["dimensions"]) == (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": function},
    )
    assert (dead_letters["namespace"], dead_letters["metricName"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
    )
    assert dead_letters["dimensions"] == {"QueueName": queue_name}
    for alarm in alarms.values():
        assert alarm["alarmActions"] == alarm["okActions"] == [TOPIC]
        assert (alarm["threshold"], alarm["comparisonOperator"]) == (
            1,
            "GreaterThanOrEqualToThreshold",
        )


def test_a_synchronous_function_has_no_failure_destination() -> None:
    plan = _plan(_args(invocation="synchronous"))
    assert of_type(plan, "aws:sqs/queue:Queue") == []
    assert of_type(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig") == []
    assert of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm") == []
    assert set(s["Sid"] for s in _policy(plan)["Statement"]) == {"ReadReports", "WriteOwnLogs"}


ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/security-baseline/reports"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f0f0f0f-0f0f-0f0f-0f0f-0f0f0f0f0f0f"


def test_a_given_role_key_and_failure_topic_are_used_and_nothing_is_made_for_them() -> None:
    args = _args(
        role=ExecutionRole(arn=ROLE_ARN, name="reports"),
        log_key_arn=KEY_ARN,
        on_failure=OnFailure(destination_arn=TOPIC, key_arn=KEY_ARN, kind="sns"),
    )
    plan = _plan(args)
    assert of_type(plan, "aws:iam/role:Role") == []
    assert of_type(plan, "aws:kms/key:Key") == []
    assert of_type(plan, "aws:sqs/queue:Queue") == []
    assert only(plan, LOG_GROUP).inputs["kmsKeyId"] == KEY_ARN
    assert only(plan, FUNCTION).inputs["role"] == ROLE_ARN
    policy = only(plan, "aws:iam/rolePolicy:RolePolicy")
    assert policy.inputs["role"] == "reports"
    assert statement(document(policy), "PublishFailureRecords")["Resource"] == [TOPIC]
    assert statement(document(policy), "EncryptFailureRecords")["Condition"] == {
        "StringEquals": {"kms:ViaService": f"sns.{REGION}.amazonaws.com"}
    }


def test_resources_moved_from_another_component_keep_their_identity() -> None:
    class Owner(pulumi.ComponentResource):
        def __init__(self) -> None:
            super().__init__("test:index:Owner", "owner")
            SecureFunction(
                "reports",
                _args(),
                pulumi.ResourceOptions(parent=self),
                previous_parent=self,
            )

    plan = plan_of(Owner)
    component = only(plan, COMPONENT)
    moved = [
        r for r in plan.resources if r.parent == component.urn and not r.name.endswith("letters")
    ]
    assert {r.type for r in moved} >= {FUNCTION, LOG_GROUP, "aws:iam/role:Role"}
    for child in moved:
        old = f"urn:pulumi:stack::project::test:index:Owner${child.type}::{child.name}"
        assert child.aliases == (old,), child.name
    # The dead-letter queue is new: nothing to keep.
    assert only(plan, "security-baseline:queues:SecureQueue").aliases == ()
    # A component moved under the owner takes its children along.
    key = only(plan, "aws:kms/key:Key", "reports-logs-key")
    assert key.aliases == (
        "urn:pulumi:stack::project::test:index:Owner$security-baseline:kms:ManagedKey"
        "$aws:kms/key:Key::reports-logs-key",
    )


def test_repeated_statement_ids_are_refused() -> None:
    logs = make_statement("WriteOwnLogs", actions=["logs:PutLogEvents"], resources=["arn:x"])
    assert checked_statement_ids([logs]) == [logs]
    with pytest.raises(ValueError, match="repeats statement ids \\['WriteOwnLogs'\\]"):
        checked_statement_ids([logs, logs])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timeout_seconds": 0}, "timeout_seconds must be 1 to 900"),
        ({"timeout_seconds": 901}, "timeout_seconds must be 1 to 900"),
        ({"memory_mb": 64}, "memory_mb must be 128 to 10240"),
        ({"memory_mb": 10_241}, "memory_mb must be 128 to 10240"),
        ({"reserved_concurrency": -1}, "cannot be negative"),
        ({"max_retry_attempts": 3}, "max_retry_attempts must be 0 to 2"),
        ({"log_retention_days": 42}, "log_retention_days 42 is not accepted"),
        ({"function_name": "has space"}, "function_name"),
        ({"handler": "a b"}, "handler"),
        ({"architecture": "arm"}, "architecture must be one of"),
        ({"description": "x" * 257}, "at most 256"),
        ({"source_dir": Path("/nonexistent")}, "is not a directory"),
        (
            {"invocation": "synchronous", "on_failure": OnFailure(destination_arn=TOPIC)},
            "a synchronous function has no failure destination",
        ),
    ],
)
def test_args_refuse_what_lambda_would_refuse(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)


def _function_log_group(plan: Plan, function: PlannedResource) -> PlannedResource:
    name, region = function.inputs["loggingConfig"]["logGroup"], function.inputs.get("region")
    (group,) = [
        g
        for g in of_type(plan, LOG_GROUP)
        if (g.outputs["name"], g.inputs.get("region")) == (name, region)
    ]
    return group


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_function_of_the_plans_is_a_secure_function_with_an_encrypted_log_group(
    stack: str,
) -> None:
    plan = planned(stack, False)
    functions = of_type(plan, FUNCTION)
    assert functions
    for function in functions:
        parent = by_urn(plan, function.parent)
        assert parent.type == COMPONENT, function.urn
        group = _function_log_group(plan, function)
        assert group.parent == parent.urn
        assert group.inputs.get("kmsKeyId", "").startswith("arn:aws:kms:"), group.urn
        assert group.inputs["retentionInDays"] > 0
