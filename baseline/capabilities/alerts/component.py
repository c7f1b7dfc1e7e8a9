"""Alerts: findings, tampering and pipeline failures to encrypted SNS topics; DDoS alarms.

EventBridge rules in every region select the events (components/event_patterns.py). In the
home region their target is the alert-format function, which publishes a readable message
(plain text for email, a card for AWS Chatbot) to the rule's topic; other regions forward
their matches to the home region's default bus, where the same rules apply. One function
keeps one message format for every source and never drops an event it does not know; an
input transformer can only fill a fixed template per rule and cannot serve email and chat
from one publish. A failed invocation still reaches the findings topic, as Lambda's
on-failure record.

The function's role may publish to the three topics only; the topics and their KMS key must
admit it (`publisher_role_arn`: the security account's topics `grant_publish` it), as they do
the EventBridge and CloudWatch principals.

With `organization_id`, the home region's default bus admits CloudTrail API call events from
the organization's accounts: the account guardrails StackSet
(baseline/capabilities/guardrails/component.py) forwards their calls that weaken the baseline
there, and the same tamper rules alert on them. The rules
do not restrict `account`, and a forwarded event keeps its own account, region and source.
Members target the home region directly, as EventBridge passes an event to an event bus target
only once: the other regions' buses need no such policy.

Shield Advanced's `DDoSDetected` metric of each protected resource gets an alarm in the
region the metric lives in, notifying that region's topic.

The function's log group is encrypted with `log_kms_key_arn` or, by default, with a key of its
own that CloudWatch Logs may use for this function's log groups only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import event_patterns
from components.alarms import Metric, first_occurrence_alarm
from components.event_targets import invoke_from_rule
from components.iam import (
    aws_context,
    render_policy,
    statement,
    trust_policy,
    validate_organization_id,
)
from components.kms import MAX_DELETION_WINDOW_DAYS
from components.lambda_code import ROLE_PATH
from components.lambda_function import OnFailure, SecureFunction, SecureFunctionArgs

FUNCTION_DIR = Path(__file__).parent / "functions" / "alert_format"
EVENT_TEMPLATE_VARIABLE = "<aws.events.event.json>"
# Where Shield publishes DDoSDetected for resources without a region in their ARN.
GLOBAL_METRIC_REGIONS = {"cloudfront": "us-east-1", "route53": "us-east-1"}
GLOBAL_ACCELERATOR_METRIC_REGION = "us-west-2"
_PROTECTED_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:([a-z0-9-]+):([a-z0-9-]*):\d{0,12}:.+")


@dataclass(frozen=True)
class AlertsArgs:
    """Arguments of Alerts; topics are encrypted SNS topics made elsewhere (Notifications).

    `regions` are the regions whose events are alerted (default: the home region).
    `securityhub_aggregated`: Security Hub aggregates findings into the home region, so its
    rules run there only; otherwise every region would report each finding twice.
    `ddos_topic_arns` maps a region to its topic: alarms notify topics of their own region.
    `organization_id`: the organization whose accounts forward their tamper events to the home
    region's default bus (None: nothing but this account's own events reaches it).
    """

    home_region: str
    findings_topic_arn: pulumi.Input[str]
    tamper_topic_arn: pulumi.Input[str]
    pipeline_topic_arn: pulumi.Input[str]
    topic_key_arns: tuple[pulumi.Input[str], ...] = ()
    regions: tuple[str, ...] = ()
    guardduty_min_severity: str = "MEDIUM"
    securityhub_labels: tuple[str, ...] = ("HIGH", "CRITICAL")
    securityhub_aggregated: bool = True
    tamper_alerts: bool = True
    pipeline_alerts: bool = True
    ddos_resource_arns: tuple[str, ...] = ()
    ddos_topic_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    log_retention_days: int = 365
    log_kms_key_arn: pulumi.Input[str] | None = None
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    organization_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_organization_id(self.organization_id)
        if self.guardduty_min_severity not in event_patterns.GUARDDUTY_SEVERITY_FLOOR:
            allowed = ", ".join(event_patterns.GUARDDUTY_SEVERITY_FLOOR)
            raise ValueError(f"guardduty_min_severity must be one of {allowed}")
        event_patterns.securityhub_findings(self.securityhub_labels)
        if self.regions and self.home_region not in self.regions:
            raise ValueError(f"regions must include the home region {self.home_region}")
        missing = sorted(
            {ddos_metric_region(arn) for arn in self.ddos_resource_arns} - set(self.ddos_topic_arns)
        )
        if missing:
            raise ValueError(f"DDoS alarms need a topic in {', '.join(missing)}")

    @property
    def alerted_regions(self) -> tuple[str, ...]:
        return self.regions or (self.home_region,)


def ddos_metric_region(resource_arn: str) -> str:
    """The region where Shield Advanced publishes `DDoSDetected` for `resource_arn`."""
    match = _PROTECTED_ARN.fullmatch(resource_arn)
    if match is None:
        raise ValueError(f"not a resource ARN: {resource_arn!r}")
    service, region = match.groups()
    if service == "globalaccelerator":
        return GLOBAL_ACCELERATOR_METRIC_REGION
    return region or GLOBAL_METRIC_REGIONS.get(service, "us-east-1")


@dataclass(frozen=True)
class Route:
    """Events matching `pattern` in `regions` become alerts on `topic_arn`."""

    name: str
    pattern: event_patterns.Pattern
    topic_arn: pulumi.Input[str]
    regions: tuple[str, ...]


def routes(args: AlertsArgs) -> list[Route]:
    everywhere, home = args.alerted_regions, (args.home_region,)
    securityhub_regions = home if args.securityhub_aggregated else everywhere
    findings = event_patterns.findings_patterns(
        args.guardduty_min_severity, args.securityhub_labels
    )
    result = [
        Route(
            name,
            pattern,
            args.findings_topic_arn,
            securityhub_regions if name in ("securityhub", "firewall-manager") else everywhere,
        )
        for name, pattern in findings.items()
    ]
    if args.pipeline_alerts:
        result += [
            Route(name, pattern, args.pipeline_topic_arn, everywhere)
            for name, pattern in event_patterns.pipeline_patterns().items()
        ]
    if args.tamper_alerts:
        result += [
            Route(name, pattern, args.tamper_topic_arn, everywhere)
            for name, pattern in event_patterns.tamper_patterns().items()
        ]
    return result


def input_template(topic_arn: str) -> str:
    """The target input: the rule's topic and the whole original event."""
    return f'{{"topic_arn": {json.dumps(topic_arn)}, "event": {EVENT_TEMPLATE_VARIABLE}}}'


