"""GuardDuty component under the offline mocks, and the `guardduty` spec section."""

from __future__ import annotations

from typing import Any

import cerberus
import pytest

from baseline.capabilities.guardduty import section
from baseline.capabilities.guardduty.component import (
    FilterCriterion,
    FindingsExport,
    GuardDuty,
    GuardDutyArgs,
    Protections,
    SuppressionFilter,
)
from baseline.preview.model import Plan
from tests.components_harness import of_type
from tests.organization_harness import (
    SECURITY,
    plan_administered,
    provider_ref,
    section_problems,
    validate_section,
)

REGIONS = ("us-east-1", "eu-west-1")
BUCKET_ARN = "arn:aws:s3:::org-log-archive"
KEY_ARN = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _plan(args: GuardDutyArgs, *, organization: bool) -> Plan:
    return plan_administered(GuardDuty, "gd", args, organization=organization)


@pytest.fixture(scope="module")
def single() -> Plan:
    return _plan(
        GuardDutyArgs(
            regions=REGIONS,
            export=FindingsExport(bucket_arn=BUCKET_ARN, kms_key_arn=KEY_ARN),
            suppression_filters=(
                SuppressionFilter(
                    name="known-scanner",
                    description="Our own vulnerability scanner",
                    criteria=(
                        FilterCriterion(
                            field="type", equals=("Recon:EC2/PortProbeUnprotectedPort",)
                        ),
                        FilterCriterion(field="severity", less_than="4"),
                    ),
                ),
            ),
        ),
        organization=False,
    )


@pytest.fixture(scope="module")
def organization() -> Plan:
    return _plan(
        GuardDutyArgs(
            regions=REGIONS,
            protections=Protections(runtime_monitoring=True),
            delegated_admin_account_id=SECURITY,
        ),
        organization=True,
    )


def test_a_detector_per_region_publishes_every_fifteen_minutes(single: Plan) -> None:
    detectors = of_type(single, "aws:guardduty/detector:Detector")
    assert sorted(d.inputs["region"] for d in detectors) == sorted(REGIONS)
    for detector in detectors:
        assert detector.inputs["enable"] is True
        assert detector.inputs["findingPublishingFrequency"] == "FIFTEEN_MINUTES"
        assert "datasources" not in detector.inputs


def test_s3_protection_is_enabled_and_the_other_plans_explicitly_disabled(single: Plan) -> None:
    detector_ids = {
        d.inputs["region"]: d.id for d in of_type(single, "aws:guardduty/detector:Detector")
    }
    features = of_type(single, "aws:guardduty/detectorFeature:DetectorFeature")
    status = {(f.inputs["region"], f.inputs["name"]): f.inputs["status"] for f in features}
    for region in REGIONS:
        assert status[(region, "S3_DATA_EVENTS")] == "ENABLED"
        for plan in ("EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS"):
            assert status[(region, plan)] == "DISABLED"
        assert status[(region, "LAMBDA_NETWORK_LOGS")] == "DISABLED"
        assert status[(region, "RUNTIME_MONITORING")] == "DISABLED"
    for feature in features:
        assert feature.inputs["detectorId"] == detector_ids[feature.inputs["region"]]


def test_single_account_mode_has_no_organization_resources(single: Plan) -> None:
    assert not [r for r in single.resources if "organization" in r.type.lower()]


def test_findings_are_exported_encrypted_to_the_bucket_prefix(single: Plan) -> None:
    destinations = of_type(single, "aws:guardduty/publishingDestination:PublishingDestination")
    assert sorted(d.inputs["region"] for d in destinations) == sorted(REGIONS)
    for destination in destinations:
        assert destination.inputs["destinationArn"] == f"{BUCKET_ARN}/guardduty"
        assert destination.inputs["kmsKeyArn"] == KEY_ARN
        assert destination.inputs["destinationType"] == "S3"


def test_suppression_filters_archive_matching_findings(single: Plan) -> None:
    filters = of_type(single, "aws:guardduty/filter:Filter")
    assert len(filters) == len(REGIONS)
    for found in filters:
        assert found.inputs["action"] == "ARCHIVE"
        assert found.inputs["name"] == "known-scanner"
        assert found.inputs["rank"] == 1.0
        assert found.inputs["findingCriteria"]["criterions"] == [
            {"field": "type", "equals": ["Recon:EC2/PortProbeUnprotectedPort"]},
            {"field": "severity", "lessThan": "4"},
        ]


def test_the_management_account_designates_the_security_account(organization: Plan) -> None:
    admins = of_type(
        organization, "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount"
    )
    assert sorted(a.inputs["region"] for a in admins) == sorted(REGIONS)
    management = provider_ref(organization, "management")
    detectors = {
        d.inputs["region"]: d.urn for d in of_type(organization, "aws:guardduty/detector:Detector")
    }
    for admin in admins:
        assert admin.inputs["adminAccountId"] == SECURITY
        assert admin.provider == management
        assert detectors[admin.inputs["region"]] in admin.dependencies


