"""Each preflight check on what it may find: moto where it answers, the botocore Stubber for
what moto lacks (Security Hub and Firewall Manager administrators, Shield's subscription
state), and for the answers AWS gives that moto does not (access denied, another account's
administrator)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

import pytest
from botocore.stub import Stubber

from baseline.audit.model import Status
from baseline.preflight import (
    access,
    admins,
    macie_sources,
    names,
    organization,
    roles,
    singletons,
    subscriptions,
)
from baseline.preflight.model import Adoption, Finding, PreflightContext
from baseline.preflight.state import StackState
from baseline.preview.model import Plan
from baseline.spec import Spec
from tests.audit_harness import ACCOUNT, HOME, client, client_in, fake_session, service_error
from tests.preflight_harness import (
    MANAGEMENT,
    OTHER,
    REPO,
    ROLE,
    SECURITY,
    SOURCE_KEY,
    context_for,
    plan_of,
    planned,
    prod_sessions,
    spec_of,
    with_sources,
)


def dev(url: str, **changes: Any) -> PreflightContext:
    """The dev stack over the moto server, in moto's default account."""
    spec = spec_of(REPO, "dev")
    return context_for(spec, plan_of(REPO, "dev"), {ACCOUNT: fake_session(url)}, **changes)


def prod(*sessions: Any, spec: Spec | None = None, plan: Plan | None = None) -> PreflightContext:
    """The prod stack over stubbed sessions of its accounts."""
    return context_for(
        spec or spec_of(REPO, "prod"), plan or plan_of(REPO, "prod"), prod_sessions(*sessions)
    )


def only(findings: Sequence[Finding]) -> Finding:
    (finding,) = findings
    return finding


def adopted(finding: Finding) -> Adoption:
    assert finding.adoption is not None, finding.result
    return finding.adoption


# --- access ----------------------------------------------------------------------------------


def test_a_deploy_role_that_refuses_the_caller_fails_and_its_account_is_not_read() -> None:
    caller = fake_session(account_id=MANAGEMENT)
    spec = spec_of(REPO, "prod")
    with Stubber(caller.client("sts", HOME)) as sts:
        sts.add_response(
            "get_caller_identity",
            {"Account": MANAGEMENT, "Arn": f"arn:aws:iam::{MANAGEMENT}:user/ci"},
        )
        for _ in range(3):
            sts.add_client_error(
                **service_error("assume_role", "AccessDenied", "not authorized", 403)
            )
        sessions, findings = access.open_sessions(spec, caller)
    assert {finding.result.status for finding in findings} == {Status.FAIL}
    reason = findings[1].result.reason
    assert reason.startswith("AssumeRole: access denied (AccessDenied): not authorized")
    assert reason.endswith(f"the role must exist in account {SECURITY} and trust the caller")
    assert findings[1].result.resource == f"arn:aws:iam::{SECURITY}:role/SecurityBaselineDeployRole"
    context = prod(spec=spec)
    context = dataclasses.replace(context, sessions=sessions)
    (error,) = [f for f in singletons.CHECKS[2].run(context) if f.result.account == SECURITY][:1]
    assert error.result.status is Status.ERROR
    assert error.result.reason.startswith("no session: AssumeRole: access denied")


def test_a_role_whose_session_lands_in_another_account_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caller = fake_session(account_id=MANAGEMENT)
    elsewhere = fake_session(account_id=OTHER)
    monkeypatch.setattr(access, "assumed_session", lambda *_: elsewhere)
    with (
        Stubber(caller.client("sts", HOME)) as sts,
        Stubber(elsewhere.client("sts", HOME)) as landed,
    ):
        sts.add_response(
            "get_caller_identity",
            {"Account": MANAGEMENT, "Arn": f"arn:aws:iam::{MANAGEMENT}:user/ci"},
        )
        for _ in range(3):
            landed.add_response("get_caller_identity", {"Account": OTHER})
        sessions, findings = access.open_sessions(spec_of(REPO, "prod"), caller)
    assert {finding.result.status for finding in findings} == {Status.FAIL}
    assert f"the role's session is in account {OTHER}" in findings[0].result.reason
    assert all(isinstance(session, str) for session in sessions.values())


# --- organization ----------------------------------------------------------------------------


