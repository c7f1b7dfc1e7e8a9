"""Alerts under the offline mocks, and the `alerts` spec section."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import cerberus
import pulumi
import pytest
from moto.events.models import EventPattern
from parliament import analyze_policy_string

from baseline.capabilities.alerts import section
from baseline.capabilities.alerts.component import (
    EVENT_TEMPLATE_VARIABLE,
    FUNCTION_DIR,
    Alerts,
    AlertsArgs,
    ddos_metric_region,
)
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline
from components import event_patterns
from tests.organization_harness import SECURITY, account_provider
from tests.paths import FIXTURES
from tests.policy_documents import lint as lint_policy

HOME, OTHER = "eu-west-1", "us-east-1"
ORGANIZATION = "o-a1b2c3d4e5"
FINDINGS = f"arn:aws:sns:{HOME}:{SECURITY}:security-findings"
TAMPER = f"arn:aws:sns:{HOME}:{SECURITY}:security-tamper"
PIPELINE = f"arn:aws:sns:{HOME}:{SECURITY}:delivery"
DDOS_TOPICS = {region: f"arn:aws:sns:{region}:{SECURITY}:ddos" for region in (HOME, OTHER)}
KEY = f"arn:aws:kms:{HOME}:{SECURITY}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CLOUDFRONT = f"arn:aws:cloudfront::{SECURITY}:distribution/E2QWRUHEXAMPLE"
ALB = f"arn:aws:elasticloadbalancing:{HOME}:{SECURITY}:loadbalancer/app/web/50dc6c495c0c9188"
EVENTS = FIXTURES / "events"

FINDING_ROUTES = {"guardduty", "securityhub", "macie", "macie-policy", "firewall-manager"}
PIPELINE_ROUTES = {"codepipeline", "codebuild"}
TAMPER_ROUTES = set(event_patterns.tamper_patterns())


def _args(**overrides: Any) -> AlertsArgs:
    settings: dict[str, Any] = {
        "home_region": HOME,
        "regions": (HOME, OTHER),
        "findings_topic_arn": FINDINGS,
        "tamper_topic_arn": TAMPER,
        "pipeline_topic_arn": PIPELINE,
        "topic_key_arns": (KEY,),
        "ddos_resource_arns": (CLOUDFRONT, ALB),
        "ddos_topic_arns": DDOS_TOPICS,
    }
    return AlertsArgs(**{**settings, **overrides})


def _plan(args: AlertsArgs) -> Plan:
    def program() -> None:
        security = account_provider("security", SECURITY, HOME)
        alerts = Alerts("alerts", args, opts=pulumi.ResourceOptions(provider=security))
        pulumi.export("publisher_role_arn", alerts.publisher_role_arn)

    return run_inline(program, region=HOME)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan(_args())


def _of_type(plan: Plan, type_: str) -> list[PlannedResource]:
    return [r for r in plan.resources if r.type == type_]


def _one(plan: Plan, type_: str, name: str) -> PlannedResource:
    return next(r for r in _of_type(plan, type_) if r.name == name)


def _rules(plan: Plan, region: str) -> dict[str, PlannedResource]:
    return {
        r.name.removeprefix("alerts-").removesuffix(f"-{region}"): r
        for r in _of_type(plan, "aws:cloudwatch/eventRule:EventRule")
        if r.inputs["region"] == region
    }


def _target(plan: Plan, rule: PlannedResource) -> PlannedResource:
    return next(
        t
        for t in _of_type(plan, "aws:cloudwatch/eventTarget:EventTarget")
        if t.inputs["rule"] == rule.outputs["name"]
    )


def test_rules_in_the_home_region_and_forwarders_elsewhere(plan: Plan) -> None:
    assert set(_rules(plan, HOME)) == FINDING_ROUTES | PIPELINE_ROUTES | TAMPER_ROUTES
    # Security Hub aggregates into the home region: its rules would only repeat there.
    assert (
        set(_rules(plan, OTHER))
        == {"guardduty", "macie", "macie-policy"} | PIPELINE_ROUTES | TAMPER_ROUTES
    )


def test_rule_patterns_are_the_tested_patterns(plan: Plan) -> None:
    rules = _rules(plan, HOME)
    expected = {
        **event_patterns.findings_patterns("MEDIUM", ("HIGH", "CRITICAL")),
        **event_patterns.pipeline_patterns(),
        **event_patterns.tamper_patterns(),
    }
    for name, pattern in expected.items():
        assert json.loads(rules[name].inputs["eventPattern"]) == pattern, name


def _render(template: str, event: dict[str, Any]) -> dict[str, Any]:
    # What EventBridge sends the function: the template with the whole event in place.
    result: dict[str, Any] = json.loads(
        template.replace(EVENT_TEMPLATE_VARIABLE, json.dumps(event))
    )
    return result


@pytest.mark.parametrize(
    ("route", "topic", "fixture"),
    [
        ("guardduty", FINDINGS, "guardduty_high"),
        ("securityhub", FINDINGS, "securityhub_high_new"),
        ("macie", FINDINGS, "macie_sensitive_data"),
        ("macie-policy", FINDINGS, "macie_policy"),
        ("firewall-manager", FINDINGS, "fms_noncompliant"),
        ("codebuild", PIPELINE, "codebuild_failed"),
        ("tamper-cloudtrail", TAMPER, "cloudtrail_stop_logging"),
    ],
)
def test_home_rules_send_the_event_and_their_topic_to_the_function(
    plan: Plan, route: str, topic: str, fixture: str
) -> None:
    (function,) = _of_type(plan, "aws:lambda/function:Function")
    target = _target(plan, _rules(plan, HOME)[route])
    assert target.inputs["arn"] == function.outputs["arn"]
    event = json.loads((EVENTS / f"{fixture}.json").read_text())
    template = target.inputs["inputTransformer"]["inputTemplate"]
    assert _render(template, event) == {"topic_arn": topic, "event": event}


def test_only_each_home_rule_may_invoke_the_function(plan: Plan) -> None:
    (function,) = _of_type(plan, "aws:lambda/function:Function")
    permissions = _of_type(plan, "aws:lambda/permission:Permission")
    rules = _rules(plan, HOME)
    assert {p.inputs["sourceArn"] for p in permissions} == {
        r.outputs["arn"] for r in rules.values()
    }
    for permission in permissions:
        assert permission.inputs["principal"] == "events.amazonaws.com"
        assert permission.inputs["action"] == "lambda:InvokeFunction"
        assert permission.inputs["function"] == function.outputs["name"]


def test_other_regions_forward_to_the_home_default_bus(plan: Plan) -> None:
    role = _one(plan, "aws:iam/role:Role", "alerts-forward")
    bus = f"arn:aws:events:{HOME}:{SECURITY}:event-bus/default"
    for rule in _rules(plan, OTHER).values():
        target = _target(plan, rule)
        assert (target.inputs["arn"], target.inputs["roleArn"]) == (bus, role.outputs["arn"])
        assert target.inputs["region"] == OTHER
        assert "inputTransformer" not in target.inputs
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust[0]["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": SECURITY}}
    policy = json.loads(
        _one(plan, "aws:iam/rolePolicy:RolePolicy", "alerts-forward").inputs["policy"]
    )
    assert policy["Statement"] == [
        {
            "Sid": "ForwardToHomeBus",
            "Effect": "Allow",
            "Action": ["events:PutEvents"],
            "Resource": [bus],
        }
    ]


def test_the_function_runs_the_shipped_handler(plan: Plan) -> None:
    (function,) = _of_type(plan, "aws:lambda/function:Function")
    inputs = function.inputs
    assert (inputs["runtime"], inputs["handler"], inputs["region"]) == (
        "python3.12",
        "handler.handler",
        HOME,
    )
    assets = inputs["code"]["assets"]
    assert set(assets) == {"handler.py"}
    assert assets["handler.py"]["path"] == str(FUNCTION_DIR / "handler.py")
    log_group = _one(plan, "aws:cloudwatch/logGroup:LogGroup", "alerts-format")
    assert log_group.inputs["retentionInDays"] == 365
    assert inputs["loggingConfig"]["logGroup"] == log_group.outputs["name"]


def test_a_failed_formatting_still_reaches_the_findings_topic(plan: Plan) -> None:
    (config,) = _of_type(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    assert config.inputs["destinationConfig"] == {"onFailure": {"destination": FINDINGS}}
    assert config.inputs["maximumRetryAttempts"] == 2


def test_the_function_may_publish_to_its_topics_and_write_its_logs_only(plan: Plan) -> None:
    role = _one(plan, "aws:iam/role:Role", "alerts-format")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    text = _one(plan, "aws:iam/rolePolicy:RolePolicy", "alerts-format").inputs["policy"]
    statements = {s["Sid"]: s for s in json.loads(text)["Statement"]}
    log_group = _one(plan, "aws:cloudwatch/logGroup:LogGroup", "alerts-format")
    assert statements["PublishAlerts"]["Action"] == ["sns:Publish"]
    assert statements["PublishAlerts"]["Resource"] == [FINDINGS, TAMPER, PIPELINE]
    assert statements["WriteOwnLogs"]["Resource"] == [f"{log_group.outputs['arn']}:*"]
    assert statements["EncryptForEncryptedTopics"]["Resource"] == [KEY]
    # The key serves SNS's requests in the topics' region only, not direct calls.
    assert statements["EncryptForEncryptedTopics"]["Condition"] == {
        "StringEquals": {"kms:ViaService": [f"sns.{HOME}.amazonaws.com"]}
    }
    assert all("*" not in s["Action"] and s["Resource"] != "*" for s in statements.values())
    assert analyze_policy_string(text).findings == []


def test_the_role_to_grant_publishing_is_the_one_role_that_publishes(plan: Plan) -> None:
    """The wiring grants it on the security account's topics (Notifications.grant_publish)."""
    publishing = [
        policy.inputs["role"]
        for policy in _of_type(plan, "aws:iam/rolePolicy:RolePolicy")
        if any(
            "sns:Publish" in statement["Action"]
            for statement in json.loads(policy.inputs["policy"])["Statement"]
        )
    ]
    role = _one(plan, "aws:iam/role:Role", "alerts-format")
    assert publishing == [role.outputs["name"]]
    assert plan.stack_outputs["publisher_role_arn"] == role.outputs["arn"]


