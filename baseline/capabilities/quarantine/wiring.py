"""The quarantine bucket in the security account, where remediation copies sensitive objects."""

from __future__ import annotations

import pulumi

from baseline.capabilities.quarantine.component import QuarantineBucket, QuarantineBucketArgs
from baseline.program import ROLE_TAG, Baseline
from baseline.providers import deployer_arns
from components.buckets import ObjectLock


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.quarantine
    lock = settings.object_lock
    quarantine = QuarantineBucket(
        "quarantine",
        QuarantineBucketArgs(
            remediation_role_arn=settings.remediation_role_arn,
            security_admin_role_arn=settings.security_admin_role_arn,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            object_lock=ObjectLock(mode=lock.mode, days=lock.days) if lock.enabled else None,
            tags={ROLE_TAG: "quarantine"},
        ),
        opts=baseline.providers.options("security"),
    )
    baseline.record(quarantine)
    pulumi.export("quarantine_bucket", quarantine.bucket)
    pulumi.export("quarantine_key_arn", quarantine.key_arn)
