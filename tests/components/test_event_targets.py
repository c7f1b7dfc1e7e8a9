"""invoke_from_rule: a rule that invokes a SecureFunction, under the offline mocks."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from baseline.preview.model import Plan
from components import SecureFunction
from components.event_targets import invoke_from_rule
from tests.components.test_lambda_function import REGION, _args
from tests.components_harness import by_urn, only, plan_of

PERMISSION = "aws:lambda/permission:Permission"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"


class _Caller(pulumi.ComponentResource):
    """A component that owns the rule, as the alerts and Macie components do."""

    def __init__(
        self,
        permission_name: str | None = None,
        input_transformer: aws.cloudwatch.EventTargetInputTransformerArgs | None = None,
    ) -> None:
        super().__init__("tests:event_targets:Caller", "caller")
        function = SecureFunction("handler", _args(), opts=pulumi.ResourceOptions(parent=self))
        rule = aws.cloudwatch.EventRule(
            "findings",
            schedule_expression="rate(1 hour)",
            region=REGION,
            opts=pulumi.ResourceOptions(parent=self),
        )
        invoke_from_rule(
            "findings",
            rule,
            function,
            region=REGION,
            child=lambda **extra: pulumi.ResourceOptions(parent=self, **extra),
            permission_name=permission_name,
            input_transformer=input_transformer,
        )


def _plan(
    permission_name: str | None = None,
    input_transformer: aws.cloudwatch.EventTargetInputTransformerArgs | None = None,
) -> Plan:
    return plan_of(lambda: _Caller(permission_name, input_transformer))


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan()


def test_only_the_rule_may_invoke_and_the_target_waits_for_that_permission(plan: Plan) -> None:
    rule = only(plan, "aws:cloudwatch/eventRule:EventRule")
    function = only(plan, "aws:lambda/function:Function")
    permission, target = only(plan, PERMISSION, "findings"), only(plan, TARGET, "findings")
    assert permission.inputs["principal"] == "events.amazonaws.com"
    assert permission.inputs["action"] == "lambda:InvokeFunction"
    assert permission.inputs["sourceArn"] == rule.outputs["arn"]
    assert permission.inputs["function"] == function.outputs["name"]
    assert target.inputs["arn"] == function.outputs["arn"]
    assert permission.urn in target.dependencies
    # Both stay children of the caller: their URNs are the caller's to keep.
    caller = by_urn(plan, permission.parent)
    assert caller.type == "tests:event_targets:Caller" == by_urn(plan, target.parent).type


def test_a_permission_may_have_its_own_name_and_the_target_an_input_transformer() -> None:
    transformer = aws.cloudwatch.EventTargetInputTransformerArgs(input_template='"hello"')
    plan = _plan(permission_name="findings-invoke", input_transformer=transformer)
    only(plan, PERMISSION, "findings-invoke")
    target = only(plan, TARGET, "findings")
    assert target.inputs["inputTransformer"] == {"inputTemplate": '"hello"'}
