"""A CloudWatch alarm that fires on the first occurrence of what it watches.

Functions' errors, dead letters and a DDoS attack Shield detects are each worth a look the
moment one happens: the alarm goes off when the metric reaches 1 within one period (five
minutes unless said), and says so again when it is back to 0. No data (no invocation, an
empty queue, no attack) is not an alarm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

PERIOD_SECONDS = 300


@dataclass(frozen=True)
class Metric:
    """What an alarm watches: CloudWatch's namespace, metric, dimensions and statistic."""

    namespace: str
    metric_name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str


def dead_letters(queue_name: pulumi.Input[str]) -> Metric:
    """Messages waiting in a dead-letter queue."""
    return Metric(
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimensions={"QueueName": queue_name},
        statistic="Maximum",
    )


def first_occurrence_alarm(
    name: str,
    metric: Metric,
    *,
    description: str,
    topic_arn: pulumi.Input[str],
    region: str | None,
    tags: Mapping[str, str] | None,
    opts: pulumi.ResourceOptions,
    period_seconds: int = PERIOD_SECONDS,
) -> aws.cloudwatch.MetricAlarm:
    """An alarm on `metric` that notifies `topic_arn` when it goes off and when it clears."""
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=description,
        namespace=metric.namespace,
        metric_name=metric.metric_name,
        dimensions=dict(metric.dimensions),
        statistic=metric.statistic,
        period=period_seconds,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        region=region,
        tags=dict(tags) if tags is not None else None,
        opts=opts,
    )
