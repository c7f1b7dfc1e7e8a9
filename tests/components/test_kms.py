"""ManagedKey: rotation, deletion window, separated duties, conditioned service grants."""

import re

import pulumi
import pytest

from components import KeyGrant, ManagedKey, ManagedKeyArgs, SourceScope
from components.iam import AwsContext
from components.kms import (
    ADMINISTRATOR_ACTIONS,
    cloudtrail_grants,
    key_policy_statements,
    service_grant,
)
from tests.components_harness import (
    ACCOUNT,
    ROOT,
    by_urn,
    descendants,
    exporting,
    only,
    plan_of,
)
from tests.organization_harness import account_provider
from tests.policy_documents import actions, document, lint, principals, statement

USER = "arn:aws:iam::123456789012:role/app"
KEY = "aws:kms/key:Key"
USAGE = re.compile(r"kms:(Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*|Sign|Verify|GenerateMac)$")


def key_program(args: ManagedKeyArgs, opts: pulumi.ResourceOptions | None = None):
    return exporting(lambda: ManagedKey("audit", args, opts), "arn", "key_id", "alias_name")


@pytest.mark.parametrize("preview", [True, False])
def test_key_rotates_and_waits_thirty_days_before_deletion(preview):
    plan = plan_of(key_program(ManagedKeyArgs(alias="baseline/audit")), preview=preview)
    key = only(plan, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30.0
    assert "bypassPolicyLockoutSafetyCheck" not in key.inputs


@pytest.mark.parametrize("days", [6, 31, 0])
def test_a_deletion_window_outside_what_kms_accepts_is_refused(days):
    with pytest.raises(ValueError, match=f"between 7 and 30 .*got {days}"):
        ManagedKeyArgs(alias="a", deletion_window_in_days=days)


@pytest.mark.parametrize("days", [7, 30])
def test_the_deletion_window_bounds_are_accepted(days):
    plan = plan_of(key_program(ManagedKeyArgs(alias="a", deletion_window_in_days=days)))
    assert only(plan, "aws:kms/key:Key").inputs["deletionWindowInDays"] == float(days)


@pytest.mark.parametrize("alias", ["alias/x", "aws/x", "has space", ""])
def test_alias_names_kms_would_refuse_are_refused(alias):
    with pytest.raises(ValueError, match="alias"):
        ManagedKeyArgs(alias=alias)


DEPLOYER = "arn:aws:iam::123456789012:role/SecurityBaselineDeployRole"
ADMIN = "arn:aws:iam::123456789012:role/key-admin"


def test_the_account_root_administers_by_default_and_nobody_uses():
    plan = plan_of(key_program(ManagedKeyArgs(alias="a")))
    policy = document(only(plan, "aws:kms/key:Key"))
    administration = statement(policy, "KeyAdministration")
    assert principals(administration, "AWS") == [ROOT]
    assert [each["Sid"] for each in policy["Statement"]] == ["KeyAdministration"]


def test_administrators_manage_but_cannot_use_and_users_use_but_cannot_manage():
    admin = "arn:aws:iam::123456789012:role/key-admin"
    plan = plan_of(
        key_program(ManagedKeyArgs(alias="a", administrator_arns=(admin,), user_arns=(USER,)))
    )
    policy = document(only(plan, "aws:kms/key:Key"))
    administration = statement(policy, "KeyAdministration")
    assert principals(administration, "AWS") == [admin]
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:RotateKeyOnDemand"} <= actions(
        administration
    )
    assert not {a for a in actions(administration) if USAGE.match(a)}
    assert "kms:CreateGrant" not in actions(administration)
    usage = statement(policy, "KeyUsage")
    assert principals(usage, "AWS") == [USER]
    assert actions(usage) == {
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    }
    management_only = set(ADMINISTRATOR_ACTIONS) - {
        "kms:DescribeKey",
        "kms:ListGrants",
        "kms:RevokeGrant",
    }
    for sid in ("KeyUsage", "KeyUsageThroughAwsServices"):
        assert not actions(statement(policy, sid)) & management_only
    grants = statement(policy, "KeyUsageThroughAwsServices")
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_a_grant_cannot_carry_key_administration():
    with pytest.raises(ValueError, match="kms:PutKeyPolicy are key administration"):
        KeyGrant(
            sid="Sneaky",
            principals=(USER,),
            actions=("kms:Decrypt", "kms:PutKeyPolicy"),
            principal_type="AWS",
        )