def test_another_organization_or_consolidated_billing_only_fails() -> None:
    management = fake_session(account_id=MANAGEMENT)
    found = {
        "Id": "o-other12345",
        "MasterAccountId": MANAGEMENT,
        "FeatureSet": "CONSOLIDATED_BILLING",
    }
    with Stubber(management.client("organizations", HOME)) as stub:
        stub.add_response("describe_organization", {"Organization": found})
        finding = only(organization.CHECKS[0].run(prod(management)))
    assert finding.result.status is Status.FAIL
    assert "the organization is o-other12345, the spec says o-a1b2c3d4e5" in finding.result.reason
    assert "`aws organizations enable-all-features`" in finding.result.reason


def test_an_ou_the_plan_names_that_does_not_exist_fails() -> None:
    management = fake_session(account_id=MANAGEMENT)
    with Stubber(management.client("organizations", HOME)) as stub:
        stub.add_response("describe_organizational_unit", {"OrganizationalUnit": {}})
        stub.add_client_error(
            **service_error(
                "describe_organizational_unit", "OrganizationalUnitNotFoundException", "none"
            )
        )
        first, second = organization.CHECKS[2].run(prod(management))
    assert (first.result.resource, first.result.status) == ("ou-ab12-34cd56ef", Status.PASS)
    assert (second.result.resource, second.result.status) == ("ou-ab12-78gh90ij", Status.FAIL)
    assert "account-guardrails-eu-west-1" in second.result.reason


# --- delegated administrators ----------------------------------------------------------------


def delegated(security_hub_admins: list[str], fms_admin: str | None) -> list[Finding]:
    """The delegated-admin findings of prod with these Security Hub and FMS administrators;
    nothing registered in Organizations, GuardDuty or Macie."""
    management = fake_session(account_id=MANAGEMENT)
    stubs = {
        name: Stubber(management.client(name, region))
        for name, region in [("organizations", HOME), ("fms", HOME)]
    }
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        for service in ("securityhub", "guardduty", "macie2"):
            stubs[f"{service}-{region}"] = Stubber(management.client(service, region))
    stubs["organizations"].add_response(
        "list_delegated_administrators", {"DelegatedAdministrators": []}
    )
    for region in ("us-east-1", "us-west-2", "eu-west-1"):
        stubs[f"guardduty-{region}"].add_response(
            "list_organization_admin_accounts", {"AdminAccounts": []}
        )
        hub = [{"AccountId": admin, "Status": "ENABLED"} for admin in security_hub_admins]
        stubs[f"securityhub-{region}"].add_response(
            "list_organization_admin_accounts", {"AdminAccounts": hub}
        )
        stubs[f"macie2-{region}"].add_response(
            "list_organization_admin_accounts", {"adminAccounts": []}
        )
    if fms_admin is None:
        stubs["fms"].add_client_error(
            **service_error("get_admin_account", "ResourceNotFoundException", "none")
        )
    else:
        stubs["fms"].add_response(
            "get_admin_account", {"AdminAccount": fms_admin, "RoleStatus": "READY"}
        )
    with ExitStack() as active:
        for stub in stubs.values():
            active.enter_context(stub)
        findings = list(admins.CHECKS[0].run(prod(management)))
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    return findings


def test_another_delegated_administrator_fails_with_the_call_that_removes_it() -> None:
    findings = delegated([OTHER], OTHER)
    hub = [f for f in findings if "securityhub" in f.result.resource]
    assert {f.result.status for f in hub} == {Status.FAIL}
    fix = "`aws securityhub disable-organization-admin-account --admin-account-id"
    eu = next(f.result.reason for f in hub if f.result.region == "eu-west-1")
    assert f"{fix} {OTHER} --region eu-west-1`" in eu
    (fms,) = [f for f in findings if f.result.resource == "fms.amazonaws.com"]
    assert fms.result.status is Status.FAIL
    assert f"{OTHER} is the delegated administrator of fms.amazonaws.com" in fms.result.reason
    others = [f for f in findings if f not in hub and f is not fms]
    assert {f.result.status for f in others} == {Status.PASS}


