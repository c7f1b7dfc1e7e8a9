"""MacieEnrollment under the offline mocks: a function per region, its schedule, dead letters,
alarm, encrypted logs, and a role that may do what the function does and nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baseline.capabilities.macie.enrollment import (
    FUNCTION_DIR,
    MacieEnrollment,
    MacieEnrollmentArgs,
)
from baseline.preview.model import Plan, PlannedResource
from tests.components_harness import ACCOUNT, of_type, only, plan_of
from tests.policy_documents import document, lint, statement

REGIONS = ("us-east-1", "eu-west-1")
TOPICS = {region: f"arn:aws:sns:{region}:{ACCOUNT}:security-alerts" for region in REGIONS}
READER = f"arn:aws:iam::{ACCOUNT}:role/SecurityAnalysts"
JOB_ACCOUNT = "444444444444"


@pytest.fixture(scope="module")
def plan() -> Plan:
    args = MacieEnrollmentArgs(
        regions=REGIONS,
        alarm_topic_arns=TOPICS,
        required_accounts={"us-east-1": (JOB_ACCOUNT,)},
        key_user_arns=(READER,),
    )
    return plan_of(lambda: MacieEnrollment("macie-enrollment", args))


def _by_region(plan: Plan, type_token: str) -> dict[str, PlannedResource]:
    resources = of_type(plan, type_token)
    by_region = {r.inputs["region"]: r for r in resources}
    assert len(by_region) == len(resources), type_token
    return by_region


def test_a_function_per_region_runs_the_handler_alone_with_only_the_runtime(plan: Plan) -> None:
    functions = _by_region(plan, "aws:lambda/function:Function")
    assert set(functions) == set(REGIONS)
    for function in functions.values():
        assert function.inputs["handler"] == "handler.handler"
        assert function.inputs["runtime"] == "python3.12"
        assert function.inputs["reservedConcurrentExecutions"] == 1
        assert function.inputs["timeout"] == 900
    assert (FUNCTION_DIR / "handler.py").is_file()


def test_the_jobs_accounts_are_required_where_the_jobs_run(plan: Plan) -> None:
    functions = _by_region(plan, "aws:lambda/function:Function")
    assert functions["us-east-1"].inputs["environment"] == {
        "variables": {"REQUIRED_ACCOUNTS": JOB_ACCOUNT}
    }
    assert "environment" not in functions["eu-west-1"].inputs


def test_a_schedule_invokes_each_function(plan: Plan) -> None:
    rules = _by_region(plan, "aws:cloudwatch/eventRule:EventRule")
    targets = _by_region(plan, "aws:cloudwatch/eventTarget:EventTarget")
    permissions = _by_region(plan, "aws:lambda/permission:Permission")
    functions = _by_region(plan, "aws:lambda/function:Function")
    for region in REGIONS:
        assert rules[region].inputs["scheduleExpression"] == "rate(1 hour)"
        assert targets[region].inputs["arn"] == functions[region].outputs["arn"]
        assert targets[region].inputs["rule"] == rules[region].outputs["name"]
        assert permissions[region].inputs["principal"] == "events.amazonaws.com"
        assert permissions[region].inputs["sourceArn"] == rules[region].outputs["arn"]
        assert permissions[region].urn in targets[region].dependencies


def test_failed_runs_land_in_an_encrypted_dead_letter_queue_and_raise_an_alarm(
    plan: Plan,
) -> None:
    queues = _by_region(plan, "aws:sqs/queue:Queue")
    configs = _by_region(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    alarms = _by_region(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
    functions = _by_region(plan, "aws:lambda/function:Function")
    keys = _by_region(plan, "aws:kms/key:Key")
    for region in REGIONS:
        assert queues[region].inputs["kmsMasterKeyId"] == keys[region].outputs["arn"]
        failure = configs[region].inputs["destinationConfig"]["onFailure"]["destination"]
        assert failure == queues[region].outputs["arn"]
        alarm = alarms[region].inputs
        assert (alarm["namespace"], alarm["metricName"]) == ("AWS/Lambda", "Errors")
        assert alarm["dimensions"] == {"FunctionName": functions[region].outputs["name"]}
        assert alarm["alarmActions"] == [TOPICS[region]]  # a topic of the alarm's own region


def test_logs_are_encrypted_with_the_regions_key_and_kept(plan: Plan) -> None:
    groups = _by_region(plan, "aws:cloudwatch/logGroup:LogGroup")
    keys = _by_region(plan, "aws:kms/key:Key")
    functions = _by_region(plan, "aws:lambda/function:Function")
    for region in REGIONS:
        assert groups[region].inputs["kmsKeyId"] == keys[region].outputs["arn"]
        assert groups[region].inputs["retentionInDays"] == 365
        logging_config = functions[region].inputs["loggingConfig"]
        assert logging_config["logGroup"] == groups[region].outputs["name"]
        key_policy = document(keys[region])
        logs = statement(key_policy, "AllowCloudWatchLogsEncryption")
        context = logs["Condition"]["StringEquals"]["kms:EncryptionContext:aws:logs:arn"]
        assert context == groups[region].outputs["arn"]
        assert statement(key_policy, "DeadLetterReads")["Principal"] == {"AWS": [READER]}
        assert lint(json.dumps(key_policy), "key") == []


def _role_policies(plan: Plan) -> dict[str, dict[str, Any]]:
    """The role's inline policies: the shared one and each region's function's own."""
    role = only(plan, "aws:iam/role:Role")
    policies = of_type(plan, "aws:iam/rolePolicy:RolePolicy")
    assert all(policy.inputs["role"] == role.id for policy in policies)
    return {policy.name: document(policy) for policy in policies}


