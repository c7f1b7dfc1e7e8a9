"""AWS Config component under the offline mocks, the pack loader, and the `config` spec section."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import cerberus
import moto
import pulumi
import pytest
import yaml

from baseline.capabilities.config import section
from baseline.capabilities.config.component import (
    PACKS_DIR,
    SHIPPED_PACKS,
    Config,
    ConfigArgs,
    ConformancePackTemplate,
    load_conformance_pack,
)
from baseline.capabilities.config.recorders import (
    ConfigRecorders,
    ConfigRecordersArgs,
    DeliveryDestination,
)
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline
from tests.components_harness import of_type
from tests.organization_harness import (
    HOME,
    MANAGEMENT,
    SECURITY,
    account_provider,
    plan_administered,
    provider_ref,
    section_problems,
    validate_section,
)

REGIONS = (HOME, "eu-west-1")
KEY_ARN = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DELIVERY = DeliveryDestination(bucket_name="org-log-archive", kms_key_arn=KEY_ARN)


def _plan(args: ConfigArgs, *, organization: bool = False) -> Plan:
    return plan_administered(Config, "config", args, organization=organization)


def _by_region(plan: Plan, type_: str) -> dict[str, PlannedResource]:
    return {r.inputs["region"]: r for r in of_type(plan, type_)}


@pytest.fixture(scope="module")
def single() -> Plan:
    return _plan(ConfigArgs(home_region=HOME, regions=REGIONS, delivery=DELIVERY))


@pytest.fixture(scope="module")
def organization() -> Plan:
    return _plan(
        ConfigArgs(
            home_region=HOME,
            regions=REGIONS,
            delivery=DELIVERY,
            delegated_admin_account_id=SECURITY,
        ),
        organization=True,
    )


def test_recorders_record_every_supported_type_and_global_ones_once(single: Plan) -> None:
    recorders = _by_region(single, "aws:cfg/recorder:Recorder")
    assert sorted(recorders) == sorted(REGIONS)
    (role,) = of_type(single, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    assert role.inputs["awsServiceName"] == "config.amazonaws.com"
    for region, recorder in recorders.items():
        group = recorder.inputs["recordingGroup"]
        assert group["allSupported"] is True
        assert group["includeGlobalResourceTypes"] is (region == HOME)
        assert group["recordingStrategies"] == [{"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}]
        assert recorder.inputs["recordingMode"] == {"recordingFrequency": "CONTINUOUS"}
        assert recorder.inputs["roleArn"] == role.outputs["arn"]


def test_delivery_channels_deliver_encrypted_under_the_config_prefix(single: Plan) -> None:
    channels = _by_region(single, "aws:cfg/deliveryChannel:DeliveryChannel")
    recorders = _by_region(single, "aws:cfg/recorder:Recorder")
    assert sorted(channels) == sorted(REGIONS)
    for region, channel in channels.items():
        assert channel.inputs["s3BucketName"] == "org-log-archive"
        assert channel.inputs["s3KeyPrefix"] == "config"
        assert channel.inputs["s3KmsKeyArn"] == KEY_ARN
        assert recorders[region].urn in channel.dependencies


def test_recording_starts_once_the_channel_exists(single: Plan) -> None:
    statuses = _by_region(single, "aws:cfg/recorderStatus:RecorderStatus")
    channels = _by_region(single, "aws:cfg/deliveryChannel:DeliveryChannel")
    recorders = _by_region(single, "aws:cfg/recorder:Recorder")
    for region, status in statuses.items():
        assert status.inputs["isEnabled"] is True
        assert status.inputs["name"] == recorders[region].outputs["name"]
        assert channels[region].urn in status.dependencies


def test_single_account_mode_deploys_account_packs_after_recording(single: Plan) -> None:
    assert not of_type(single, "aws:cfg/organizationConformancePack:OrganizationConformancePack")
    assert not of_type(single, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    packs = of_type(single, "aws:cfg/conformancePack:ConformancePack")
    assert sorted((p.inputs["region"], p.inputs["name"]) for p in packs) == sorted(
        (region, name) for region in REGIONS for name in SHIPPED_PACKS
    )
    statuses = _by_region(single, "aws:cfg/recorderStatus:RecorderStatus")
    for pack in packs:
        assert (
            pack.inputs["templateBody"] == (PACKS_DIR / f"{pack.inputs['name']}.yaml").read_text()
        )
        assert statuses[pack.inputs["region"]].urn in pack.dependencies


def test_a_given_role_replaces_the_service_linked_role() -> None:
    role = (
        "arn:aws:iam::222222222222:role/aws-service-role/config.amazonaws.com/"
        "AWSServiceRoleForConfig"
    )
    plan = _plan(ConfigArgs(home_region=HOME, regions=(HOME,), delivery=DELIVERY, role_arn=role))
    assert not of_type(plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    (recorder,) = of_type(plan, "aws:cfg/recorder:Recorder")
    assert recorder.inputs["roleArn"] == role


SERVICE_LINKED_ROLE = "role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def test_an_existing_service_linked_role_is_used_not_created() -> None:
    plan = _plan(
        ConfigArgs(
            home_region=HOME,
            regions=REGIONS,
            delivery=DELIVERY,
            service_linked_role="existing",
            recorder_name="baseline",
        )
    )
    assert not of_type(plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    recorders = of_type(plan, "aws:cfg/recorder:Recorder")
    assert {r.inputs["roleArn"] for r in recorders} == {
        f"arn:aws:iam::{SECURITY}:{SERVICE_LINKED_ROLE}"
    }
    channels = of_type(plan, "aws:cfg/deliveryChannel:DeliveryChannel")
    assert {r.inputs["name"] for r in [*recorders, *channels]} == {"baseline"}


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"recorder_name": ""}, "recorder_name"),
        ({"service_linked_role": "import"}, "service_linked_role"),
        ({"member_recordings": {"ap-south-1": ()}}, "regions not recorded: \\['ap-south-1'\\]"),
    ],
)
def test_args_refuse_bad_names_roles_and_regions(overrides: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ConfigArgs(home_region=HOME, regions=REGIONS, delivery=DELIVERY, **overrides)


@pytest.fixture(scope="module")
def with_members() -> Plan:
    """The management account recording, and the packs of the security account waiting for it."""

    def program() -> None:
        management = account_provider("management", MANAGEMENT)
        members = ConfigRecorders(
            "config-recorders-management",
            ConfigRecordersArgs(home_region=HOME, regions=REGIONS, delivery=DELIVERY),
            opts=pulumi.ResourceOptions(provider=management),
        )
        Config(
            "config",
            ConfigArgs(
                home_region=HOME,
                regions=REGIONS,
                delivery=DELIVERY,
                delegated_admin_account_id=SECURITY,
                member_recordings={
                    region: recording.resources for region, recording in members.recordings.items()
                },
            ),
            management_provider=management,
            opts=pulumi.ResourceOptions(provider=account_provider("security", SECURITY)),
        )

    return run_inline(program)


def test_another_account_records_every_region_with_its_own_role(with_members: Plan) -> None:
    management = provider_ref(with_members, "management")
    recorders = [
        r for r in of_type(with_members, "aws:cfg/recorder:Recorder") if r.provider == management
    ]
    assert sorted(r.inputs["region"] for r in recorders) == sorted(REGIONS)
    roles = of_type(with_members, "aws:iam/serviceLinkedRole:ServiceLinkedRole")
    (own_role,) = [role for role in roles if role.provider == management]
    for recorder in recorders:
        group = recorder.inputs["recordingGroup"]
        assert group["allSupported"] is True
        assert group["includeGlobalResourceTypes"] is (recorder.inputs["region"] == HOME)
        assert recorder.inputs["roleArn"] == own_role.outputs["arn"]
    statuses = [
        s
        for s in of_type(with_members, "aws:cfg/recorderStatus:RecorderStatus")
        if s.provider == management
    ]
    assert len(statuses) == len(REGIONS) and all(s.inputs["isEnabled"] for s in statuses)


def test_organization_packs_wait_for_the_members_recording_of_their_region(
    with_members: Plan,
) -> None:
    by_region: dict[str, set[str]] = {}
    for resource in with_members.resources:
        if resource.type in ("aws:cfg/recorder:Recorder", "aws:cfg/recorderStatus:RecorderStatus"):
            by_region.setdefault(resource.inputs["region"], set()).add(resource.urn)
    packs = of_type(with_members, "aws:cfg/organizationConformancePack:OrganizationConformancePack")
    assert len(packs) == len(REGIONS) * len(SHIPPED_PACKS)
    for pack in packs:
        region = pack.inputs["region"]
        # Both accounts' recorder and status in the pack's region, none of another region.
        assert len(by_region[region]) == 4
        assert by_region[region] <= set(pack.dependencies)
        other = set().union(*(urns for r, urns in by_region.items() if r != region))
        assert not other & set(pack.dependencies)


def test_the_management_account_registers_the_security_account(organization: Plan) -> None:
    admins = of_type(
        organization, "aws:organizations/delegatedAdministrator:DelegatedAdministrator"
    )
    assert sorted(a.inputs["servicePrincipal"] for a in admins) == [
        "config-multiaccountsetup.amazonaws.com",
        "config.amazonaws.com",
    ]
    for admin in admins:
        assert admin.inputs["accountId"] == SECURITY
        assert admin.provider == provider_ref(organization, "management")


def _managed_rules() -> set[str]:
    path = Path(moto.__file__).parent / "config" / "resources" / "aws_managed_rules.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return set(json.load(handle)["ManagedRules"])


def test_organization_packs_hold_only_real_managed_rules(organization: Plan) -> None:
    assert not of_type(organization, "aws:cfg/conformancePack:ConformancePack")
    packs = of_type(organization, "aws:cfg/organizationConformancePack:OrganizationConformancePack")
    assert sorted((p.inputs["region"], p.inputs["name"]) for p in packs) == sorted(
        (region, name) for region in REGIONS for name in SHIPPED_PACKS
    )
    security = provider_ref(organization, "security")
    published = _managed_rules()
    for pack in packs:
        assert pack.provider == security
        resources = yaml.safe_load(pack.inputs["templateBody"])["Resources"].values()
        identifiers = {r["Properties"]["Source"]["SourceIdentifier"] for r in resources}
        assert identifiers and identifiers <= published


def test_the_baseline_pack_checks_guardduty_is_centralized_in_the_security_account(
    organization: Plan,
) -> None:
    parameters = {
        p.inputs["name"]: p.inputs.get("inputParameters")
        for p in of_type(
            organization, "aws:cfg/organizationConformancePack:OrganizationConformancePack"
        )
    }
    assert parameters["baseline"] == [
        {"parameterName": "CentralMonitoringAccount", "parameterValue": SECURITY}
    ]
    assert parameters["s3-operational-best-practices"] is None


def test_organization_packs_wait_for_the_registration(organization: Plan) -> None:
    (registration,) = [
        a
        for a in of_type(
            organization, "aws:organizations/delegatedAdministrator:DelegatedAdministrator"
        )
        if a.inputs["servicePrincipal"] == "config-multiaccountsetup.amazonaws.com"
    ]
    for pack in of_type(
        organization, "aws:cfg/organizationConformancePack:OrganizationConformancePack"
    ):
        assert registration.urn in pack.dependencies


def test_the_aggregator_covers_the_organization_from_the_home_region(organization: Plan) -> None:
    (aggregator,) = of_type(organization, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    (role,) = of_type(organization, "aws:iam/role:Role")
    (attachment,) = of_type(organization, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert aggregator.inputs["region"] == HOME
    assert aggregator.inputs["organizationAggregationSource"] == {
        "allRegions": True,
        "roleArn": role.outputs["arn"],
    }
    assert attachment.urn in aggregator.dependencies
    assert attachment.inputs["role"] == role.outputs["name"]
    assert attachment.inputs["policyArn"] == (
        "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
    )
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Sid": "ConfigAggregator",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["sts:AssumeRole"],
            "Condition": {"StringEquals": {"aws:SourceAccount": SECURITY}},
        }
    ]


def test_the_aggregator_can_name_its_regions_or_be_left_out() -> None:
    named = _plan(
        ConfigArgs(
            home_region=HOME,
            regions=(HOME,),
            delivery=DELIVERY,
            conformance_packs=(),
            aggregator_regions=REGIONS,
            delegated_admin_account_id=SECURITY,
        ),
        organization=True,
    )
    (aggregator,) = of_type(named, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    source = aggregator.inputs["organizationAggregationSource"]
    assert source["regions"] == list(REGIONS)
    assert "allRegions" not in source
    none = _plan(
        ConfigArgs(
            home_region=HOME,
            regions=(HOME,),
            delivery=DELIVERY,
            aggregator=False,
            delegated_admin_account_id=SECURITY,
        ),
        organization=True,
    )
    assert not of_type(none, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    assert not of_type(none, "aws:iam/role:Role")


def test_loader_reads_shipped_and_user_templates(tmp_path: Path) -> None:
    assert load_conformance_pack("baseline").parameters == {"CentralMonitoringAccount"}
    custom = tmp_path / "team.yaml"
    custom.write_text(
        "Resources:\n  Rule:\n    Type: AWS::Config::ConfigRule\n    Properties:\n"
        "      Source: {Owner: AWS, SourceIdentifier: !Sub 'IAM_ROOT_ACCESS_KEY_CHECK'}\n"
    )
    pack = load_conformance_pack("team", custom)
    assert pack == ConformancePackTemplate(name="team", body=custom.read_text())
    assert pack.parameters == frozenset()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Parameters: {}\n", "needs a Resources mapping"),
        ("Resources: [unclosed\n", "not YAML or JSON"),
        ("Resources: {}\n" + "#" * 51200, "larger than"),
    ],
)
def test_loader_refuses_what_is_not_a_conformance_pack(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_conformance_pack("pack", path)


def test_loader_knows_only_the_shipped_names() -> None:
    with pytest.raises(ValueError, match="no shipped conformance pack 'nist'"):
        load_conformance_pack("nist")


def test_args_refuse_two_packs_with_one_name() -> None:
    pack = load_conformance_pack("baseline")
    with pytest.raises(ValueError, match="same name"):
        ConfigArgs(
            home_region=HOME, regions=(HOME,), delivery=DELIVERY, conformance_packs=(pack, pack)
        )


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    return validate_section("config", section.SECTION, document)


def test_section_defaults_to_both_shipped_packs_and_an_aggregator() -> None:
    validator = _validate({})
    assert not validator.errors
    spec = section.parse(validator.document["config"])
    assert spec == section.ConfigSpec(
        enabled=True,
        conformance_packs=SHIPPED_PACKS,
        custom_conformance_packs=(),
        aggregator=True,
        recorder_name="default",
        service_linked_role="create",
    )
    assert spec.has_packs


def test_section_names_the_recorder_and_may_use_the_existing_role() -> None:
    validator = _validate({"recorder_name": "baseline", "service_linked_role": "existing"})
    assert not validator.errors
    spec = section.parse(validator.document["config"])
    assert (spec.recorder_name, spec.service_linked_role) == ("baseline", "existing")
    problems = section_problems(
        _validate({"recorder_name": "my recorder", "service_linked_role": "import"})
    )
    assert problems == {
        ("config", "recorder_name"): [
            "must be 1 to 256 characters without spaces, got 'my recorder'"
        ],
        ("config", "service_linked_role"): ["allowed"],
    }
    assert section_problems(_validate({"recorder_name": "r" * 257})) == {
        ("config", "recorder_name"): [
            f"must be 1 to 256 characters without spaces, got {'r' * 257!r}"
        ]
    }


def test_section_templates_read_custom_packs_from_the_project(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "team.yaml").write_text((PACKS_DIR / "baseline.yaml").read_text())
    validator = _validate(
        {
            "conformance_packs": ["s3-operational-best-practices"],
            "custom_conformance_packs": [
                {"name": "team-rules", "template_path": "packs/team.yaml"}
            ],
        }
    )
    assert not validator.errors
    templates = section.parse(validator.document["config"]).templates(tmp_path)
    assert [t.name for t in templates] == ["s3-operational-best-practices", "team-rules"]


def test_section_rejects_unknown_packs_and_bad_or_taken_names() -> None:
    problems = section_problems(
        _validate(
            {
                "conformance_packs": ["nist-800-53"],
                "custom_conformance_packs": [
                    {"name": "baseline", "template_path": "a.yaml"},
                    {"name": "9lives", "template_path": "b.yaml"},
                    {"name": "no-path"},
                ],
                "aggregator": "yes",
            }
        )
    )
    assert problems == {
        ("config", "conformance_packs", 0): ["allowed"],
        ("config", "custom_conformance_packs", 1, "name"): [
            "must be a letter, then up to 127 letters, digits or hyphens, got '9lives'"
        ],
        ("config", "custom_conformance_packs", 2, "template_path"): ["required"],
        ("config", "aggregator"): ["type"],
    }
    taken = section_problems(
        _validate({"custom_conformance_packs": [{"name": "baseline", "template_path": "a.yaml"}]})
    )
    assert taken == {
        ("config", "custom_conformance_packs", 0, "name"): [
            "'baseline' is already a shipped pack's name"
        ]
    }
