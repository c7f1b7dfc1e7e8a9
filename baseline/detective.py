"""Detective services on top of the core baseline: GuardDuty, Security Hub, Macie, Config.

In organization mode the security account is each service's delegated administrator: GuardDuty
enables every account (`ALL`), Security Hub's configuration policies govern the accounts they
target, and Macie's auto-enable covers new accounts while the enrollment function adds the
existing ones. Nothing here grows with accounts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import pulumi

from baseline.alerting import regional_topic_arns
from baseline.core import MACIE_REMEDIATION_NAME, ROLE_TAG, Baseline
from baseline.providers import deployer_arns
from baseline.spec import Spec
from components.config import Config, ConfigArgs
from components.config_recorders import DeliveryDestination
from components.guardduty import FindingsExport, GuardDuty, GuardDutyArgs
from components.macie import ClassificationExport, Macie, MacieArgs, scanned_accounts
from components.macie_enrollment import MacieEnrollment, MacieEnrollmentArgs
from components.macie_remediation import MacieRemediation, MacieRemediationArgs
from components.securityhub import SecurityHub, SecurityHubArgs

_Service = TypeVar("_Service", bound=pulumi.ComponentResource)


def _delegated_admin(spec: Spec) -> str | None:
    return spec.accounts.security.id if spec.accounts else None


def _management(baseline: Baseline) -> pulumi.ProviderResource | None:
    return baseline.providers.management if baseline.spec.organization_mode else None


def _administered(
    baseline: Baseline, service: Callable[..., _Service], name: str, args: object
) -> _Service:
    """A detective service in the security account, its administrator in organization mode."""
    return service(
        name,
        args,
        management_provider=_management(baseline),
        opts=baseline.providers.options("security"),
    )


def build_guardduty(baseline: Baseline) -> GuardDuty:
    spec = baseline.spec
    settings = spec.guardduty
    archive = baseline.log_archive
    export = (
        FindingsExport(bucket_arn=archive.arn, kms_key_arn=archive.key_arn)
        if settings.export
        else None
    )
    return _administered(
        baseline,
        GuardDuty,
        "guardduty",
        GuardDutyArgs(
            regions=spec.regions.enabled,
            finding_publishing_frequency=settings.finding_publishing_frequency,
            protections=settings.protections,
            export=export,
            suppression_filters=settings.suppression_filters,
            delegated_admin_account_id=_delegated_admin(spec),
        ),
    )


def build_securityhub(baseline: Baseline) -> SecurityHub:
    spec = baseline.spec
    settings = spec.securityhub
    return _administered(
        baseline,
        SecurityHub,
        "securityhub",
        SecurityHubArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            standards=settings.standards,
            disabled_controls=settings.disabled_controls,
            linking_mode=settings.linking_mode,
            linked_regions=settings.linked_regions,
            delegated_admin_account_id=_delegated_admin(spec),
            configuration_policies=settings.policies if spec.organization_mode else (),
        ),
    )


def build_macie(baseline: Baseline) -> Macie:
    spec = baseline.spec
    settings = spec.macie
    archive = baseline.log_archive
    return _administered(
        baseline,
        Macie,
        "macie",
        MacieArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            finding_publishing_frequency=settings.finding_publishing_frequency,
            export=ClassificationExport(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            custom_data_identifiers=settings.custom_data_identifiers,
            classification_jobs=settings.classification_jobs,
            delegated_admin_account_id=_delegated_admin(spec),
        ),
    )


def _scanned_accounts_by_region(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Region -> the accounts the classification jobs of that region scan."""
    by_region: dict[str, list[str]] = {}
    for job in spec.macie.classification_jobs:
        region = job.region or spec.regions.home
        by_region.setdefault(region, []).extend(scanned_accounts(job))
    return {region: tuple(dict.fromkeys(accounts)) for region, accounts in by_region.items()}


