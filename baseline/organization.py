"""The organization beyond the security account: account guardrails, and Config recording.

Account guardrails: one service-managed StackSet, auto-deployed. Settings with no organization
API (IAM Access Analyzer, S3 account Block Public Access, EBS encryption by default, the IAM
password policy, a Config recorder) reach every account of the spec's OUs, now and future: the
program names OUs and regions, never accounts. With tamper alerts on, the StackSet also
forwards the members' calls that weaken the baseline to the security account's alerts (see
baseline/capabilities/guardrails/component.py).

Config recording: organization conformance packs can only be created once every account of the
organization has a recorder (pulumi-aws OrganizationConformancePack docs), and Firewall Manager
needs Config recording in each account it covers (Firewall Manager prerequisites). The security
account records through `Config` (baseline/detective.py); the management and log-archive
accounts record here; the accounts of the guardrails OUs through the StackSet, which skips the
security and log-archive accounts (one recorder per account and region). StackSets never deploy
to the management account.

Organization policies: the spec's service and resource control policies (see
organization_policies/grouping.py), created and attached from the management account.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.alerting import forwards_member_tamper_events
from baseline.capabilities.config.recorders import (
    ConfigRecorders,
    ConfigRecordersArgs,
    DeliveryDestination,
)
from baseline.capabilities.guardrails.component import (
    AccountGuardrails,
    AccountGuardrailsArgs,
    ConfigDelivery,
    PasswordPolicy,
)
from baseline.capabilities.organization_policies.component import (
    ROOT,
    OrganizationPolicies,
    OrganizationPoliciesArgs,
)
from baseline.capabilities.organization_policies.grouping import organization_policies
from baseline.core import Baseline
from baseline.spec import Spec

# Per region, the resources that give accounts other than the security account a recorder.
MemberRecordings = dict[str, list[pulumi.Resource]]


def records_program_accounts(spec: Spec) -> bool:
    """Whether the program records Config in the management, security and log-archive accounts."""
    return spec.organization_mode and spec.config.enabled


def build_guardrails(baseline: Baseline) -> AccountGuardrails:
    spec = baseline.spec
    settings = spec.guardrails
    archive = baseline.log_archive
    delivery = (
        ConfigDelivery(
            bucket_name=archive.bucket,
            key_prefix=archive.config_prefix or "config",
            kms_key_arn=archive.key_arn,
        )
        if settings.config_recorder
        else None
    )
    policy = settings.password_policy
    assert spec.accounts is not None  # the spec refuses guardrails without accounts
    own_recorders = (
        (spec.accounts.security.id, spec.accounts.log_archive.id)
        if delivery is not None and records_program_accounts(spec)
        else ()
    )
    return AccountGuardrails(
        "account-guardrails",
        AccountGuardrailsArgs(
            organizational_unit_ids=settings.organizational_units,
            regions=settings.regions or spec.regions.enabled,
            home_region=spec.regions.home,
            access_analyzer=settings.access_analyzer,
            config_recorder=delivery,
            accounts_with_own_config_recorder=own_recorders,
            s3_block_public_access=settings.s3_block_public_access,
            ebs_encryption_by_default=settings.ebs_encryption_by_default,
            ebs_default_kms_key_id=settings.ebs_default_kms_key_id,
            close_default_security_groups=settings.close_default_security_groups,
            password_policy=PasswordPolicy(
                minimum_length=policy.minimum_length,
                max_age_days=policy.max_age_days,
                reuse_prevention=policy.reuse_prevention,
            ),
            security_account_id=(
                spec.accounts.security.id if forwards_member_tamper_events(spec) else None
            ),
            call_as=settings.call_as,
            failure_tolerance_percentage=settings.failure_tolerance_percentage,
            max_concurrent_percentage=settings.max_concurrent_percentage,
        ),
        opts=baseline.providers.options("management"),
    )


def build_account_recorders(baseline: Baseline, account: str) -> ConfigRecorders:
    """Recording in every enabled region of `account` (management or log_archive)."""
    spec = baseline.spec
    archive = baseline.log_archive
    return ConfigRecorders(
        f"config-recorders-{account.replace('_', '-')}",
        ConfigRecordersArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            delivery=DeliveryDestination(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            recorder_name=spec.config.recorder_name,
            service_linked_role=spec.config.service_linked_role,
        ),
        opts=baseline.providers.options(account),
    )


def build_organization_policies(baseline: Baseline) -> OrganizationPolicies:
    """The spec's SCPs and RCPs, attached to its root or OUs; the root's id read from AWS."""
    spec = baseline.spec
    assert spec.accounts is not None  # the spec refuses organization policies without accounts
    policies = organization_policies(spec.organization_policies, spec.accounts, spec.regions)
    root_id = None
    if any(ROOT in policy.targets for policy in policies):
        organization = aws.organizations.get_organization_output(
            opts=pulumi.InvokeOutputOptions(provider=baseline.providers.management)
        )
        root_id = organization.roots[0].id
    return OrganizationPolicies(
        "organization-policies",
        OrganizationPoliciesArgs(policies=policies, root_id=root_id),
        opts=baseline.providers.options("management"),
    )


def build_organization(baseline: Baseline) -> MemberRecordings:
    """Guardrails, organization policies and the program's own accounts' recorders; what gives
    the members recorders."""
    spec = baseline.spec
    recordings: MemberRecordings = {region: [] for region in spec.regions.enabled}
    if records_program_accounts(spec):
        for account in ("management", "log_archive"):
            for region, recording in build_account_recorders(baseline, account).recordings.items():
                recordings[region].extend(recording.resources)
    if spec.organization_mode and spec.guardrails.enabled:
        guardrails = build_guardrails(baseline)
        if spec.guardrails.config_recorder:
            for region, instance in guardrails.instances.items():
                recordings[region].append(instance)
    if spec.organization_policies.enabled:
        build_organization_policies(baseline)
    return recordings
