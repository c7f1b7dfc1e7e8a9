"""The prod plan records Config in every account the organization's packs and FMS need.

Organization conformance packs are refused until every account has a recorder (AWS Config
developer guide), and Firewall Manager needs Config recording in each account it covers: the
program records in the management, security and log-archive accounts, the guardrails StackSet in
the OU accounts, and each pack depends on all of it. Also the spec side: the StackSet's recorder
defaults, and Shield Advanced subscriptions created only with the commitment acknowledged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from baseline.capabilities.firewall_manager.component import ShieldSubscription
from baseline.preview.model import Plan, PlannedResource
from baseline.preview.runner import run_inline
from baseline.project import load_stack_file, program_config
from baseline.spec_loader import parse_spec, spec_from_pulumi_config
from baseline.stack import build
from tests.cli_harness import run_cli
from tests.test_spec import ORGANIZATION, problems_of
from tests.test_stack import ROOT, of_type, planned, providers_by_account

MANAGEMENT, SECURITY, LOG_ARCHIVE = "111111111111", "222222222222", "333333333333"
REGIONS = {"us-east-1", "us-west-2", "eu-west-1"}
HOME = "us-east-1"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"
PACK = "aws:cfg/organizationConformancePack:OrganizationConformancePack"


@pytest.fixture(scope="module")
def prod() -> Plan:
    return planned("prod", False)


def _account_of(plan: Plan) -> dict[str, str]:
    """Provider reference -> account id."""
    return {ref: account for account, ref in providers_by_account(plan).items()}


def _by_account_and_region(plan: Plan, type_token: str) -> dict[tuple[str, str], PlannedResource]:
    account_of = _account_of(plan)
    found: dict[tuple[str, str], PlannedResource] = {}
    for resource in of_type(plan, type_token):
        key = (account_of[resource.provider], resource.inputs["region"])
        assert key not in found, f"two {type_token} in {key}"
        found[key] = resource
    return found


def test_the_program_records_in_its_three_accounts_in_every_region(prod: Plan) -> None:
    recorders = _by_account_and_region(prod, RECORDER)
    assert set(recorders) == {
        (account, region) for account in (MANAGEMENT, SECURITY, LOG_ARCHIVE) for region in REGIONS
    }
    for (_, region), recorder in recorders.items():
        group = recorder.inputs["recordingGroup"]
        assert group["allSupported"] is True
        # Global types (IAM) once per account, from the home region.
        assert group["includeGlobalResourceTypes"] is (region == HOME)
        assert recorder.inputs["name"] == "default"
    statuses = _by_account_and_region(prod, RECORDER_STATUS)
    assert set(statuses) == set(recorders)
    assert all(status.inputs["isEnabled"] is True for status in statuses.values())
    channels = _by_account_and_region(prod, "aws:cfg/deliveryChannel:DeliveryChannel")
    archive = prod.stack_outputs["log_archive_bucket"]
    assert {c.inputs["s3BucketName"] for c in channels.values()} == {archive}


def test_the_stack_set_records_in_the_ou_accounts_but_not_where_the_program_does(
    prod: Plan,
) -> None:
    (stack_set,) = of_type(prod, "aws:cloudformation/stackSet:StackSet")
    parameters = stack_set.inputs["parameters"]
    # prod declares organization packs and Firewall Manager, not guardrails.config_recorder.
    assert parameters["EnableConfigRecorder"] == "true"
    assert {
        parameters["OwnConfigRecorderAccount1"],
        parameters["OwnConfigRecorderAccount2"],
    } == {SECURITY, LOG_ARCHIVE}
    # StackSets never deploy to the management account, whose recorders the program creates.
    assert _account_of(prod)[stack_set.provider] == MANAGEMENT
    assert {i.inputs["stackSetInstanceRegion"] for i in of_type(prod, INSTANCE)} == REGIONS


def test_each_organization_pack_waits_for_every_accounts_recording_in_its_region(
    prod: Plan,
) -> None:
    recorders = _by_account_and_region(prod, RECORDER)
    statuses = _by_account_and_region(prod, RECORDER_STATUS)
    instances = {i.inputs["stackSetInstanceRegion"]: i for i in of_type(prod, INSTANCE)}
    packs = of_type(prod, PACK)
    assert len(packs) == 2 * len(REGIONS)
    for pack in packs:
        region = pack.inputs["region"]
        expected = {instances[region].urn} | {
            resource.urn
            for found in (recorders, statuses)
            for (_, where), resource in found.items()
            if where == region
        }
        assert len(expected) == 7
        assert expected <= set(pack.dependencies), pack.name
        # Nothing of another region: a pack does not wait for recorders it does not need.
        other = {r.urn for (_, where), r in recorders.items() if where != region}
        assert not other & set(pack.dependencies)


def test_the_aggregator_covers_every_account_and_region_of_the_organization(prod: Plan) -> None:
    (aggregator,) = of_type(prod, "aws:cfg/configurationAggregator:ConfigurationAggregator")
    assert _account_of(prod)[aggregator.provider] == SECURITY
    assert aggregator.inputs["region"] == HOME
    source = aggregator.inputs["organizationAggregationSource"]
    assert source["allRegions"] is True
    assert "regions" not in source


def test_dev_records_its_one_account_only() -> None:
    plan = planned("dev", False)
    assert not [r for r in plan.resources if "ConfigRecorders" in r.type]
    assert len(of_type(plan, RECORDER)) == len(of_type(plan, RECORDER_STATUS)) >= 1


def test_prod_waf_logging_redacts_the_types_fms_documents(prod: Plan) -> None:
    waf = [
        p
        for p in of_type(prod, "aws:fms/policy:Policy")
        if p.inputs["securityServicePolicyData"]["type"] == "WAFV2"
    ]
    assert waf
    for policy in waf:
        data = json.loads(policy.inputs["securityServicePolicyData"]["managedServiceData"])
        assert data["loggingConfiguration"]["redactedFields"] == [
            {"redactedFieldType": "METHOD"},
            {"redactedFieldType": "QUERY_STRING"},
            {"redactedFieldType": "URI"},
            {"redactedFieldType": "HEADER", "redactedFieldValue": "authorization"},
            {"redactedFieldType": "HEADER", "redactedFieldValue": "cookie"},
        ]


def test_prod_alerts_on_macie_findings_through_macie_only(prod: Plan) -> None:
    rules = {
        r.name.removeprefix("alerts-").removesuffix(f"-{HOME}"): json.loads(
            r.inputs["eventPattern"]
        )
        for r in of_type(prod, "aws:cloudwatch/eventRule:EventRule")
        if r.inputs["region"] == HOME and "eventPattern" in r.inputs
    }
    excluded = rules["securityhub"]["detail"]["findings"]["ProductName"][0]["anything-but"]
    assert {"GuardDuty", "Macie", "Firewall Manager"} <= set(excluded)
    assert rules["macie-policy"]["detail"] == {
        "category": ["POLICY"],
        "severity": {"description": ["High"]},
    }


def _variant(**sections: Any) -> Plan:
    """prod with its home region in eu-west-1 and `sections` replacing its own."""
    config, secret_keys = program_config(load_stack_file(ROOT, "prod"))
    spec = json.loads(config["security-baseline:baseline"])
    spec["regions"]["home"] = "eu-west-1"
    spec.update(sections)
    config = {**config, "aws:region": "eu-west-1", "security-baseline:baseline": json.dumps(spec)}
    return run_inline(
        lambda: build(spec_from_pulumi_config()),
        project="security-baseline",
        stack="prod",
        config=config,
        secret_keys=secret_keys,
    )


@pytest.fixture(scope="module")
def subscribing() -> Plan:
    config, _ = program_config(load_stack_file(ROOT, "prod"))
    network = json.loads(config["security-baseline:baseline"])["firewall_manager"]
    network["shield_advanced"] = {
        "subscription": "create",
        "acknowledge_one_year_commitment": True,
    }
    return _variant(firewall_manager=network)


def test_a_created_subscription_is_one_the_shield_policies_wait_for(subscribing: Plan) -> None:
    (subscription,) = of_type(subscribing, "aws:shield/subscription:Subscription")
    assert subscription.inputs["autoRenew"] == "ENABLED"
    assert subscription.inputs["skipDestroy"] is True
    # The FMS administrator (security) account, through Shield's API region.
    (provider,) = [
        p
        for p in of_type(subscribing, "pulumi:providers:aws")
        if subscription.provider == f"{p.urn}::{p.id}"
    ]
    assert provider.inputs["region"] == "us-east-1"
    assert json.loads(provider.inputs["allowedAccountIds"]) == [SECURITY]
    policies = of_type(subscribing, "aws:fms/policy:Policy")
    shield = [
        p for p in policies if p.inputs["securityServicePolicyData"]["type"] == "SHIELD_ADVANCED"
    ]
    assert len(shield) == len(REGIONS) + 1  # and the CloudFront one
    assert all(subscription.urn in p.dependencies for p in shield)
    assert not any(subscription.urn in p.dependencies for p in policies if p not in shield)


def test_prod_subscribes_to_nothing_by_default(prod: Plan) -> None:
    assert not of_type(prod, "aws:shield/subscription:Subscription")


def test_guardrails_that_record_cover_every_region_of_the_packs_and_policies() -> None:
    guardrails = {"enabled": True, "organizational_units": ["ou-ab12-34cd56ef"]}
    partial = {**guardrails, "regions": ["us-east-1", "eu-west-1"]}
    (problem,) = problems_of({**ORGANIZATION, "guardrails": partial})
    assert problem.where == "baseline.guardrails.regions"
    assert problem.what.startswith("lacks us-west-2: organization conformance packs")
    # Recording left to another tool, or no packs and no Firewall Manager: no gap to report.
    elsewhere = parse_spec({**ORGANIZATION, "guardrails": {**partial, "config_recorder": False}})
    assert not elsewhere.guardrails.config_recorder
    without_packs = parse_spec(
        {**ORGANIZATION, "guardrails": partial, "config": {"conformance_packs": []}}
    )
    assert not without_packs.guardrails.config_recorder


@pytest.mark.parametrize(
    ("config", "firewall_manager", "recorded"),
    [
        ({}, {}, True),
        ({"conformance_packs": []}, {}, False),
        ({"enabled": False}, {}, False),
        ({"conformance_packs": []}, {"enabled": True}, True),
    ],
)
def test_the_stack_set_records_by_default_where_packs_or_firewall_manager_need_it(
    config: dict[str, Any], firewall_manager: dict[str, Any], recorded: bool
) -> None:
    guardrails = {"enabled": True, "organizational_units": ["ou-ab12-34cd56ef"]}
    spec = parse_spec(
        {
            **ORGANIZATION,
            "guardrails": guardrails,
            "config": config,
            "firewall_manager": firewall_manager,
        }
    )
    assert spec.guardrails.config_recorder is recorded
    explicit = parse_spec(
        {
            **ORGANIZATION,
            "guardrails": {**guardrails, "config_recorder": not recorded},
            "config": config,
            "firewall_manager": firewall_manager,
        }
    )
    assert explicit.guardrails.config_recorder is not recorded


def test_a_single_account_needs_no_member_recorders() -> None:
    assert not parse_spec({"regions": {"home": "us-east-1"}}).guardrails.config_recorder


def test_creating_a_shield_subscription_takes_the_acknowledged_commitment() -> None:
    shield: dict[str, Any] = {"subscription": "create"}
    network = {"enabled": True, "shield_advanced": shield}
    (problem,) = problems_of({**ORGANIZATION, "firewall_manager": network})
    assert problem.where == (
        "baseline.firewall_manager.shield_advanced.acknowledge_one_year_commitment"
    )
    assert "one year" in problem.what and "3,000 USD a month" in problem.what
    shield["acknowledge_one_year_commitment"] = True
    spec = parse_spec({**ORGANIZATION, "firewall_manager": network})
    assert spec.firewall_manager.shield_subscription == ShieldSubscription(auto_renew=True)
    assert parse_spec(ORGANIZATION).firewall_manager.shield_subscription is None


def test_validate_names_the_missing_acknowledgement_and_exits_2(tmp_path: Path) -> None:
    stack = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    spec = stack["config"]["security-baseline:baseline"]
    spec["firewall_manager"]["shield_advanced"] = {"subscription": "create"}
    (tmp_path / "Pulumi.yaml").write_text("name: security-baseline\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump(stack))

    result = run_cli("validate", "--stack", "prod", "--project", tmp_path, cwd=ROOT)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: baseline.firewall_manager.shield_advanced.acknowledge_one_year_commitment: "
        "must be true to subscribe: Shield Advanced commits the organization to one year at "
        "3,000 USD a month plus data transfer (AWS Shield pricing)"
    ]


def test_firewall_manager_keeps_config_recording_on() -> None:
    document = {**ORGANIZATION, "firewall_manager": {"enabled": True}}
    (problem,) = problems_of({**document, "config": {"enabled": False}})
    assert problem.where == "baseline.config.enabled"
    assert "Firewall Manager needs AWS Config recording" in problem.what
    assert parse_spec(document).config.enabled
