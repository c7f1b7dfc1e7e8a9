"""Security Hub central configuration (organization mode): the component under the offline mocks,
the `securityhub.policies` spec field and what an organization refuses."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.mocks import MockCallArgs

from baseline.capabilities.securityhub import section
from baseline.capabilities.securityhub.component import (
    ConfigurationPolicy,
    DisabledControl,
    SecurityHub,
    SecurityHubArgs,
    standard_arn,
)
from baseline.preview.mocks import AwsMocks
from baseline.preview.model import Plan, PlannedResource
from baseline.problems import SpecError
from baseline.spec_loader import parse_spec
from tests.components_harness import of_type, only
from tests.organization_harness import (
    HOME,
    MANAGEMENT,
    SECURITY,
    plan_administered,
    provider_ref,
    section_problems,
    validate_section,
)

REGIONS = (HOME, "eu-west-1")
FSBP = "aws-foundational-security-best-practices/v/1.0.0"
CIS_3 = "cis-aws-foundations-benchmark/v/3.0.0"
PCI_4 = "pci-dss/v/4.0.1"
ROOT_MFA = DisabledControl(control_id="IAM.6", reason="Root access is break-glass only")
SANDBOX_OU = "ou-ab12-34cd56ef"
WORKLOAD_ACCOUNT = "444444444444"
POLICY = "aws:securityhub/configurationPolicy:ConfigurationPolicy"
ASSOCIATION = "aws:securityhub/configurationPolicyAssociation:ConfigurationPolicyAssociation"
ORGANIZATION_CONFIGURATION = "aws:securityhub/organizationConfiguration:OrganizationConfiguration"


def _central(**kwargs: Any) -> SecurityHubArgs:
    return SecurityHubArgs(
        **{
            "home_region": HOME,
            "regions": REGIONS,
            "delegated_admin_account_id": SECURITY,
            **kwargs,
        }
    )


@pytest.fixture(scope="module")
def central() -> Plan:
    args = _central(standards=(FSBP, CIS_3, PCI_4), disabled_controls=(ROOT_MFA,))
    return plan_administered(SecurityHub, "hub", args, organization=True)


@pytest.fixture(scope="module")
def per_ou() -> Plan:
    policies = (
        ConfigurationPolicy(name="workloads", standards=(FSBP, CIS_3), targets=(WORKLOAD_ACCOUNT,)),
        ConfigurationPolicy(name="sandbox", standards=(FSBP,), targets=(SANDBOX_OU,)),
    )
    args = _central(configuration_policies=policies)
    return plan_administered(SecurityHub, "hub", args, organization=True)


def _urns(plan: Plan, type_token: str) -> set[str]:
    return {r.urn for r in of_type(plan, type_token)}


def test_the_home_region_turns_central_after_the_designation_and_the_aggregator(
    central: Plan,
) -> None:
    configuration = only(central, ORGANIZATION_CONFIGURATION)
    assert configuration.inputs["region"] == HOME
    assert configuration.inputs["organizationConfiguration"] == {"configurationType": "CENTRAL"}
    assert configuration.inputs["autoEnable"] is False
    assert configuration.inputs["autoEnableStandards"] == "NONE"
    assert configuration.provider == provider_ref(central, "security")
    aggregator = only(central, "aws:securityhub/findingAggregator:FindingAggregator")
    home_admin = next(
        a
        for a in of_type(
            central, "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount"
        )
        if a.inputs["region"] == HOME
    )
    assert {aggregator.urn, home_admin.urn} <= set(configuration.dependencies)


def test_the_aggregator_waits_for_every_designation(central: Plan) -> None:
    aggregator = only(central, "aws:securityhub/findingAggregator:FindingAggregator")
    admins = _urns(central, "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount")
    assert len(admins) == len(REGIONS)
    assert admins <= set(aggregator.dependencies)


def test_one_policy_enables_the_standards_and_disables_the_controls_with_their_reasons(
    central: Plan,
) -> None:
    policy = only(central, POLICY)
    assert policy.inputs["name"] == "security-baseline"
    assert policy.inputs["region"] == HOME
    settings = policy.inputs["configurationPolicy"]
    assert settings["serviceEnabled"] is True
    assert settings["enabledStandardArns"] == [standard_arn(s, HOME) for s in (FSBP, CIS_3, PCI_4)]
    assert settings["securityControlsConfiguration"] == {"disabledControlIdentifiers": ["IAM.6"]}
    assert policy.inputs["description"].endswith(
        "Disabled controls: IAM.6: Root access is break-glass only"
    )
    assert only(central, ORGANIZATION_CONFIGURATION).urn in policy.dependencies


def test_the_policy_is_associated_with_the_root_the_management_account_reports(
    central: Plan,
) -> None:
    association = only(central, ASSOCIATION)
    assert association.inputs["policyId"] == only(central, POLICY).id
    root = association.inputs["targetId"]
    assert root.startswith("r-") and 6 <= len(root) <= 34
    assert association.inputs["region"] == HOME
    assert association.provider == provider_ref(central, "security")


def test_central_mode_has_no_local_standards_anywhere(central: Plan) -> None:
    for type_token in (
        "aws:securityhub/standardsSubscription:StandardsSubscription",
        "aws:securityhub/standardsControlAssociation:StandardsControlAssociation",
        "aws:securityhub/member:Member",
    ):
        assert not of_type(central, type_token), type_token
    hubs = of_type(central, "aws:securityhub/account:Account")
    assert sorted(h.inputs["region"] for h in hubs) == sorted(REGIONS)


def _associations(plan: Plan) -> dict[str, PlannedResource]:
    policies = {p.id: p.inputs["name"] for p in of_type(plan, POLICY)}
    return {policies[a.inputs["policyId"]]: a for a in of_type(plan, ASSOCIATION)}


def test_policies_per_ou_and_account_each_with_their_own_standards(per_ou: Plan) -> None:
    associations = _associations(per_ou)
    assert associations["workloads"].inputs["targetId"] == WORKLOAD_ACCOUNT
    assert associations["sandbox"].inputs["targetId"] == SANDBOX_OU
    standards = {
        p.inputs["name"]: p.inputs["configurationPolicy"]["enabledStandardArns"]
        for p in of_type(per_ou, POLICY)
    }
    assert standards["sandbox"] == [standard_arn(FSBP, HOME)]
    assert standards["workloads"] == [standard_arn(FSBP, HOME), standard_arn(CIS_3, HOME)]
    for policy in of_type(per_ou, POLICY):
        controls = policy.inputs["configurationPolicy"]["securityControlsConfiguration"]
        assert controls == {"disabledControlIdentifiers": []}


def test_the_offline_organization_answers_as_its_management_account() -> None:
    answer, _ = AwsMocks(account=MANAGEMENT).call(
        MockCallArgs("aws:organizations/getOrganization:getOrganization", {}, "")
    )
    assert answer["masterAccountId"] == MANAGEMENT
    assert answer["id"].startswith("o-") and len(answer["id"]) == 12
    (root,) = answer["roots"]
    assert root["arn"] == f"arn:aws:organizations::{MANAGEMENT}:root/{answer['id']}/{root['id']}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {
                "delegated_admin_account_id": None,
                "configuration_policies": (ConfigurationPolicy("p", (FSBP,)),),
            },
            "needs an organization",
        ),
        (
            {"disabled_controls": (DisabledControl("IAM.6", "why", (FSBP,)),)},
            "cannot name standards",
        ),
        (
            {"linking_mode": "SPECIFIED_REGIONS", "linked_regions": ("us-west-2",)},
            "link eu-west-1 too",
        ),
        (
            {
                "configuration_policies": (
                    ConfigurationPolicy("a", (FSBP,), targets=(SANDBOX_OU,)),
                    ConfigurationPolicy("b", (CIS_3,), targets=(SANDBOX_OU,)),
                )
            },
            "names and targets must be unique",
        ),
    ],
)
def test_central_args_refuse_what_aws_would_refuse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _central(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "has space"}, "the name is 1-128"),
        ({"standards": ()}, "at least one standard"),
        ({"targets": ("r-abcd",)}, "is not root, an OU or an account id"),
        ({"targets": ("root", "root")}, "each target once"),
        (
            {"disabled_controls": (DisabledControl("IAM.6", "x" * 500),)},
            "longer than the 512 characters",
        ),
    ],
)
def test_a_policy_refuses_what_security_hub_would(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ConfigurationPolicy(**{"name": "p", "standards": (FSBP,), **kwargs})


def _section(document: dict[str, Any]) -> section.SecurityHubSpec:
    validator = validate_section("securityhub", section.SECTION, document)
    assert not validator.errors, validator.errors
    return section.parse(validator.document["securityhub"])


def _problems(document: dict[str, Any]) -> dict[tuple[Any, ...], list[str]]:
    return section_problems(validate_section("securityhub", section.SECTION, document))


def test_section_without_policies_leaves_them_to_the_default() -> None:
    assert _section({}).policies == ()


def test_section_policies_take_what_they_leave_out_from_the_section() -> None:
    spec = _section(
        {
            "standards": [FSBP, CIS_3],
            "disabled_controls": [{"control_id": "IAM.6", "reason": "break-glass"}],
            "policies": [
                {"name": "baseline", "targets": ["root"]},
                {
                    "name": "sandbox",
                    "description": "Sandboxes: fewer checks.",
                    "standards": [FSBP],
                    "disabled_controls": [],
                    "targets": [SANDBOX_OU, WORKLOAD_ACCOUNT],
                },
            ],
        }
    )
    baseline, sandbox = spec.policies
    assert baseline == ConfigurationPolicy(
        name="baseline",
        standards=(FSBP, CIS_3),
        disabled_controls=(DisabledControl("IAM.6", "break-glass"),),
        targets=("root",),
    )
    assert sandbox.standards == (FSBP,)
    assert sandbox.disabled_controls == ()
    assert sandbox.targets == (SANDBOX_OU, WORKLOAD_ACCOUNT)
    assert sandbox.full_description == "Sandboxes: fewer checks."


def test_section_names_a_mistyped_target_and_a_target_of_two_policies() -> None:
    problems = _problems(
        {
            "policies": [
                {"name": "a", "targets": ["Root", SANDBOX_OU]},
                {"name": "b", "targets": [SANDBOX_OU]},
            ]
        }
    )
    assert problems[("securityhub", "policies", 0, "targets", 0)] == [
        "must be root, an OU id (ou-xxxx-xxxxxxxx) or a 12-digit account id, got 'Root' "
        "(did you mean root?)"
    ]
    assert problems[("securityhub", "policies", 1, "targets", 0)] == [
        f"'{SANDBOX_OU}' is already a target of 'a'"
    ]


def test_section_suggests_the_standard_a_policy_meant() -> None:
    problems = _problems(
        {"policies": [{"name": "a", "targets": ["root"], "standards": ["pci-dss"]}]}
    )
    ((what,),) = problems.values()
    assert "unknown standard 'pci-dss' (did you mean pci-dss/v/" in what


def test_section_refuses_reasons_too_long_for_a_policy_description() -> None:
    problems = _problems(
        {
            "disabled_controls": [{"control_id": "IAM.6", "reason": "x" * 600}],
            "policies": [{"name": "a", "targets": ["root"]}],
        }
    )
    assert list(problems) == [("securityhub", "policies", 0)]
    assert "exceed the 512 characters" in problems[("securityhub", "policies", 0)][0]


def test_an_organization_refuses_per_standard_controls_and_unlinked_regions() -> None:
    spec = _section(
        {
            "disabled_controls": [{"control_id": "IAM.6", "reason": "r", "standards": [FSBP]}],
            "aggregation": {"linking_mode": "SPECIFIED_REGIONS", "regions": ["eu-west-1"]},
        }
    )
    problems = section.organization_problems(
        spec, organization=True, home=HOME, regions=(HOME, "eu-west-1", "us-west-2")
    )
    assert [where for where, _ in problems] == [
        "baseline.securityhub.disabled_controls[0].standards",
        "baseline.securityhub.aggregation.regions",
    ]
    assert problems[1][1].startswith("must include us-west-2")
    single = section.organization_problems(spec, organization=False, home=HOME, regions=(HOME,))
    assert single == []


def test_one_account_refuses_policies() -> None:
    spec = _section({"policies": [{"name": "a", "targets": ["root"]}]})
    assert section.organization_problems(spec, organization=False, home=HOME, regions=(HOME,)) == [
        (
            "baseline.securityhub.policies",
            "needs an organization: configuration policies are central configuration",
        )
    ]


def test_the_spec_reports_what_central_configuration_refuses_by_its_path() -> None:
    organization = {
        "accounts": {
            "organization_id": "o-a1b2c3d4e5",
            "management": {"id": MANAGEMENT},
            "security": {"id": SECURITY},
            "log_archive": {"id": "333333333333"},
        },
        "regions": {"home": HOME, "enabled": list(REGIONS)},
        "securityhub": {
            "disabled_controls": [{"control_id": "IAM.6", "reason": "r", "standards": [FSBP]}]
        },
    }
    with pytest.raises(SpecError) as raised:
        parse_spec(organization)
    assert [(p.where, p.what) for p in raised.value.problems] == [
        (
            "baseline.securityhub.disabled_controls[0].standards",
            "a configuration policy disables a control in every standard: "
            "name no standards in an organization",
        )
    ]
    one_account = {"securityhub": {"policies": [{"name": "a", "targets": ["root"]}]}}
    with pytest.raises(SpecError) as raised:
        parse_spec(one_account, aws_region=HOME)
    assert [p.where for p in raised.value.problems] == ["baseline.securityhub.policies"]