def _arn_part(arn: str, index: int) -> str:
    return arn.split(":")[index]


class Alerts(pulumi.ComponentResource):
    """Rules per region, the alert-format function in the home region, and DDoS alarms."""

    function: aws.lambda_.Function
    publisher_role_arn: pulumi.Output[str]
    rules: dict[str, aws.cloudwatch.EventRule]
    organization_bus_policy: aws.cloudwatch.EventBusPolicy | None
    ddos_alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(
        self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:alerts:Alerts", name, None, opts)
        self._name = name
        self._args = args
        self._tags = dict(args.tags) or None
        self.function = self._formatter()
        home_bus_arn = self.function.arn.apply(
            lambda arn: (
                f"arn:{_arn_part(arn, 1)}:events:{args.home_region}:{_arn_part(arn, 4)}:"
                "event-bus/default"
            )
        )
        remote = [region for region in args.alerted_regions if region != args.home_region]
        forwarder = self._forwarder_role(home_bus_arn) if remote else None
        self.rules = {}
        for route in routes(args):
            for region in route.regions:
                if region == args.home_region:
                    self._home_rule(route)
                elif forwarder is not None:
                    self._forwarding_rule(route, region, home_bus_arn, forwarder)
        self.organization_bus_policy = (
            self._organization_bus_policy(args.organization_id, home_bus_arn)
            if args.organization_id is not None
            else None
        )
        self.ddos_alarms = {
            arn: self._ddos_alarm(arn) for arn in dict.fromkeys(args.ddos_resource_arns)
        }
        self.register_outputs(
            {
                "function_arn": self.function.arn,
                "publisher_role_arn": self.publisher_role_arn,
                "rule_arns": {key: rule.arn for key, rule in self.rules.items()},
            }
        )

    def _child(self, **extra: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **extra)

    def _formatter(self) -> aws.lambda_.Function:
        args, name = self._args, f"{self._name}-format"
        formatter = SecureFunction(
            name,
            SecureFunctionArgs(
                source_dir=FUNCTION_DIR,
                source_pattern="handler.py",
                handler="handler.handler",
                description="Formats security events into alerts and publishes them to SNS",
                statements=self._publisher_statements(),
                # The record of an event that failed every retry is itself an alert; the
                # topics' keys are in the publisher statements.
                on_failure=OnFailure(destination_arn=args.findings_topic_arn, kind="sns"),
                alarm_topic_arn=args.findings_topic_arn,
                log_retention_days=args.log_retention_days,
                log_key_arn=args.log_kms_key_arn,
                log_key_alias=f"security-baseline/{name}-logs",
                key_administrator_arns=args.key_administrator_arns,
                key_deployer_arns=args.key_deployer_arns,
                key_deletion_window_in_days=args.key_deletion_window_in_days,
                region=args.home_region,
                tags=args.tags,
            ),
            opts=self._child(),
            previous_parent=self,
        )
        self.publisher_role_arn = formatter.role_arn
        self._formatter_function = formatter
        return formatter.function

    def _publisher_statements(self) -> list[dict[str, Any]]:
        args = self._args
        topics = [args.findings_topic_arn, args.tamper_topic_arn, args.pipeline_topic_arn]
        statements = [statement("PublishAlerts", actions=["sns:Publish"], resources=topics)]
        if args.topic_key_arns:
            # SNS uses the key on the publisher's behalf, in each topic's region (AWS KMS guide,
            # kms:ViaService): the role can use it in no other way.
            via_sns = pulumi.Output.all(aws_context(self, args.home_region), *topics).apply(
                lambda values: sorted(
                    {f"sns.{_arn_part(arn, 3)}.{values[0].dns_suffix}" for arn in values[1:]}
                )
            )
            statements.append(
                statement(
                    "EncryptForEncryptedTopics",
                    actions=["kms:GenerateDataKey", "kms:Decrypt"],
                    resources=list(args.topic_key_arns),
                    conditions={"StringEquals": {"kms:ViaService": via_sns}},
                )
            )
        return statements

    def _forwarder_role(self, home_bus_arn: pulumi.Output[str]) -> aws.iam.Role:
        name = f"{self._name}-forward"
        account = home_bus_arn.apply(lambda arn: _arn_part(arn, 4))
        role = aws.iam.Role(
            name,
            path=ROLE_PATH,
            description="EventBridge: forwards matched security events to the home region",
            assume_role_policy=render_policy(
                [
                    trust_policy(
                        "EventBridgeAssumes",
                        {"Service": "events.amazonaws.com"},
                        {"StringEquals": {"aws:SourceAccount": account}},
                    )
                ]
            ),
            tags=self._tags,
            opts=self._child(),
        )
        aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=render_policy(
                [
                    statement(
                        "ForwardToHomeBus", actions=["events:PutEvents"], resources=[home_bus_arn]
                    )
                ]
            ),
            opts=self._child(),
        )
        return role

    def _organization_bus_policy(
        self, organization_id: str, home_bus_arn: pulumi.Output[str]
    ) -> aws.cloudwatch.EventBusPolicy:
        """The organization's accounts may put AWS API call events, nothing else, on the bus.

        Custom events cannot carry an `aws.` source, so members can only forward what their
        own buses received from AWS.
        """
        return aws.cloudwatch.EventBusPolicy(
            f"{self._name}-organization",
            policy=render_policy(
                [
                    statement(
                        "OrganizationForwardsApiCalls",
                        principal="*",
                        actions=["events:PutEvents"],
                        resources=[home_bus_arn],
                        conditions={
                            "StringEquals": {
                                "aws:PrincipalOrgID": organization_id,
                                "events:detail-type": event_patterns.CLOUDTRAIL_API_CALL,
                            },
                            "StringLike": {"events:source": "aws.*"},
                        },
                    )
                ]
            ),
            region=self._args.home_region,
            opts=self._child(),
        )

    def _rule(self, route: Route, region: str) -> aws.cloudwatch.EventRule:
        rule = aws.cloudwatch.EventRule(
            f"{self._name}-{route.name}-{region}",
            description=f"security-baseline alert: {route.name}",
            event_pattern=json.dumps(route.pattern, sort_keys=True),
            region=region,
            tags=self._tags,
            opts=self._child(),
        )
        self.rules[f"{route.name}/{region}"] = rule
        return rule

    def _home_rule(self, route: Route) -> None:
        region = self._args.home_region
        rule = self._rule(route, region)
        label = f"{self._name}-{route.name}-{region}"
        invoke_from_rule(
            label,
            rule,
            self._formatter_function,
            region=region,
            child=self._child,
            permission_name=f"{label}-invoke",
            input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
                input_template=pulumi.Output.from_input(route.topic_arn).apply(input_template)
            ),
        )

    def _forwarding_rule(
        self, route: Route, region: str, home_bus_arn: pulumi.Output[str], role: aws.iam.Role
    ) -> None:
        rule = self._rule(route, region)
        aws.cloudwatch.EventTarget(
            f"{self._name}-{route.name}-{region}",
            rule=rule.name,
            arn=home_bus_arn,
            role_arn=role.arn,
            region=region,
            opts=self._child(),
        )

    def _ddos_alarm(self, resource_arn: str) -> aws.cloudwatch.MetricAlarm:
        region = ddos_metric_region(resource_arn)
        topic = self._args.ddos_topic_arns[region]
        digest = hashlib.sha256(resource_arn.encode()).hexdigest()[:10]
        return first_occurrence_alarm(
            f"{self._name}-ddos-{digest}",
            Metric(
                namespace="AWS/DDoSProtection",
                metric_name="DDoSDetected",
                dimensions={"ResourceArn": resource_arn},
                statistic="Maximum",
            ),
            description=f"Shield Advanced detected a DDoS attack on {resource_arn}",
            topic_arn=topic,
            region=region,
            tags=self._tags,
            opts=self._child(),
            period_seconds=60,
        )