def test_the_security_account_registered_already_is_adopted() -> None:
    findings = delegated([SECURITY], SECURITY)
    adoptions = {
        (adopted(f).target.resource.type, adopted(f).target.region, adopted(f).id)
        for f in findings
        if f.adoption
    }
    hub_type = "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount"
    assert adoptions == {
        (hub_type, "us-east-1", SECURITY),
        (hub_type, "us-west-2", f"{SECURITY}@us-west-2"),
        (hub_type, "eu-west-1", f"{SECURITY}@eu-west-1"),
        ("aws:fms/adminAccount:AdminAccount", "us-east-1", SECURITY),
    }
    assert all(f.result.status is Status.FAIL for f in findings if f.adoption)


def test_organizations_registrations_of_another_account_fail(url: str) -> None:
    """Through moto: ListDelegatedAdministrators, then each one's delegated services."""
    organizations = client(url, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    created = organizations.create_account(Email="s@example.com", AccountName="security")
    other = created["CreateAccountStatus"]["AccountId"]
    principal = "config-multiaccountsetup.amazonaws.com"
    organizations.enable_aws_service_access(ServicePrincipal=principal)
    organizations.register_delegated_administrator(AccountId=other, ServicePrincipal=principal)
    findings = admins.organizations_registrations(prod(fake_session(url, MANAGEMENT)))
    verdicts = {f.result.resource: f.result for f in findings}
    assert verdicts["config.amazonaws.com"].status is Status.PASS
    assert verdicts[principal].status is Status.FAIL
    assert verdicts[principal].reason.endswith(
        f"(`aws organizations deregister-delegated-administrator --account-id {other} "
        f"--service-principal {principal}`)"
    )


def test_an_organizations_registration_of_the_security_account_is_adopted() -> None:
    management = fake_session(account_id=MANAGEMENT)
    with Stubber(management.client("organizations", HOME)) as stub:
        stub.add_response(
            "list_delegated_administrators", {"DelegatedAdministrators": [{"Id": SECURITY}]}
        )
        services = [{"ServicePrincipal": "config.amazonaws.com"}]
        stub.add_response("list_delegated_services_for_account", {"DelegatedServices": services})
        findings = admins.organizations_registrations(prod(management))
    (adoption,) = [adopted(f) for f in findings if f.adoption]
    assert adoption.id == f"{SECURITY}/config.amazonaws.com"
    assert adoption.target.resource.name == "config-admin-config"


# --- Shield Advanced -------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "status"), [("ACTIVE", Status.PASS), ("INACTIVE", Status.FAIL)])
def test_existing_says_the_security_account_is_subscribed(state: str, status: Status) -> None:
    security = fake_session(account_id=SECURITY)
    with Stubber(security.client("shield", HOME)) as stub:
        stub.add_response("get_subscription_state", {"SubscriptionState": state})
        finding = only(subscriptions.CHECKS[0].run(prod(security)))
    assert (finding.result.status, finding.result.account) == (status, SECURITY)
    if status is Status.FAIL:
        assert "set firewall_manager.shield_advanced.subscription: create" in finding.result.reason


def test_create_adopts_a_subscription_that_is_active_already() -> None:
    plan = planned(
        plan_of(REPO, "prod"),
        "aws:fms/adminAccount:AdminAccount",
        "aws:shield/subscription:Subscription",
        "firewall-manager-shield-subscription",
        autoRenew="ENABLED",
    )
    management = fake_session(account_id=MANAGEMENT)
    with Stubber(management.client("shield", HOME)) as stub:
        stub.add_response("get_subscription_state", {"SubscriptionState": "ACTIVE"})
        finding = only(subscriptions.CHECKS[0].run(prod(management, plan=plan)))
    assert finding.result.status is Status.FAIL
    assert adopted(finding).id == MANAGEMENT


def test_a_call_the_endpoint_lacks_is_an_error_with_the_reason_never_a_crash() -> None:
    security = fake_session(account_id=SECURITY)
    with Stubber(security.client("shield", HOME)) as stub:
        stub.add_client_error(**service_error("get_subscription_state", "500", "<html>", 500))
        finding = only(subscriptions.CHECKS[0].run(prod(security)))
    assert finding.result.status is Status.ERROR
    assert finding.result.reason == (
        "GetSubscriptionState: the endpoint answered HTTP 500 (API not supported there?)"
    )


# --- singletons ------------------------------------------------------------------------------


def test_a_recorder_of_another_name_fails_without_an_import(url: str) -> None:
    client(url, "config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": "aws-controltower-BaselineConfigRecorder",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/r",
        }
    )
    finding = only(singletons.CHECKS[0].run(dev(url)))
    assert finding.result.status is Status.FAIL
    assert finding.adoption is None
    assert "MaxNumberOfConfigurationRecordersExceededException" in finding.result.reason
    assert finding.result.reason.endswith(
        "set config.recorder_name: aws-controltower-BaselineConfigRecorder to adopt it"
    )


