"""Detective services on top of the core baseline: GuardDuty, Security Hub, Macie, Config.

In organization mode the security account is each service's delegated administrator and
AWS enables every member account (auto-enable), so nothing here grows with accounts.
"""

from __future__ import annotations

from pathlib import Path

import pulumi

from baseline.core import Baseline
from baseline.spec import Spec
from components.config import Config, ConfigArgs, DeliveryDestination
from components.guardduty import FindingsExport, GuardDuty, GuardDutyArgs
from components.macie import ClassificationExport, Macie, MacieArgs
from components.securityhub import SecurityHub, SecurityHubArgs


def _delegated_admin(spec: Spec) -> str | None:
    return spec.accounts.security.id if spec.accounts else None


def _management(baseline: Baseline) -> pulumi.ProviderResource | None:
    return baseline.providers.management if baseline.spec.organization_mode else None


def build_guardduty(baseline: Baseline) -> GuardDuty:
    spec = baseline.spec
    settings = spec.guardduty
    archive = baseline.log_archive
    export = (
        FindingsExport(bucket_arn=archive.arn, kms_key_arn=archive.key_arn)
        if settings.export
        else None
    )
    return GuardDuty(
        "guardduty",
        GuardDutyArgs(
            regions=spec.regions.enabled,
            finding_publishing_frequency=settings.finding_publishing_frequency,
            protections=settings.protections,
            export=export,
            suppression_filters=settings.suppression_filters,
            delegated_admin_account_id=_delegated_admin(spec),
        ),
        management_provider=_management(baseline),
        opts=baseline.providers.options("security"),
    )


def build_securityhub(baseline: Baseline) -> SecurityHub:
    spec = baseline.spec
    settings = spec.securityhub
    return SecurityHub(
        "securityhub",
        SecurityHubArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            standards=settings.standards,
            disabled_controls=settings.disabled_controls,
            linking_mode=settings.linking_mode,
            linked_regions=settings.linked_regions,
            delegated_admin_account_id=_delegated_admin(spec),
        ),
        management_provider=_management(baseline),
        opts=baseline.providers.options("security"),
    )


def build_macie(baseline: Baseline) -> Macie:
    spec = baseline.spec
    settings = spec.macie
    archive = baseline.log_archive
    return Macie(
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
        management_provider=_management(baseline),
        opts=baseline.providers.options("security"),
    )


def build_config(baseline: Baseline) -> Config:
    spec = baseline.spec
    settings = spec.config
    archive = baseline.log_archive
    return Config(
        "config",
        ConfigArgs(
            home_region=spec.regions.home,
            regions=spec.regions.enabled,
            delivery=DeliveryDestination(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
            # Pulumi runs a program in its project directory: custom packs are relative to it.
            conformance_packs=settings.templates(Path.cwd()),
            aggregator=settings.aggregator and spec.organization_mode,
            delegated_admin_account_id=_delegated_admin(spec),
        ),
        management_provider=_management(baseline),
        opts=baseline.providers.options("security"),
    )


def build_detective_services(baseline: Baseline) -> None:
    spec = baseline.spec
    if spec.guardduty.enabled:
        build_guardduty(baseline)
    if spec.securityhub.enabled:
        build_securityhub(baseline)
    if spec.macie.enabled:
        build_macie(baseline)
    if spec.config.enabled:
        build_config(baseline)
