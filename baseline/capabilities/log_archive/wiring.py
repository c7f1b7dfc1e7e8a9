"""The log archive in the log-archive account: where every service of the baseline delivers.

Its bucket policy admits each delivering service under the conditions its guide documents: the
organization trail by ARN, Config and the detective services for the accounts that deliver.
"""

from __future__ import annotations

import pulumi

from baseline.capabilities.cloudtrail.wiring import trail_arns
from baseline.capabilities.log_archive.component import LogArchive, LogArchiveArgs
from baseline.program import ROLE_TAG, Baseline
from baseline.providers import deployer_arns


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    accounts = spec.accounts
    archive = LogArchive(
        "log-archive",
        LogArchiveArgs(
            services=("cloudtrail", "config", "guardduty", "macie"),
            organization_id=accounts.organization_id if accounts else None,
            source_account_ids=(accounts.management.id,) if accounts else (),
            trail_arns=trail_arns(spec),
            # GuardDuty and Macie export as their delegated administrator.
            findings_account_ids=(accounts.security.id,) if accounts else (),
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "log_archive"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            key_user_arns=spec.kms.users,
            # Without kms.users, IAM policies of the archive's account decide who reads.
            account_reads=not spec.kms.users,
            transition_to_glacier_days=spec.log_archive.glacier_transition_days,
            expiration_days=spec.log_archive.retention_days,
            access_logging=spec.log_archive.access_logging,
            tags={ROLE_TAG: "log-archive"},
        ),
        opts=baseline.providers.options("log_archive"),
    )
    baseline.record(archive)
    pulumi.export("log_archive_bucket", archive.bucket)
    pulumi.export("log_archive_key_arn", archive.key_arn)
