"""The organization trail, in the management account, delivering to the log archive."""

from __future__ import annotations

import pulumi

from baseline.capabilities.cloudtrail.component import (
    CloudWatchLogsDelivery,
    OrganizationTrail,
    OrganizationTrailArgs,
    S3DataEvents,
)
from baseline.capabilities.log_archive.component import LogArchive
from baseline.program import Baseline
from baseline.providers import deployer_arns, partition_of
from baseline.spec import Spec

TRAIL_NAME = "cloudtrail"


def trail_arns(spec: Spec) -> tuple[str, ...]:
    """The organization trail, in the management account's home region; in single-account mode
    the account id is the provider's, so the archive admits any trail of that account."""
    if spec.accounts is None or not spec.cloudtrail.enabled:
        return ()
    name = spec.cloudtrail.name or TRAIL_NAME
    partition = partition_of(spec.regions.home)
    account = spec.accounts.management.id
    return (f"arn:{partition}:cloudtrail:{spec.regions.home}:{account}:trail/{name}",)


def _trail_readers(spec: Spec) -> tuple[str, ...]:
    """kms.users; without them, the account whose IAM decides who reads the archive, where the
    trail's files are (single-account mode: this account, through `account_reads`)."""
    if spec.kms.users or spec.accounts is None:
        return spec.kms.users
    partition = partition_of(spec.regions.home)
    return (f"arn:{partition}:iam::{spec.accounts.log_archive.id}:root",)


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.cloudtrail
    if not settings.enabled:
        return
    archive = baseline.built(LogArchive)
    cloudwatch = settings.cloudwatch_logs
    deployers = deployer_arns(spec, "management")
    data_events = settings.s3_data_events
    trail = OrganizationTrail(
        TRAIL_NAME,
        OrganizationTrailArgs(
            bucket_name=archive.bucket,
            s3_key_prefix=archive.cloudtrail_prefix or "cloudtrail",
            is_organization_trail=spec.organization_mode,
            trail_name=settings.name,
            cloudwatch_logs=(
                CloudWatchLogsDelivery(retention_in_days=cloudwatch.retention_days)
                if cloudwatch.enabled
                else None
            ),
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployers,
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            # Creating a trail on a bucket with an S3 Bucket Key takes kms:Decrypt on the trail
            # key: the deploy role, or the account root (IAM decides) in single-account mode.
            key_user_arns=(*_trail_readers(spec), *deployers),
            account_reads=spec.accounts is None,
            s3_data_events=(
                S3DataEvents(write=data_events.write, read=data_events.read)
                if data_events.write or data_events.read
                else None
            ),
        ),
        opts=baseline.providers.options("management"),
    )
    baseline.record(trail)
    pulumi.export("trail_arn", trail.arn)
    pulumi.export("trail_key_arn", trail.key_arn)