def test_the_log_group_is_encrypted_by_default_with_a_key_only_its_logs_may_use(
    plan: Plan,
) -> None:
    log_group = _one(plan, "aws:cloudwatch/logGroup:LogGroup", "alerts-format")
    [key] = [k for k in _of_type(plan, "aws:kms/key:Key") if k.name.startswith("alerts-format")]
    assert log_group.inputs["kmsKeyId"] == key.outputs["arn"]
    grant = next(
        s
        for s in json.loads(key.inputs["policy"])["Statement"]
        if s.get("Sid") == "AllowCloudWatchLogsEncryption"
    )
    assert grant["Principal"] == {"Service": [f"logs.{HOME}.amazonaws.com"]}
    pattern = grant["Condition"]["StringLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert pattern == f"arn:aws:logs:{HOME}:{SECURITY}:log-group:alerts-format-*"
    # The generated name falls under the pattern (CloudWatch Logs' context is the group ARN).
    assert fnmatchcase(log_group.outputs["arn"], pattern)
    assert not fnmatchcase(f"arn:aws:logs:{HOME}:{SECURITY}:log-group:other", pattern)
    assert "kms:DescribeKey" not in grant["Action"]


def test_a_given_log_key_is_used_and_no_key_is_made() -> None:
    plan = _plan(_args(log_kms_key_arn=KEY, ddos_resource_arns=()))
    log_group = _one(plan, "aws:cloudwatch/logGroup:LogGroup", "alerts-format")
    assert log_group.inputs["kmsKeyId"] == KEY
    assert _of_type(plan, "aws:kms/key:Key") == []


def test_ddos_alarms_watch_each_resource_where_shield_publishes_its_metric(plan: Plan) -> None:
    alarms = {
        a.inputs["dimensions"]["ResourceArn"]: a.inputs
        for a in _of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs["namespace"] == "AWS/DDoSProtection"
    }
    assert set(alarms) == {CLOUDFRONT, ALB}
    assert alarms[CLOUDFRONT]["region"] == "us-east-1"
    assert alarms[ALB]["region"] == HOME
    for arn, alarm in alarms.items():
        assert (alarm["namespace"], alarm["metricName"]) == ("AWS/DDoSProtection", "DDoSDetected")
        assert (alarm["statistic"], alarm["period"], alarm["evaluationPeriods"]) == (
            "Maximum",
            60,
            1,
        )
        assert (alarm["comparisonOperator"], alarm["threshold"]) == (
            "GreaterThanOrEqualToThreshold",
            1,
        )
        assert alarm["treatMissingData"] == "notBreaching"
        topic = DDOS_TOPICS[alarm["region"]]
        assert alarm["alarmActions"] == alarm["okActions"] == [topic], arn


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        (CLOUDFRONT, "us-east-1"),
        ("arn:aws:route53:::hostedzone/Z123EXAMPLE", "us-east-1"),
        (
            f"arn:aws:globalaccelerator::{SECURITY}:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh",
            "us-west-2",
        ),
        (
            f"arn:aws:ec2:ap-southeast-2:{SECURITY}:eip-allocation/eipalloc-0123456789abcdef0",
            "ap-southeast-2",
        ),
    ],
)
def test_ddos_metric_regions(arn: str, region: str) -> None:
    assert ddos_metric_region(arn) == region


