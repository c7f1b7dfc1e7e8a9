"""Security Hub component under the offline mocks, and the `securityhub` spec section."""

from __future__ import annotations

from typing import Any

import cerberus
import pytest

from baseline.capabilities.securityhub import section
from baseline.capabilities.securityhub.component import (
    DEFAULT_STANDARDS,
    DisabledControl,
    SecurityHub,
    SecurityHubArgs,
    standard_arn,
)
from baseline.preview.model import Plan
from tests.components_harness import of_type
from tests.organization_harness import (
    HOME,
    SECURITY,
    plan_administered,
    provider_ref,
    section_problems,
    validate_section,
)

REGIONS = (HOME, "eu-west-1")
FSBP = "aws-foundational-security-best-practices/v/1.0.0"
CIS_3 = "cis-aws-foundations-benchmark/v/3.0.0"
ROOT_MFA = DisabledControl(control_id="IAM.6", reason="Root access is break-glass only")


def _plan(args: SecurityHubArgs, *, organization: bool = False) -> Plan:
    return plan_administered(SecurityHub, "hub", args, organization=organization)


@pytest.fixture(scope="module")
def single() -> Plan:
    return _plan(SecurityHubArgs(home_region=HOME, regions=REGIONS, disabled_controls=(ROOT_MFA,)))


@pytest.fixture(scope="module")
def organization() -> Plan:
    return _plan(
        SecurityHubArgs(home_region=HOME, regions=REGIONS, delegated_admin_account_id=SECURITY),
        organization=True,
    )


def test_a_hub_per_region_with_consolidated_findings_and_no_default_standards(
    single: Plan,
) -> None:
    hubs = of_type(single, "aws:securityhub/account:Account")
    assert sorted(h.inputs["region"] for h in hubs) == sorted(REGIONS)
    for hub in hubs:
        assert hub.inputs["enableDefaultStandards"] is False
        assert hub.inputs["controlFindingGenerator"] == "SECURITY_CONTROL"
        assert hub.inputs["autoEnableControls"] is True


def test_default_standards_are_subscribed_with_their_real_arns(single: Plan) -> None:
    subscriptions = of_type(single, "aws:securityhub/standardsSubscription:StandardsSubscription")
    assert sorted((s.inputs["region"], s.inputs["standardsArn"]) for s in subscriptions) == sorted(
        (region, f"arn:aws:securityhub:{region}::standards/{standard}")
        for region in REGIONS
        for standard in (FSBP, CIS_3)
    )
    hubs = {h.inputs["region"]: h.urn for h in of_type(single, "aws:securityhub/account:Account")}
    for subscription in subscriptions:
        assert hubs[subscription.inputs["region"]] in subscription.dependencies


@pytest.mark.parametrize(
    ("standard", "region", "arn"),
    [
        (
            "cis-aws-foundations-benchmark/v/1.2.0",
            "eu-west-1",
            "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
        ),
        (
            "pci-dss/v/4.0.1",
            "us-gov-west-1",
            "arn:aws-us-gov:securityhub:us-gov-west-1::standards/pci-dss/v/4.0.1",
        ),
        (
            "nist-800-53/v/5.0.0",
            "cn-north-1",
            "arn:aws-cn:securityhub:cn-north-1::standards/nist-800-53/v/5.0.0",
        ),
    ],
)
def test_standard_arns_carry_partition_and_region(standard: str, region: str, arn: str) -> None:
    assert standard_arn(standard, region) == arn


def test_a_disabled_control_is_disabled_in_every_standard_with_its_reason(single: Plan) -> None:
    associations = of_type(
        single, "aws:securityhub/standardsControlAssociation:StandardsControlAssociation"
    )
    assert sorted((a.inputs["region"], a.inputs["standardsArn"]) for a in associations) == sorted(
        (region, standard_arn(standard, region)) for region in REGIONS for standard in (FSBP, CIS_3)
    )
    subscriptions = {
        (s.inputs["region"], s.inputs["standardsArn"]): s.urn
        for s in of_type(single, "aws:securityhub/standardsSubscription:StandardsSubscription")
    }
    for association in associations:
        assert association.inputs["securityControlId"] == "IAM.6"
        assert association.inputs["associationStatus"] == "DISABLED"
        assert association.inputs["updatedReason"] == "Root access is break-glass only"
        key = (association.inputs["region"], association.inputs["standardsArn"])
        assert subscriptions[key] in association.dependencies


def test_a_control_naming_its_standards_is_disabled_only_there() -> None:
    control = DisabledControl(
        control_id="CloudTrail.2", reason="Trail in a vault", standards=(CIS_3,)
    )
    plan = _plan(SecurityHubArgs(home_region=HOME, regions=(HOME,), disabled_controls=(control,)))
    associations = of_type(
        plan, "aws:securityhub/standardsControlAssociation:StandardsControlAssociation"
    )
    assert [a.inputs["standardsArn"] for a in associations] == [standard_arn(CIS_3, HOME)]


def test_findings_aggregate_in_the_home_region_from_all_regions(single: Plan) -> None:
    (aggregator,) = of_type(single, "aws:securityhub/findingAggregator:FindingAggregator")
    assert aggregator.inputs["region"] == HOME
    assert aggregator.inputs["linkingMode"] == "ALL_REGIONS"
    assert "specifiedRegions" not in aggregator.inputs
    hubs = {h.urn for h in of_type(single, "aws:securityhub/account:Account")}
    assert hubs <= set(aggregator.dependencies)


