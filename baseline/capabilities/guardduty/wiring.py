"""GuardDuty in every enabled region; in an organization the security account administers it and
enables every account, existing and new (`ALL`)."""

from __future__ import annotations

from baseline.capabilities.guardduty.component import FindingsExport, GuardDuty, GuardDutyArgs
from baseline.capabilities.log_archive.component import LogArchive
from baseline.program import Baseline


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.guardduty
    if not settings.enabled:
        return
    archive = baseline.built(LogArchive)
    export = (
        FindingsExport(bucket_arn=archive.arn, kms_key_arn=archive.key_arn)
        if settings.export
        else None
    )
    guardduty = baseline.administered(
        GuardDuty,
        "guardduty",
        GuardDutyArgs(
            regions=spec.regions.enabled,
            finding_publishing_frequency=settings.finding_publishing_frequency,
            protections=settings.protections,
            export=export,
            suppression_filters=settings.suppression_filters,
            delegated_admin_account_id=baseline.delegated_admin(),
        ),
    )
    baseline.record(guardduty)