def test_a_service_grant_without_conditions_is_refused():
    with pytest.raises(ValueError, match="needs conditions"):
        KeyGrant(sid="Open", principals=("events.amazonaws.com",), actions=("kms:Decrypt",))


def test_a_service_grant_goes_without_conditions_only_naming_the_document_that_says_so():
    grant = KeyGrant(
        sid="EventBridge",
        principals=("events.amazonaws.com",),
        actions=("kms:Decrypt",),
        unconditioned_because="SNS developer guide",
    )
    policy = document(only(plan_of(key_program(ManagedKeyArgs(alias="a", grants=(grant,)))), KEY))
    assert "Condition" not in statement(policy, "EventBridge")


@pytest.mark.parametrize(
    ("administrators", "deployers", "expected"),
    [
        ((), (), {"KeyAdministration": [ROOT]}),
        ((ADMIN,), (), {"KeyAdministration": [ADMIN], "DeployerKeyAdministration": [ROOT]}),
        ((), (DEPLOYER,), {"KeyAdministration": [ROOT], "DeployerKeyAdministration": [DEPLOYER]}),
        (
            (ADMIN,),
            (DEPLOYER,),
            {"KeyAdministration": [ADMIN], "DeployerKeyAdministration": [DEPLOYER]},
        ),
    ],
)
def test_the_deployer_always_keeps_key_administration_but_never_usage(
    administrators, deployers, expected
):
    """CreateKey refuses a policy that keeps the caller from PutKeyPolicy (KMS API reference)."""
    args = ManagedKeyArgs(
        alias="a", administrator_arns=administrators, deployer_arns=deployers, user_arns=(USER,)
    )
    policy = document(only(plan_of(key_program(args)), KEY))
    administering = {
        each["Sid"]: principals(each, "AWS")
        for each in policy["Statement"]
        if "kms:PutKeyPolicy" in actions(each)
    }
    assert administering == expected
    for sid in administering:
        assert actions(statement(policy, sid)) == set(ADMINISTRATOR_ACTIONS)
    usage = [each for each in policy["Statement"] if actions(each) & {"kms:Decrypt"}]
    assert [principals(each, "AWS") for each in usage] == [[USER]]


def test_statement_ids_must_be_alphanumeric():
    with pytest.raises(ValueError, match="alphanumeric"):
        KeyGrant(sid="not-ok", principals=(USER,), actions=("kms:Decrypt",), principal_type="AWS")


def test_service_grants_carry_source_conditions_for_the_account_or_the_organization():
    account = SourceScope(("123456789012",))
    organization = SourceScope(("123456789012",), organization_id="o-abcdefghij")
    grants = (
        service_grant("Config", "config.amazonaws.com", ("kms:GenerateDataKey",), account),
        service_grant("OrgConfig", "config.amazonaws.com", ("kms:GenerateDataKey",), organization),
    )
    plan = plan_of(key_program(ManagedKeyArgs(alias="a", grants=grants)))
    policy = document(only(plan, "aws:kms/key:Key"))
    assert statement(policy, "Config")["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ["123456789012"]}
    }
    org_config = statement(policy, "OrgConfig")
    assert org_config["Condition"] == {"StringEquals": {"aws:SourceOrgID": "o-abcdefghij"}}


def test_cloudtrail_grants_name_the_trail_and_its_encryption_context():
    trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org"
    pattern = "arn:aws:cloudtrail:*:123456789012:trail/*"
    plan = plan_of(key_program(ManagedKeyArgs(alias="a", grants=cloudtrail_grants(trail, pattern))))
    policy = document(only(plan, "aws:kms/key:Key"))
    encrypt = statement(policy, "AllowCloudTrailEncryptLogs")
    assert actions(encrypt) == {"kms:GenerateDataKey*"}
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": trail},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": pattern},
    }
    assert statement(policy, "AllowCloudTrailDescribeKey")["Condition"] == {
        "StringEquals": {"aws:SourceArn": trail}
    }