def test_the_organization_auto_enables_every_member_and_s3_protection(organization: Plan) -> None:
    security = provider_ref(organization, "security")
    configurations = of_type(
        organization, "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
    )
    assert sorted(c.inputs["region"] for c in configurations) == sorted(REGIONS)
    for configuration in configurations:
        assert configuration.inputs["autoEnableOrganizationMembers"] == "ALL"
        assert configuration.provider == security
    features = of_type(
        organization,
        "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature",
    )
    auto_enable = {(f.inputs["region"], f.inputs["name"]): f.inputs for f in features}
    for region in REGIONS:
        assert auto_enable[(region, "S3_DATA_EVENTS")]["autoEnable"] == "ALL"
        assert auto_enable[(region, "EKS_AUDIT_LOGS")]["autoEnable"] == "NONE"
        runtime = auto_enable[(region, "RUNTIME_MONITORING")]
        assert runtime["autoEnable"] == "ALL"
        assert {c["name"]: c["autoEnable"] for c in runtime["additionalConfigurations"]} == {
            "EKS_ADDON_MANAGEMENT": "ALL",
            "ECS_FARGATE_AGENT_MANAGEMENT": "ALL",
            "EC2_AGENT_MANAGEMENT": "ALL",
        }
    for feature in features:
        assert feature.provider == security


def test_organization_configuration_waits_for_the_designation(organization: Plan) -> None:
    admins = {
        a.inputs["region"]: a.urn
        for a in of_type(
            organization, "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount"
        )
    }
    for configuration in of_type(
        organization, "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
    ):
        assert admins[configuration.inputs["region"]] in configuration.dependencies


def test_runtime_monitoring_also_manages_its_agents(organization: Plan) -> None:
    runtime = [
        f
        for f in of_type(organization, "aws:guardduty/detectorFeature:DetectorFeature")
        if f.inputs["name"] == "RUNTIME_MONITORING"
    ]
    assert len(runtime) == len(REGIONS)
    for feature in runtime:
        assert feature.inputs["status"] == "ENABLED"
        assert {c["status"] for c in feature.inputs["additionalConfigurations"]} == {"ENABLED"}


def test_organization_mode_needs_both_the_provider_and_the_account() -> None:
    with pytest.raises(ValueError, match="organization mode"):
        _plan(GuardDutyArgs(regions=REGIONS), organization=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regions": ()}, "at least one region"),
        ({"regions": REGIONS, "finding_publishing_frequency": "DAILY"}, "must be one of"),
    ],
)
def test_args_refuse_what_aws_would_refuse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GuardDutyArgs(**kwargs)


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    return validate_section("guardduty", section.SECTION, document)


def test_section_defaults_are_the_secure_choice() -> None:
    validator = _validate({})
    assert not validator.errors
    spec = section.parse(validator.document["guardduty"])
    assert spec.enabled and spec.export
    assert spec.finding_publishing_frequency == "FIFTEEN_MINUTES"
    assert spec.protections == Protections()
    assert spec.protections.s3


def test_section_parses_protections_and_filters() -> None:
    validator = _validate(
        {
            "protections": {"rds_login_events": True},
            "suppression_filters": [
                {
                    "name": "low-severity-probes",
                    "criteria": [
                        {"field": "type", "equals": ["Recon:EC2/Portscan"]},
                        {"field": "severity", "less_than": 4},
                    ],
                }
            ],
        }
    )
    assert not validator.errors
    spec = section.parse(validator.document["guardduty"])
    assert spec.protections == Protections(s3=True, rds_login_events=True)
    assert spec.suppression_filters == (
        SuppressionFilter(
            name="low-severity-probes",
            criteria=(
                FilterCriterion(field="type", equals=("Recon:EC2/Portscan",)),
                FilterCriterion(field="severity", less_than="4"),
            ),
        ),
    )


def test_section_rejects_an_unknown_frequency_plan_and_key() -> None:
    validator = _validate(
        {"finding_publishing_frequency": "DAILY", "protections": {"iot": True}, "bogus": 1}
    )
    problems = section_problems(validator)
    assert problems[("guardduty", "finding_publishing_frequency")] == ["allowed"]
    assert problems[("guardduty", "protections", "iot")] == ["unknown"]
    assert problems[("guardduty", "bogus")] == ["unknown"]


def test_section_rejects_a_filter_without_comparison_or_with_a_bad_name() -> None:
    validator = _validate({"suppression_filters": [{"name": "x", "criteria": [{"field": "type"}]}]})
    problems = section_problems(validator)
    assert problems[("guardduty", "suppression_filters", 0, "criteria", 0)][0].startswith(
        "needs a comparison"
    )
    assert problems[("guardduty", "suppression_filters", 0, "name")] == [
        "must be 3 to 64 letters, digits, _ . or -, got 'x'"
    ]
