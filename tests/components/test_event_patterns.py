"""Every alert pattern against real event shapes (tests/fixtures/events), through moto's matcher."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.events.models import EventPattern, EventPatternParser

from baseline.capabilities.alerts.component import AlertsArgs, routes
from components import event_patterns
from tests.paths import FIXTURES

EVENTS = FIXTURES / "events"
TOPIC = "arn:aws:sns:eu-west-1:222222222222:security-alerts"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


def eventbridge_view(value: Any) -> Any:
    """`value` with arrays of objects turned into objects of arrays, as EventBridge reads them.

    EventBridge matches a field inside an array of objects if any element has it
    (`detail.findings.Severity.Label` of Security Hub events); moto's matcher only walks
    objects, so it sees the fields of array elements only after this documented flattening.
    """
    if isinstance(value, dict):
        return {key: eventbridge_view(item) for key, item in value.items()}
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return _merge([eventbridge_view(item) for item in value])
    return value


def _merge(objects: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in dict.fromkeys(key for item in objects for key in item):
        values = [item[key] for item in objects if key in item]
        if all(isinstance(value, dict) for value in values):
            merged[key] = _merge(values)
        else:
            merged[key] = [
                v for value in values for v in (value if isinstance(value, list) else [value])
            ]
    return merged


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    return EventPattern.load(json.dumps(pattern)).matches_event(eventbridge_view(event))


def test_moto_alone_does_not_look_inside_arrays_of_objects() -> None:
    # Why eventbridge_view exists: without it no Security Hub pattern could ever match.
    pattern = event_patterns.securityhub_findings(["HIGH"])
    event = load("securityhub_high_new")
    assert not EventPattern.load(json.dumps(pattern)).matches_event(event)
    assert matches(pattern, event)


def test_the_view_flattens_several_findings_like_eventbridge() -> None:
    event = load("securityhub_medium_new")
    critical = load("securityhub_critical_new")["detail"]["findings"][0]
    event["detail"]["findings"].append(critical)
    view = eventbridge_view(event)
    assert view["detail"]["findings"]["Severity"]["Label"] == ["MEDIUM", "CRITICAL"]
    assert matches(event_patterns.securityhub_findings(["CRITICAL"]), event)


@pytest.mark.parametrize(
    ("min_severity", "expected"),
    [
        ("LOW", {"guardduty_high", "guardduty_medium", "guardduty_low"}),
        ("MEDIUM", {"guardduty_high", "guardduty_medium"}),
        ("HIGH", {"guardduty_high"}),
        ("CRITICAL", set()),
    ],
)
def test_guardduty_findings_at_or_above_the_threshold(
    min_severity: str, expected: set[str]
) -> None:
    pattern = event_patterns.guardduty_findings(min_severity)
    matched = {
        name
        for name in ("guardduty_high", "guardduty_medium", "guardduty_low")
        if matches(pattern, load(name))
    }
    assert matched == expected


def test_guardduty_thresholds_are_the_documented_band_floors() -> None:
    assert event_patterns.GUARDDUTY_SEVERITY_FLOOR == {
        "LOW": 1,
        "MEDIUM": 4,
        "HIGH": 7,
        "CRITICAL": 9,
    }
    assert event_patterns.guardduty_findings("HIGH")["detail"]["severity"] == [
        {"numeric": [">=", 7]}
    ]


SECURITYHUB_EVENTS = (
    "securityhub_high_new",
    "securityhub_critical_new",
    "securityhub_medium_new",
    "securityhub_high_notified",
    "securityhub_guardduty_high",
    "securityhub_macie_high",
    "fms_noncompliant",
)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (("HIGH", "CRITICAL"), {"securityhub_high_new", "securityhub_critical_new"}),
        (("CRITICAL",), {"securityhub_critical_new"}),
        (
            ("MEDIUM", "HIGH", "CRITICAL"),
            {"securityhub_high_new", "securityhub_critical_new", "securityhub_medium_new"},
        ),
    ],
)
def test_securityhub_new_active_findings_of_the_labels(
    labels: tuple[str, ...], expected: set[str]
) -> None:
    # NOTIFIED workflow, and GuardDuty, Macie and Firewall Manager findings (own rules), never
    # match.
    pattern = event_patterns.securityhub_findings(labels)
    assert {name for name in SECURITYHUB_EVENTS if matches(pattern, load(name))} == expected


def test_securityhub_labels_are_checked() -> None:
    with pytest.raises(ValueError, match="SEVERE"):
        event_patterns.securityhub_findings(["SEVERE"])
    with pytest.raises(ValueError):
        event_patterns.securityhub_findings([])


def test_firewall_manager_findings_come_through_security_hub() -> None:
    pattern = event_patterns.firewall_manager_findings()
    assert {name for name in SECURITYHUB_EVENTS if matches(pattern, load(name))} == {
        "fms_noncompliant"
    }


def archived(name: str) -> dict[str, Any]:
    """The event of fixture `name` once its findings are archived (resolved, or deleted)."""
    event = load(name)
    for finding in event["detail"]["findings"]:
        finding["RecordState"] = "ARCHIVED"
    return event


@pytest.mark.parametrize("name", ["securityhub_high_new", "securityhub_critical_new"])
def test_archived_security_hub_findings_never_alert(name: str) -> None:
    assert matches(event_patterns.securityhub_findings(["HIGH", "CRITICAL"]), load(name))
    assert not matches(event_patterns.securityhub_findings(["HIGH", "CRITICAL"]), archived(name))


def test_archived_firewall_manager_findings_never_alert() -> None:
    assert matches(event_patterns.firewall_manager_findings(), load("fms_noncompliant"))
    assert not matches(event_patterns.firewall_manager_findings(), archived("fms_noncompliant"))


def guardduty_with_severity(severity: float) -> dict[str, Any]:
    event = load("guardduty_medium")
    event["detail"]["severity"] = severity
    return event


@pytest.mark.parametrize(
    ("min_severity", "matched"),
    [
        # GuardDuty's bands: 1.0-3.9 low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical.
        ("LOW", [3.9, 4.0, 6.9, 7.0, 8.9, 9.0]),
        ("MEDIUM", [4.0, 6.9, 7.0, 8.9, 9.0]),
        ("HIGH", [7.0, 8.9, 9.0]),
        ("CRITICAL", [9.0]),
    ],
)
def test_guardduty_band_edges(min_severity: str, matched: list[float]) -> None:
    pattern = event_patterns.guardduty_findings(min_severity)
    edges = [0.9, 3.9, 4.0, 6.9, 7.0, 8.9, 9.0]
    assert [edge for edge in edges if matches(pattern, guardduty_with_severity(edge))] == matched


def test_macie_sensitive_data_findings_but_not_policy_findings() -> None:
    pattern = event_patterns.macie_sensitive_data()
    assert matches(pattern, load("macie_sensitive_data"))
    assert not matches(pattern, load("macie_policy"))


@pytest.mark.parametrize(
    ("labels", "descriptions"),
    [
        (("HIGH", "CRITICAL"), ["High"]),
        (("MEDIUM", "HIGH", "CRITICAL"), ["Medium", "High"]),
        (("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"), ["Low", "Medium", "High"]),
    ],
)
def test_macie_policy_findings_of_the_security_hub_labels(
    labels: tuple[str, ...], descriptions: list[str]
) -> None:
    pattern = event_patterns.macie_policy_findings(labels)
    assert pattern is not None
    assert pattern["detail"]["severity"]["description"] == descriptions
    assert matches(pattern, load("macie_policy"))  # High
    assert not matches(pattern, load("macie_sensitive_data"))


def test_macie_has_no_critical_policy_finding_to_alert_on() -> None:
    assert event_patterns.macie_policy_findings(("CRITICAL",)) is None
    assert "macie-policy" not in event_patterns.findings_patterns("CRITICAL", ("CRITICAL",))
    medium = event_patterns.macie_policy_findings(("MEDIUM",))
    assert medium is not None and not matches(medium, load("macie_policy"))


def test_security_hubs_copy_of_a_macie_finding_is_left_to_macies_rules() -> None:
    copy = load("securityhub_macie_high")
    (finding,) = copy["detail"]["findings"]
    assert finding["ProductName"] == "Macie"
    assert finding["ProductArn"] == "arn:aws:securityhub:eu-west-1::product/aws/macie"
    assert not matches(event_patterns.securityhub_findings(["HIGH"]), copy)
    # The same finding, as Macie sends it, reaches exactly one rule.
    patterns = event_patterns.findings_patterns("MEDIUM", ("HIGH", "CRITICAL"))
    assert [n for n, p in patterns.items() if matches(p, load("macie_policy"))] == ["macie-policy"]
    # Without the exclusion the copy would alert a second time.
    unfiltered = event_patterns.securityhub_findings(["HIGH"])
    del unfiltered["detail"]["findings"]["ProductName"]
    assert matches(unfiltered, copy)


@pytest.mark.parametrize(
    ("pattern", "failed", "succeeded"),
    [
        (event_patterns.codepipeline_failures(), "codepipeline_failed", "codepipeline_succeeded"),
        (event_patterns.codebuild_failures(), "codebuild_failed", "codebuild_succeeded"),
    ],
)
def test_pipeline_and_build_failures_but_not_successes(
    pattern: dict[str, Any], failed: str, succeeded: str
) -> None:
    assert matches(pattern, load(failed))
    assert not matches(pattern, load(succeeded))


TAMPER_EVENTS = {
    "cloudtrail_stop_logging": "tamper-cloudtrail",
    "guardduty_delete_detector": "tamper-guardduty",
    "securityhub_batch_disable_standards": "tamper-securityhub",
    "config_stop_configuration_recorder": "tamper-config",
    "s3_put_bucket_policy": "tamper-s3",
    "kms_schedule_key_deletion": "tamper-kms",
    # As a member account's guardrails forward it: its own account and region, unchanged.
    "member_kms_disable_key": "tamper-kms",
    "codepipeline_update_pipeline": "tamper-codepipeline",
}
HARMLESS_CALLS = ("cloudtrail_describe_trails", "s3_put_bucket_tagging")


@pytest.mark.parametrize(("fixture", "rule"), sorted(TAMPER_EVENTS.items()))
def test_each_tamper_call_matches_the_rule_of_its_service_only(fixture: str, rule: str) -> None:
    event = load(fixture)
    matched = {
        name
        for name, pattern in event_patterns.tamper_patterns().items()
        if matches(pattern, event)
    }
    assert matched == {rule}


@pytest.mark.parametrize("fixture", HARMLESS_CALLS)
def test_harmless_calls_match_no_tamper_rule(fixture: str) -> None:
    event = load(fixture)
    assert not any(matches(pattern, event) for pattern in event_patterns.tamper_patterns().values())


def test_a_refused_tamper_attempt_still_alerts() -> None:
    event = load("guardduty_delete_detector")
    assert event["detail"]["errorCode"] == "AccessDeniedException"
    assert matches(event_patterns.tamper_pattern("guardduty"), event)


def test_custom_events_cannot_pose_as_cloudtrail_calls() -> None:
    forged = load("cloudtrail_stop_logging")
    forged["source"] = "my.app"
    assert not matches(event_patterns.tamper_pattern("cloudtrail"), forged)


def test_every_call_the_baseline_must_watch_is_watched() -> None:
    required = {
        "cloudtrail": {"StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"},
        "guardduty": {"DeleteDetector", "UpdateDetector", "DisassociateFromAdministratorAccount"},
        "securityhub": {"DisableSecurityHub", "BatchDisableStandards"},
        "macie2": {"DisableMacie", "UpdateMacieSession"},
        "config": {
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
            "DeleteConformancePack",
        },
        "s3": {"DeleteBucketPolicy", "PutBucketPolicy", "DeletePublicAccessBlock"},
        "kms": {"DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"},
        "codepipeline": {"UpdatePipeline", "DeletePipeline"},
        "codebuild": {"CreateProject", "DeleteProject"},
    }
    for service, calls in required.items():
        pattern = event_patterns.tamper_pattern(service)
        assert pattern["detail"]["eventSource"] == [f"{service}.amazonaws.com"]
        assert calls <= set(pattern["detail"]["eventName"])


# Which rule (of the default routes) each fixture reaches; none for the rest.
EXPECTED_ROUTES = {
    "guardduty_high": {"guardduty"},
    "guardduty_medium": {"guardduty"},
    "guardduty_low": set(),
    "securityhub_high_new": {"securityhub"},
    "securityhub_critical_new": {"securityhub"},
    "securityhub_medium_new": set(),
    "securityhub_high_notified": set(),
    "securityhub_guardduty_high": set(),
    "securityhub_macie_high": set(),
    "fms_noncompliant": {"firewall-manager"},
    "macie_sensitive_data": {"macie"},
    "macie_policy": {"macie-policy"},
    "codepipeline_failed": {"codepipeline"},
    "codepipeline_succeeded": set(),
    "codebuild_failed": {"codebuild"},
    "codebuild_succeeded": set(),
    "health_instance_retirement": set(),
    **{name: {rule} for name, rule in TAMPER_EVENTS.items()},
    **{name: set() for name in HARMLESS_CALLS},
}


def test_every_fixture_reaches_exactly_its_rules() -> None:
    assert set(EXPECTED_ROUTES) == {path.stem for path in EVENTS.glob("*.json")}
    args = AlertsArgs(
        home_region="eu-west-1",
        findings_topic_arn=TOPIC,
        tamper_topic_arn=TOPIC,
        pipeline_topic_arn=TOPIC,
    )
    for fixture, expected in EXPECTED_ROUTES.items():
        event = load(fixture)
        reached = {route.name for route in routes(args) if matches(route.pattern, event)}
        assert reached == expected, fixture


def test_patterns_are_valid_and_well_under_the_size_limit() -> None:
    args = AlertsArgs(
        home_region="eu-west-1",
        findings_topic_arn=TOPIC,
        tamper_topic_arn=TOPIC,
        pipeline_topic_arn=TOPIC,
    )
    for route in routes(args):
        text = json.dumps(route.pattern)
        assert EventPatternParser(text).parse() == route.pattern
        assert len(text) < 2048, route.name