def test_grant_sids_must_be_distinct():
    grant = KeyGrant(sid="Same", principals=(USER,), actions=("kms:Decrypt",), principal_type="AWS")
    with pytest.raises(ValueError, match="distinct sids"):
        ManagedKeyArgs(alias="a", grants=(grant, grant))


@pytest.mark.parametrize("preview", [True, False])
def test_the_alias_points_at_the_key_and_outputs_are_the_keys(preview):
    plan = plan_of(key_program(ManagedKeyArgs(alias="baseline/audit")), preview=preview)
    key, alias = only(plan, "aws:kms/key:Key"), only(plan, "aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/baseline/audit"
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]
    assert plan.stack_outputs == {
        "arn": key.outputs["arn"],
        "key_id": key.outputs["keyId"],
        "alias_name": "alias/baseline/audit",
    }


def test_children_belong_to_the_component_and_take_its_region():
    plan = plan_of(key_program(ManagedKeyArgs(alias="a", region="eu-central-1")))
    component = only(plan, "security-baseline:kms:ManagedKey")
    children = descendants(plan, component)
    assert {child.type for child in children} == {"aws:kms/key:Key", "aws:kms/alias:Alias"}
    assert all(by_urn(plan, child.parent) == component for child in children)
    assert all(child.inputs["region"] == "eu-central-1" for child in children)
    assert only(plan, "aws:kms/key:Key").outputs["arn"].startswith("arn:aws:kms:eu-central-1:")


def test_the_account_comes_from_the_callers_provider():
    def program() -> None:
        security = account_provider("security", "222233334444", "us-east-1")
        ManagedKey("audit", ManagedKeyArgs(alias="a"), pulumi.ResourceOptions(provider=security))

    key = only(plan_of(program), "aws:kms/key:Key")
    assert principals(statement(document(key), "KeyAdministration"), "AWS") == [
        "arn:aws:iam::222233334444:root"
    ]
    assert key.outputs["arn"].startswith("arn:aws:kms:us-east-1:222233334444:key/")


def test_the_key_policy_passes_parliament():
    trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org"
    grants = (
        *cloudtrail_grants(trail, "arn:aws:cloudtrail:*:123456789012:trail/*"),
        service_grant("Config", "config.amazonaws.com", ("kms:Decrypt",), SourceScope((ACCOUNT,))),
    )
    args = ManagedKeyArgs(
        alias="a",
        administrator_arns=(ADMIN,),
        deployer_arns=(DEPLOYER,),
        user_arns=(USER,),
        grants=grants,
    )
    plan = plan_of(key_program(args))
    assert lint(only(plan, "aws:kms/key:Key").inputs["policy"], "key") == []


def _role_grant(sid: str) -> KeyGrant:
    return KeyGrant(sid=sid, principals=(ROOT,), actions=("kms:Decrypt",), principal_type="AWS")


def test_later_grants_join_the_policy_when_their_output_resolves():
    def program() -> None:
        later = pulumi.Output.from_input(None).apply(lambda _: [_role_grant("Later")])
        ManagedKey(
            "audit", ManagedKeyArgs(alias="a", grants=(_role_grant("Now"),), later_grants=later)
        )

    policy = document(only(plan_of(program), KEY))
    assert [each["Sid"] for each in policy["Statement"]][-2:] == ["Now", "Later"]
    assert principals(statement(policy, "Later"), "AWS") == [ROOT]


def test_a_later_grant_may_not_reuse_a_sid():
    context = AwsContext("aws", ACCOUNT, "us-east-1", "amazonaws.com", f"{ROOT}")
    args = ManagedKeyArgs(alias="a", grants=(_role_grant("Same"),))
    with pytest.raises(ValueError, match="distinct sids"):
        key_policy_statements(args, context, [_role_grant("Same")])
