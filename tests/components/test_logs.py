"""SecureLogGroup: KMS key scoped to the one log group, validated retention, deletion protection."""

import inspect
import re

import pulumi_aws as aws
import pytest

from components import SecureLogGroup, SecureLogGroupArgs
from components.logs import RETENTION_DAYS
from tests.components_harness import ACCOUNT, ROOT, descendants, exporting, only, plan_of
from tests.policy_documents import actions, document, lint, principals, statement

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"


def log_group_program(**overrides):
    return exporting(
        lambda: SecureLogGroup(
            "orders", SecureLogGroupArgs(log_group_name="/orders/api", **overrides)
        ),
        "arn",
        "name",
        "key_arn",
    )


@pytest.mark.parametrize("preview", [True, False])
def test_the_group_is_encrypted_kept_a_year_and_protected_from_deletion(preview):
    plan = plan_of(log_group_program(), preview=preview)
    group = only(plan, LOG_GROUP)
    key = only(plan, KEY)
    assert group.inputs["name"] == "/orders/api"
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert group.inputs["retentionInDays"] == 365.0
    assert group.inputs["deletionProtectionEnabled"] is True
    assert key.inputs["enableKeyRotation"] is True
    assert plan.stack_outputs == {
        "arn": group.outputs["arn"],
        "name": "/orders/api",
        "key_arn": key.outputs["arn"],
    }
    component = only(plan, "security-baseline:logs:SecureLogGroup")
    assert {r.urn for r in descendants(plan, component)} >= {group.urn, key.urn}


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_only_cloudwatch_logs_of_the_region_may_use_the_key_and_only_for_this_group(region):
    plan = plan_of(log_group_program(region=region))
    key_policy = document(only(plan, KEY))
    grant = statement(key_policy, "AllowCloudWatchLogsEncryption")
    assert principals(grant, "Service") == [f"logs.{region}.amazonaws.com"]
    assert actions(grant) == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
    }
    group_arn = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/orders/api"
    assert grant["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": group_arn}}
    # The mocks compute the ARN AWS would give the group: the condition names that very group.
    assert only(plan, LOG_GROUP).outputs["arn"] == group_arn
    administration = statement(key_policy, "KeyAdministration")
    assert principals(administration, "AWS") == [ROOT]
    assert lint(only(plan, KEY).inputs["policy"], "key") == []


def test_weakening_takes_explicit_arguments():
    plan = plan_of(log_group_program(retention_in_days=3653, deletion_protection=False))
    group = only(plan, LOG_GROUP)
    assert group.inputs["retentionInDays"] == 3653.0
    assert group.inputs["deletionProtectionEnabled"] is False


@pytest.mark.parametrize("days", [2, 366, 10, -1, 4000])
def test_a_retention_cloudwatch_refuses_is_refused(days):
    with pytest.raises(ValueError, match=f"retention_in_days {days} is not a value"):
        SecureLogGroupArgs(log_group_name="/a", retention_in_days=days)


def test_the_accepted_retentions_are_those_the_provider_documents():
    found = re.search(r"Possible values are: ([\d, and]+)\.", _retention_doc())
    assert found is not None
    documented = found.group(1)
    assert sorted(RETENTION_DAYS) == sorted(int(days) for days in re.findall(r"\d+", documented))
    for days in RETENTION_DAYS:
        assert (
            SecureLogGroupArgs(log_group_name="/a", retention_in_days=days).retention_in_days
            == days
        )


def _retention_doc() -> str:
    return inspect.getdoc(aws.cloudwatch.LogGroupArgs.__init__) or ""


@pytest.mark.parametrize("name", ["", "has space", "aws/reserved", "x" * 513])
def test_an_invalid_log_group_name_is_refused(name):
    with pytest.raises(ValueError, match="log group name"):
        SecureLogGroupArgs(log_group_name=name)