def test_macie_on_already_is_adopted_by_the_account_id(url: str) -> None:
    finding = only(singletons.CHECKS[4].run(dev(url)))  # moto starts with Macie on
    assert finding.result.status is Status.FAIL
    assert adopted(finding).id == ACCOUNT
    assert adopted(finding).target.resource.name == "macie-us-east-1"


def test_what_the_stack_manages_already_is_no_collision(url: str) -> None:
    detector = client(url, "guardduty").create_detector(Enable=True)["DetectorId"]
    (target,) = dev(url).plan.targets("aws:guardduty/detector:Detector")
    state = StackState(resources={target.resource.urn: detector})
    finding = only(singletons.CHECKS[2].run(dev(url, state=state)))
    assert finding.result.status is Status.PASS
    assert finding.adoption is None
    assert "managed by the stack" in finding.result.reason


# --- named resources -------------------------------------------------------------------------


def test_a_trail_alias_and_bus_policy_of_the_plans_names_are_adopted(url: str) -> None:
    client(url, "s3").create_bucket(Bucket="trail-bucket")
    trail = client(url, "cloudtrail").create_trail(
        Name="security-baseline", S3BucketName="trail-bucket"
    )
    kms = client(url, "kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/security-baseline/cloudtrail/cloudtrail", TargetKeyId=key)
    plan = planned(
        plan_of(REPO, "dev"),
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
        "alerts-organization",
        policy="{}",
    )
    client(url, "events").put_permission(
        Action="events:PutEvents", Principal="111122223333", StatementId="ControlTower"
    )
    context = context_for(spec_of(REPO, "dev"), plan, {ACCOUNT: fake_session(url)})
    findings = [f for check in names.CHECKS for f in check.run(context) if f.adoption]
    assert {(f.result.check_id, adopted(f).id) for f in findings} == {
        ("cloudtrail.trail", trail["TrailARN"]),
        ("kms.alias", "alias/security-baseline/cloudtrail/cloudtrail"),
        ("events.bus-policy", "default"),
    }
    bus = next(f for f in findings if f.result.check_id == "events.bus-policy")
    assert "replaces its whole policy (statements ControlTower)" in bus.result.reason


def test_an_explicit_bucket_name_is_free_owned_or_taken(url: str) -> None:
    plan = plan_of(REPO, "dev")
    for name in ("free-name-1", "owned-name-1", "taken-name-1"):
        plan = planned(
            plan, "aws:s3/bucket:Bucket", "aws:s3/bucket:Bucket", f"b-{name}", bucket=name
        )
    client(url, "s3").create_bucket(Bucket="owned-name-1")
    client_in(url, OTHER, "s3").create_bucket(Bucket="taken-name-1")
    context = context_for(spec_of(REPO, "dev"), plan, {ACCOUNT: fake_session(url)})
    verdicts = {f.result.resource: f for f in names.CHECKS[3].run(context)}
    assert verdicts["free-name-1"].result.status is Status.PASS
    assert adopted(verdicts["bucket owned-name-1"]).id == "owned-name-1"
    taken = verdicts["taken-name-1"]
    assert (taken.result.status, taken.adoption) == (Status.FAIL, None)
    assert "another account" in taken.result.reason


# --- service-linked roles --------------------------------------------------------------------