def test_specified_regions_link_every_region_but_the_home_one() -> None:
    plan = _plan(
        SecurityHubArgs(
            home_region=HOME,
            regions=REGIONS,
            linking_mode="SPECIFIED_REGIONS",
            linked_regions=(HOME, "eu-west-1"),
        )
    )
    (aggregator,) = of_type(plan, "aws:securityhub/findingAggregator:FindingAggregator")
    assert aggregator.inputs["linkingMode"] == "SPECIFIED_REGIONS"
    assert aggregator.inputs["specifiedRegions"] == ["eu-west-1"]


def test_single_account_mode_has_no_organization_resources(single: Plan) -> None:
    assert not [r for r in single.resources if "organization" in r.type.lower()]


def test_the_management_account_designates_the_security_account(organization: Plan) -> None:
    admins = of_type(
        organization, "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount"
    )
    assert sorted(a.inputs["region"] for a in admins) == sorted(REGIONS)
    hubs = {
        h.inputs["region"]: h.urn for h in of_type(organization, "aws:securityhub/account:Account")
    }
    for admin in admins:
        assert admin.inputs["adminAccountId"] == SECURITY
        assert admin.provider == provider_ref(organization, "management")
        assert hubs[admin.inputs["region"]] in admin.dependencies


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"standards": ("pci-dss/v/9.9.9",)}, "unknown standard"),
        ({"disabled_controls": (DisabledControl("IAM.6", " "),)}, "a reason is required"),
        (
            {"disabled_controls": (DisabledControl("IAM.6", "why", ("pci-dss/v/4.0.1",)),)},
            "not subscribed",
        ),
        ({"linking_mode": "SPECIFIED_REGIONS"}, "linked_regions"),
        ({"linking_mode": "SPECIFIED_REGIONS", "linked_regions": (HOME,)}, "linked_regions"),
        ({"regions": ("eu-west-1",)}, "must include the home region"),
    ],
)
def test_args_refuse_what_aws_would_refuse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SecurityHubArgs(**{"home_region": HOME, "regions": REGIONS, **kwargs})


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    return validate_section("securityhub", section.SECTION, document)


def test_section_defaults_to_the_two_default_standards_aggregated_from_all_regions() -> None:
    validator = _validate({})
    assert not validator.errors
    spec = section.parse(validator.document["securityhub"])
    assert spec.enabled
    assert spec.standards == DEFAULT_STANDARDS
    assert spec.disabled_controls == ()
    assert (spec.linking_mode, spec.linked_regions) == ("ALL_REGIONS", ())


def test_section_parses_disabled_controls_and_specified_regions() -> None:
    validator = _validate(
        {
            "standards": [FSBP, "pci-dss/v/4.0.1"],
            "disabled_controls": [
                {"control_id": "IAM.6", "reason": " Break-glass root ", "standards": [FSBP]}
            ],
            "aggregation": {"linking_mode": "SPECIFIED_REGIONS", "regions": ["eu-west-1"]},
        }
    )
    assert not validator.errors
    spec = section.parse(validator.document["securityhub"])
    assert spec.disabled_controls == (DisabledControl("IAM.6", "Break-glass root", (FSBP,)),)
    assert spec.linked_regions == ("eu-west-1",)


def test_section_rejects_an_unknown_standard() -> None:
    problems = section_problems(
        _validate({"standards": [FSBP, "cis-aws-foundations-benchmark/v/9"]})
    )
    ((where, (what,)),) = problems.items()
    assert where == ("securityhub", "standards", 1)
    assert what.startswith(
        "unknown standard 'cis-aws-foundations-benchmark/v/9' "
        "(did you mean cis-aws-foundations-benchmark/v/3.0.0?)"
    )


def test_section_requires_a_reason_for_each_disabled_control() -> None:
    problems = section_problems(
        _validate(
            {
                "disabled_controls": [
                    {"control_id": "IAM.6"},
                    {"control_id": "S3.1", "reason": "  "},
                    {"control_id": "nope", "reason": "x"},
                ]
            }
        )
    )
    assert problems[("securityhub", "disabled_controls", 0, "reason")] == ["required"]
    assert problems[("securityhub", "disabled_controls", 1, "reason")] == ["must not be blank"]
    assert problems[("securityhub", "disabled_controls", 2, "control_id")] == [
        "must be a security control id such as IAM.6, got 'nope'"
    ]


def test_section_rejects_a_control_in_a_standard_not_subscribed() -> None:
    problems = section_problems(
        _validate(
            {
                "disabled_controls": [
                    {"control_id": "IAM.6", "reason": "x", "standards": [CIS_3, "pci-dss/v/4.0.1"]}
                ]
            }
        )
    )
    assert problems == {
        ("securityhub", "disabled_controls", 0, "standards", 1): [
            "pci-dss/v/4.0.1 is not one of securityhub.standards"
        ]
    }


def test_section_checks_the_aggregation_regions() -> None:
    missing = section_problems(_validate({"aggregation": {"linking_mode": "SPECIFIED_REGIONS"}}))
    assert missing == {
        ("securityhub", "aggregation"): ["regions: required when linking_mode is SPECIFIED_REGIONS"]
    }
    unknown = section_problems(
        _validate({"aggregation": {"linking_mode": "SPECIFIED_REGIONS", "regions": ["eu-wset-1"]}})
    )
    assert unknown[("securityhub", "aggregation", "regions", 0)][0].startswith(
        "unknown AWS region 'eu-wset-1'"
    )
    stray = section_problems(_validate({"aggregation": {"regions": ["eu-west-1"]}}))
    assert stray == {
        ("securityhub", "aggregation"): ["regions: only with linking_mode SPECIFIED_REGIONS"]
    }
