"""An EventBridge rule that invokes a Lambda function: the permission, then the target.

EventBridge invokes a Lambda target through the function's resource-based policy (Amazon
EventBridge User Guide, "Using resource-based policies for Amazon EventBridge", AWS Lambda
permissions): the permission admits events.amazonaws.com for this rule's ARN only, and the
target waits for it, so that no event is sent to a function that would refuse it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from components.lambda_function import SecureFunction


def invoke_from_rule(
    name: str,
    rule: aws.cloudwatch.EventRule,
    function: SecureFunction,
    *,
    region: str | None,
    child: Callable[..., pulumi.ResourceOptions],
    permission_name: str | None = None,
    input_transformer: aws.cloudwatch.EventTargetInputTransformerArgs | None = None,
) -> aws.cloudwatch.EventTarget:
    """`rule` invokes `function`. `child(**options)` makes the options of the caller's own
    children (they stay where the caller's resource names put them)."""
    permission = aws.lambda_.Permission(
        permission_name or name,
        action="lambda:InvokeFunction",
        function=function.function_name,
        principal="events.amazonaws.com",
        source_arn=rule.arn,
        region=region,
        opts=child(),
    )
    extra: dict[str, Any] = {}
    if input_transformer is not None:
        extra["input_transformer"] = input_transformer
    return aws.cloudwatch.EventTarget(
        name,
        rule=rule.name,
        arn=function.arn,
        region=region,
        opts=child(depends_on=[permission]),
        **extra,
    )