def test_without_aggregation_security_hub_rules_run_in_every_region() -> None:
    plan = _plan(_args(securityhub_aggregated=False, ddos_resource_arns=()))
    assert {"securityhub", "firewall-manager"} <= set(_rules(plan, OTHER))


def test_tamper_and_pipeline_alerts_can_be_turned_off_and_one_region_needs_no_forwarder() -> None:
    plan = _plan(
        _args(regions=(), tamper_alerts=False, pipeline_alerts=False, ddos_resource_arns=())
    )
    assert set(_rules(plan, HOME)) == FINDING_ROUTES
    assert {r.name for r in _of_type(plan, "aws:iam/role:Role")} == {"alerts-format"}
    alarms = _of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert [alarm.name for alarm in alarms] == ["alerts-format-errors"]


def test_without_an_organization_the_bus_admits_no_other_account(plan: Plan) -> None:
    assert _of_type(plan, "aws:cloudwatch/eventBusPolicy:EventBusPolicy") == []


@pytest.fixture(scope="module")
def organization_plan() -> Plan:
    return _plan(_args(organization_id=ORGANIZATION, ddos_resource_arns=()))


def test_the_home_bus_admits_the_organizations_api_call_events_only(
    organization_plan: Plan,
) -> None:
    (bus_policy,) = _of_type(organization_plan, "aws:cloudwatch/eventBusPolicy:EventBusPolicy")
    assert bus_policy.inputs["region"] == HOME
    # Absent: the default bus, where AWS services and forwarded events arrive.
    assert "eventBusName" not in bus_policy.inputs
    text = bus_policy.inputs["policy"]
    assert json.loads(text)["Statement"] == [
        {
            "Sid": "OrganizationForwardsApiCalls",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["events:PutEvents"],
            "Resource": [f"arn:aws:events:{HOME}:{SECURITY}:event-bus/default"],
            "Condition": {
                "StringEquals": {
                    "aws:PrincipalOrgID": ORGANIZATION,
                    "events:detail-type": "AWS API Call via CloudTrail",
                },
                "StringLike": {"events:source": "aws.*"},
            },
        }
    ]
    assert lint_policy(text, "resource") == []


