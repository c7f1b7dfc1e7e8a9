"""Macie in every enabled region, administered by the security account in an organization; the
enrollment of the accounts that existed before auto-enable; the remediation of its findings.

Macie's auto-enable covers new accounts only: the enrollment function makes the existing ones
members. Nothing here grows with accounts.
"""

from __future__ import annotations

import pulumi

from baseline.capabilities.log_archive.component import LogArchive
from baseline.capabilities.macie.component import (
    ClassificationExport,
    Macie,
    MacieArgs,
    scanned_accounts,
)
from baseline.capabilities.macie.enrollment import MacieEnrollment, MacieEnrollmentArgs
from baseline.capabilities.macie.remediation import MacieRemediation, MacieRemediationArgs
from baseline.capabilities.notifications.component import Notifications
from baseline.capabilities.notifications.wiring import regional_topic_arns
from baseline.capabilities.quarantine.component import QuarantineBucket
from baseline.program import ROLE_TAG, Baseline
from baseline.providers import deployer_arns
from baseline.spec import Spec


def _macie(baseline: Baseline) -> Macie:
    spec = baseline.spec
    settings = spec.macie
    archive = baseline.built(LogArchive)
    return baseline.administered(
        Macie,
        "macie",
        MacieArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            finding_publishing_frequency=settings.finding_publishing_frequency,
            export=ClassificationExport(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            custom_data_identifiers=settings.custom_data_identifiers,
            classification_jobs=settings.classification_jobs,
            delegated_admin_account_id=baseline.delegated_admin(),
        ),
    )


def _scanned_accounts_by_region(spec: Spec) -> dict[str, tuple[str, ...]]:
    """Region -> the accounts the classification jobs of that region scan."""
    by_region: dict[str, list[str]] = {}
    for job in spec.macie.classification_jobs:
        region = job.region or spec.regions.home
        by_region.setdefault(region, []).extend(scanned_accounts(job))
    return {region: tuple(dict.fromkeys(accounts)) for region, accounts in by_region.items()}


def _enrollment(baseline: Baseline) -> MacieEnrollment:
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


def _remediation(baseline: Baseline) -> MacieRemediation:
    """Quarantine of Macie findings, next to Macie in the security account's home region.

    The remediator runs as the quarantine bucket's remediation role, the one principal the
    bucket and its key admit, which the quarantine capability has created (or been given)
    before them. Source buckets of other accounts must grant it too (docs/macie-remediation.md).
    The roles that notify (the finding handler's and the remediator's) are granted publishing
    to the security account's topics.
    """
    spec = baseline.spec
    settings = spec.macie.remediation
    slack = settings.slack
    notifications = baseline.built(Notifications)
    topics = notifications.topic_arns
    quarantine = baseline.built(QuarantineBucket)
    # Data owners of other accounts name this role in their bucket and key policies.
    pulumi.export("macie_remediation_role_arn", quarantine.remediation_role_arn)
    remediation = MacieRemediation(
        "macie-remediation",
        MacieRemediationArgs(
            quarantine_bucket_name=quarantine.bucket,
            quarantine_bucket_arn=quarantine.arn,
            quarantine_key_arn=quarantine.key_arn,
            remediator_role_arn=quarantine.remediation_role_arn,
            notify_topic_arn=topics[spec.notifications.default_topic],
            alert_topic_arn=topics[spec.alerts.topics.findings],
            topic_key_arns=(notifications.key_arn,),
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
    for role_arn in remediation.publisher_role_arns:
        notifications.grant_publish(role_arn)
    return remediation


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    if not spec.macie.enabled:
        return
    baseline.record(_macie(baseline))
    if spec.organization_mode and spec.macie.enrollment.enabled:
        baseline.record(_enrollment(baseline))
    if spec.macie.remediation.enabled:
        remediation = _remediation(baseline)
        baseline.record(remediation)
        if remediation.api_endpoint is not None:
            # The request URL of the Slack app's interactivity settings.
            pulumi.export("macie_slack_request_url", remediation.api_endpoint)