def build_macie_enrollment(baseline: Baseline) -> MacieEnrollment:
    """Every existing account a Macie member, by a function per region in the security account.

    Its first scheduled run comes one period after the deployment that made Macie's
    administration; a run before it fails (CreateMember is the administrator's) and says why.
    """
    spec = baseline.spec
    regions = spec.regions.enabled
    return MacieEnrollment(
        "macie-enrollment",
        MacieEnrollmentArgs(
            regions=regions,
            alarm_topic_arns=regional_topic_arns(
                baseline, spec.alerts.topics.findings, set(regions)
            ),
            required_accounts=_scanned_accounts_by_region(spec),
            schedule=spec.macie.enrollment.schedule,
            key_user_arns=spec.kms.users,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            tags={ROLE_TAG: "macie-enrollment"},
        ),
        opts=baseline.providers.options("security"),
    )


def build_macie_remediation(baseline: Baseline) -> MacieRemediation:
    """Quarantine of Macie findings, next to Macie in the security account's home region.

    The remediator runs as the quarantine bucket's remediation role, the one principal the
    bucket and its key admit, which the core has created (or been given) before them. Source
    buckets of other accounts must grant it too (docs/macie-remediation.md).
    """
    spec = baseline.spec
    settings = spec.macie.remediation
    slack = settings.slack
    topics = baseline.notifications.topic_arns
    quarantine = baseline.quarantine
    # Data owners of other accounts name this role in their bucket and key policies.
    pulumi.export("macie_remediation_role_arn", quarantine.remediation_role_arn)
    return MacieRemediation(
        MACIE_REMEDIATION_NAME,
        MacieRemediationArgs(
            quarantine_bucket_name=quarantine.bucket,
            quarantine_bucket_arn=quarantine.arn,
            quarantine_key_arn=quarantine.key_arn,
            remediator_role_arn=quarantine.remediation_role_arn,
            notify_topic_arn=topics[spec.notifications.default_topic],
            alert_topic_arn=topics[spec.alerts.topics.findings],
            topic_key_arns=(baseline.notifications.key_arn,),
            actions=settings.actions,
            min_severity=settings.min_severity,
            approvers=settings.approvers,
            source_bucket_names=settings.source_buckets,
            source_bucket_patterns=settings.source_bucket_patterns,
            source_key_arns=settings.source_key_arns,
            slack_webhook_url=pulumi.Output.secret(slack.webhook_url.value) if slack else None,
            slack_signing_secret=(
                pulumi.Output.secret(slack.signing_secret.value) if slack else None
            ),
            slack_channel=slack.channel if slack else None,
            key_user_arns=spec.kms.users,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            region=spec.regions.home,
            tags={ROLE_TAG: "macie-remediation"},
        ),
        opts=baseline.providers.options("security"),
    )


def build_config(
    baseline: Baseline, member_recordings: Mapping[str, Sequence[pulumi.Resource]]
) -> Config:
    """Config in the security account; organization packs wait for `member_recordings`."""
    spec = baseline.spec
    settings = spec.config
    archive = baseline.log_archive
    return _administered(
        baseline,
        Config,
        "config",
        ConfigArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            delivery=DeliveryDestination(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            # Pulumi runs a program in its project directory: custom packs are relative to it.
            conformance_packs=settings.templates(Path.cwd()),
            aggregator=settings.aggregator and spec.organization_mode,
            delegated_admin_account_id=_delegated_admin(spec),
            recorder_name=settings.recorder_name,
            service_linked_role=settings.service_linked_role,
            member_recordings={
                region: resources for region, resources in member_recordings.items() if resources
            },
        ),
    )


def build_detective_services(
    baseline: Baseline, member_recordings: Mapping[str, Sequence[pulumi.Resource]]
) -> None:
    """`member_recordings`: per region, what gives the other accounts a Config recorder."""
    spec = baseline.spec
    if spec.guardduty.enabled:
        build_guardduty(baseline)
    if spec.securityhub.enabled:
        build_securityhub(baseline)
    if spec.macie.enabled:
        build_macie(baseline)
        if spec.organization_mode and spec.macie.enrollment.enabled:
            build_macie_enrollment(baseline)
        if spec.macie.remediation.enabled:
            remediation = build_macie_remediation(baseline)
            if remediation.api_endpoint is not None:
                # The request URL of the Slack app's interactivity settings.
                pulumi.export("macie_slack_request_url", remediation.api_endpoint)
    if spec.config.enabled:
        build_config(baseline, member_recordings)
