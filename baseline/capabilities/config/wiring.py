"""AWS Config: recording in the security account with its conformance packs and aggregator, and
recording in the program's other accounts of the organization.

Organization conformance packs can only be created once every account of the organization has a
recorder (pulumi-aws OrganizationConformancePack docs), and Firewall Manager needs Config
recording in each account it covers (Firewall Manager prerequisites). The security account
records through `Config`; the management and log-archive accounts through `ConfigRecorders`
here; the accounts of the guardrails OUs through the guardrails StackSet, which skips the
security and log-archive accounts (one recorder per account and region). StackSets never deploy
to the management account.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from baseline.capabilities.config.component import Config, ConfigArgs
from baseline.capabilities.config.recorders import (
    ConfigRecorders,
    ConfigRecordersArgs,
    DeliveryDestination,
)
from baseline.capabilities.guardrails.component import AccountGuardrails
from baseline.capabilities.log_archive.component import LogArchive
from baseline.program import Baseline
from baseline.spec import Spec

# Per region, the resources that give accounts other than the security account a recorder.
MemberRecordings = dict[str, list[pulumi.Resource]]


def records_program_accounts(spec: Spec) -> bool:
    """Whether the program records Config in the management, security and log-archive accounts."""
    return spec.organization_mode and spec.config.enabled


def _account_recorders(baseline: Baseline, account: str) -> ConfigRecorders:
    """Recording in every enabled region of `account` (management or log_archive)."""
    spec = baseline.spec
    archive = baseline.built(LogArchive)
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


def _member_recordings(baseline: Baseline) -> MemberRecordings:
    """The program's own accounts' recorders, and the guardrails StackSet's instances when they
    record: what organization packs wait for."""
    spec = baseline.spec
    recordings: MemberRecordings = {region: [] for region in spec.regions.enabled}
    if records_program_accounts(spec):
        for account in ("management", "log_archive"):
            recorders = _account_recorders(baseline, account)
            for region, recording in recorders.recordings.items():
                recordings[region].extend(recording.resources)
    guardrails = baseline.find(AccountGuardrails)
    if guardrails is not None and spec.guardrails.config_recorder:
        for region, instance in guardrails.instances.items():
            recordings[region].append(instance)
    return recordings


def build(baseline: Baseline) -> None:
    """Config in the security account; organization packs wait for the members' recorders."""
    spec = baseline.spec
    settings = spec.config
    if not settings.enabled:
        return
    member_recordings = _member_recordings(baseline)
    archive = baseline.built(LogArchive)
    config = baseline.administered(
        Config,
        "config",
        ConfigArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            delivery=DeliveryDestination(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            # Pulumi runs a program in its project directory: custom packs are relative to it.
            conformance_packs=settings.templates(Path.cwd()),
            aggregator=settings.aggregator and spec.organization_mode,
            delegated_admin_account_id=baseline.delegated_admin(),
            recorder_name=settings.recorder_name,
            service_linked_role=settings.service_linked_role,
            member_recordings={
                region: resources for region, resources in member_recordings.items() if resources
            },
        ),
    )
    baseline.record(config)