def test_the_role_creates_members_of_its_own_macie_in_the_enrolled_regions_only(
    plan: Plan,
) -> None:
    policies = _role_policies(plan)
    assert set(policies) == {"macie-enrollment", *(f"macie-enrollment-{r}" for r in REGIONS)}
    listing = statement(policies["macie-enrollment"], "ListOrganizationAccountsAndMembers")
    assert listing["Action"] == ["organizations:ListAccounts", "macie2:ListMembers"]
    queues = _by_region(plan, "aws:sqs/queue:Queue")
    keys = _by_region(plan, "aws:kms/key:Key")
    for region in REGIONS:
        policy = policies[f"macie-enrollment-{region}"]
        create = statement(policy, "CreateMembers")
        assert create["Action"] == ["macie2:CreateMember"]
        assert create["Resource"] == [f"arn:aws:macie2:{region}:{ACCOUNT}:member/*"]
        send = statement(policy, "SendToDeadLetterQueue")
        assert send["Resource"] == [queues[region].outputs["arn"]]
        encrypt = statement(policy, "EncryptDeadLetters")
        assert encrypt["Resource"] == [keys[region].outputs["arn"]]
        assert encrypt["Condition"] == {
            "StringEquals": {"kms:ViaService": f"sqs.{region}.amazonaws.com"}
        }
    for policy in policies.values():
        assert lint(json.dumps(policy), "identity") == []


def test_every_call_the_handler_makes_is_allowed(plan: Plan) -> None:
    """The handler's boto3 calls (read from its source) are exactly the role's actions."""
    source = (FUNCTION_DIR / "handler.py").read_text()
    assert 'get_paginator("list_accounts")' in source
    assert 'get_paginator("list_members")' in source
    assert "create_member(" in source
    allowed = {
        action
        for policy in _role_policies(plan).values()
        for each in policy["Statement"]
        for action in each["Action"]
    }
    assert {"organizations:ListAccounts", "macie2:ListMembers", "macie2:CreateMember"} <= allowed
    assert not {a for a in allowed if a.endswith("*")}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alarm_topic_arns": {"us-east-1": TOPICS["us-east-1"]}}, "no alarm topic in eu-west-1"),
        ({"required_accounts": {"ap-south-1": (JOB_ACCOUNT,)}}, "ap-south-1 not enrolled"),
        ({"required_accounts": {"us-east-1": ("4444",)}}, "not account ids"),
        ({"schedule": "every hour"}, "is no schedule"),
        ({"schedule": "rate(1 hours)"}, "is no schedule"),
        ({"log_retention_days": 42}, "not a value CloudWatch Logs accepts"),
    ],
)
def test_args_refuse_what_aws_would_refuse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MacieEnrollmentArgs(**{"regions": REGIONS, "alarm_topic_arns": TOPICS, **kwargs})