def test_a_member_accounts_forwarded_call_reaches_the_tamper_alert(
    organization_plan: Plan,
) -> None:
    # As the member's rule forwards it: its own account and region, on the security home bus.
    event = json.loads((EVENTS / "member_kms_disable_key.json").read_text())
    assert (event["account"], event["region"]) != (SECURITY, HOME)
    rules = _rules(organization_plan, HOME)
    matched = {
        name
        for name, rule in rules.items()
        if EventPattern.load(rule.inputs["eventPattern"]).matches_event(event)
    }
    assert matched == {"tamper-kms"}
    target = _target(organization_plan, rules["tamper-kms"])
    assert TAMPER in target.inputs["inputTransformer"]["inputTemplate"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"organization_id": "org-1"}, "organization id"),
        ({"guardduty_min_severity": "SEVERE"}, "guardduty_min_severity"),
        ({"securityhub_labels": ("URGENT",)}, "Security Hub labels"),
        ({"regions": (OTHER,)}, "home region"),
        ({"ddos_topic_arns": {HOME: DDOS_TOPICS[HOME]}}, "us-east-1"),
        ({"ddos_resource_arns": ("not-an-arn",)}, "not a resource ARN"),
    ],
)
def test_args_refuse_inconsistent_settings(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _args(**overrides)


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    validator = cerberus.Validator({"alerts": section.SECTION})
    validator.validate(document)
    return validator


def test_section_defaults_are_the_secure_choice() -> None:
    validator = _validate({})
    assert validator.errors == {}
    spec = section.parse(validator.document["alerts"], "security-alerts", "MEDIUM")
    # Absent thresholds follow notifications.min_severity (here MEDIUM).
    assert spec.guardduty_min_severity == "MEDIUM"
    assert spec.securityhub_labels == ("MEDIUM", "HIGH", "CRITICAL")
    assert (spec.tamper_alerts, spec.pipeline_alerts, spec.securityhub_aggregated) == (
        True,
        True,
        True,
    )
    assert spec.topic_names == {"security-alerts"}
    assert spec.ddos_alarms == ()


def test_section_parses_topics_thresholds_and_protected_resources() -> None:
    validator = _validate(
        {
            "alerts": {
                "topics": {"tamper": "security-tamper", "pipeline": "delivery"},
                "guardduty_min_severity": "HIGH",
                "securityhub_labels": ["CRITICAL"],
                "pipeline_alerts": False,
                "ddos_alarms": [CLOUDFRONT, ALB],
            }
        }
    )
    assert validator.errors == {}
    spec = section.parse(validator.document["alerts"], "security-alerts", "MEDIUM")
    assert (spec.topics.findings, spec.topics.tamper, spec.topics.pipeline) == (
        "security-alerts",
        "security-tamper",
        "delivery",
    )
    assert spec.topic_names == {"security-alerts", "security-tamper", "delivery"}
    assert (spec.guardduty_min_severity, spec.securityhub_labels) == ("HIGH", ("CRITICAL",))
    assert spec.pipeline_alerts is False
    assert spec.ddos_alarms == (CLOUDFRONT, ALB)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"guardduty_min_severity": "INFORMATIONAL"}, "guardduty_min_severity"),
        ({"securityhub_labels": []}, "securityhub_labels"),
        ({"securityhub_labels": ["HIGH", "HIGH"]}, "securityhub_labels"),
        ({"ddos_alarms": [f"arn:aws:s3:::bucket-{SECURITY}"]}, "ddos_alarms"),
        ({"topics": {"findings": "Security_Alerts"}}, "topics"),
        ({"topics": {"audit": "security-alerts"}}, "topics"),
        ({"tamper": True}, "tamper"),
    ],
)
def test_section_rejects_wrong_values_and_unknown_keys(
    document: dict[str, Any], field: str
) -> None:
    validator = _validate({"alerts": document})
    assert field in validator.errors["alerts"][0]