def test_a_service_linked_role_to_create_that_exists_is_adopted_or_declared_existing(
    url: str,
) -> None:
    path = "/aws-service-role/config.amazonaws.com/"
    arn = client(url, "iam").create_role(
        RoleName="AWSServiceRoleForConfig", Path=path, AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    finding = only(roles.CHECKS[0].run(dev(url)))
    assert (finding.result.status, adopted(finding).id) == (Status.FAIL, arn)
    assert finding.result.reason.endswith(
        "or set config.service_linked_role: existing; adopt it with the import file (--import-file)"
    )


def test_existing_service_linked_role_that_is_missing_fails(url: str) -> None:
    spec = spec_of(REPO, "dev")
    spec = dataclasses.replace(
        spec, config=dataclasses.replace(spec.config, service_linked_role="existing")
    )
    plan = dataclasses.replace(
        plan_of(REPO, "dev"),
        resources=tuple(
            r
            for r in plan_of(REPO, "dev").resources
            if r.type != "aws:iam/serviceLinkedRole:ServiceLinkedRole"
        ),
    )
    context = context_for(spec, plan, {ACCOUNT: fake_session(url)})
    finding = only(roles.CHECKS[0].run(context))
    assert finding.result.status is Status.FAIL
    assert "`aws iam create-service-linked-role --aws-service-name config.amazonaws.com`" in (
        finding.result.reason
    )


# --- Macie remediation sources ---------------------------------------------------------------


def granting(bucket: str) -> str:
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": actions,
            "Resource": resource,
            "Condition": {"ArnEquals": {"aws:PrincipalArn": [ROLE]}},
        }
        for actions, resource in [
            (["s3:GetObject", "s3:DeleteObject"], f"arn:aws:s3:::{bucket}/*"),
            (["s3:ListBucket"], f"arn:aws:s3:::{bucket}"),
        ]
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def test_source_buckets_of_other_accounts_must_grant_the_remediation_role(url: str) -> None:
    other_s3 = client_in(url, OTHER, "s3")
    for bucket in ("lake-granted", "lake-silent"):
        other_s3.create_bucket(Bucket=bucket)
    other_s3.put_bucket_policy(Bucket="lake-granted", Policy=granting("lake-granted"))
    client(url, "s3").create_bucket(Bucket="own-bucket")
    spec = with_sources(spec_of(REPO, "dev"), ("lake-granted", "lake-silent", "own-bucket"), ())
    context = context_for(spec, plan_of(REPO, "dev"), {ACCOUNT: fake_session(url)})
    verdicts = {f.result.resource: f.result for f in macie_sources.CHECKS[0].run(context)}
    assert set(verdicts) == {"lake-granted", "lake-silent"}  # own-bucket: its account's own
    assert verdicts["lake-granted"].status is Status.PASS
    assert verdicts["lake-silent"].status is Status.FAIL
    assert "s3:GetObject: the bucket has no policy" in verdicts["lake-silent"].reason


def test_a_source_policy_the_caller_may_not_read_is_an_error_with_the_reason() -> None:
    session = fake_session()
    spec = with_sources(spec_of(REPO, "dev"), ("lake",), (SOURCE_KEY,))
    context = context_for(spec, plan_of(REPO, "dev"), {ACCOUNT: session})
    with Stubber(session.client("s3", HOME)) as s3, Stubber(session.client("kms", HOME)) as kms:
        s3.add_response("list_buckets", {"Buckets": []})
        s3.add_client_error(
            **service_error("get_bucket_policy", "AccessDenied", "Access Denied", 403)
        )
        kms.add_client_error(
            **service_error("get_key_policy", "AccessDeniedException", "not authorized", 400)
        )
        bucket = only(macie_sources.CHECKS[0].run(context))
        key = only(macie_sources.CHECKS[1].run(context))
    assert (bucket.result.status, key.result.status) == (Status.ERROR, Status.ERROR)
    assert bucket.result.reason == "GetBucketPolicy: access denied (AccessDenied): Access Denied"
    assert key.result.reason.startswith("GetKeyPolicy: access denied (AccessDeniedException)")


def test_without_a_known_remediation_role_the_grants_are_skipped_until_the_state_names_it() -> None:
    spec = with_sources(spec_of(REPO, "dev"), ("lake",), ())
    spec = dataclasses.replace(
        spec, quarantine=dataclasses.replace(spec.quarantine, remediation_role_arn=None)
    )
    context = context_for(spec, plan_of(REPO, "dev"), {ACCOUNT: fake_session()})
    finding = only(macie_sources.CHECKS[0].run(context))
    assert finding.result.status is Status.SKIP
    assert "run again with --state" in finding.result.reason
    state = StackState(outputs={"macie_remediation_role_arn": ROLE})
    assert macie_sources._role_arn(dataclasses.replace(context, state=state)) == ROLE
