"""The core of the baseline: providers, log archive, trail, notifications, quarantine.

Each function maps one spec section onto its component; the components hold every secure
default. The other capabilities build on the `Baseline` this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from baseline.providers import AccountProviders, account_providers, deployer_arns, partition_of
from baseline.spec import Spec, TopicSpec
from components import (
    CloudWatchLogsDelivery,
    LogArchive,
    LogArchiveArgs,
    Notifications,
    NotificationsArgs,
    ObjectLock,
    OrganizationTrail,
    OrganizationTrailArgs,
    QuarantineBucket,
    QuarantineBucketArgs,
    S3DataEvents,
    TopicArgs,
)
from components.lambda_code import ROLE_PATH

ROLE_TAG = "security-baseline:role"
ALERTS_NAME = "alerts"
MACIE_REMEDIATION_NAME = "macie-remediation"
QUARANTINE_NAME = "quarantine"


@dataclass(frozen=True)
class Baseline:
    """What `build` created, for exports and for the capabilities built on top of it."""

    spec: Spec
    providers: AccountProviders
    log_archive: LogArchive
    trail: OrganizationTrail | None
    notifications: Notifications
    quarantine: QuarantineBucket
    # What every topic Firewall Manager publishes to waits for (its service-linked role).
    topic_prerequisites: tuple[pulumi.Resource, ...] = ()

    def topic_options(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            provider=self.providers.security, depends_on=list(self.topic_prerequisites)
        )


TRAIL_NAME = "cloudtrail"


def _organization_id(spec: Spec) -> str | None:
    return spec.accounts.organization_id if spec.accounts else None


def _trail_arns(spec: Spec) -> tuple[str, ...]:
    """The organization trail, in the management account's home region; in single-account mode
    the account id is the provider's, so the archive admits any trail of that account."""
    if spec.accounts is None or not spec.cloudtrail.enabled:
        return ()
    name = spec.cloudtrail.name or TRAIL_NAME
    partition = partition_of(spec.regions.home)
    account = spec.accounts.management.id
    return (f"arn:{partition}:cloudtrail:{spec.regions.home}:{account}:trail/{name}",)


def _log_archive(spec: Spec, providers: AccountProviders) -> LogArchive:
    accounts = spec.accounts
    return LogArchive(
        "log-archive",
        LogArchiveArgs(
            services=("cloudtrail", "config", "guardduty", "macie"),
            organization_id=_organization_id(spec),
            source_account_ids=(accounts.management.id,) if accounts else (),
            trail_arns=_trail_arns(spec),
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
        opts=providers.options("log_archive"),
    )


def _trail_readers(spec: Spec) -> tuple[str, ...]:
    """kms.users; without them, the account whose IAM decides who reads the archive, where the
    trail's files are (single-account mode: this account, through `account_reads`)."""
    if spec.kms.users or spec.accounts is None:
        return spec.kms.users
    partition = partition_of(spec.regions.home)
    return (f"arn:{partition}:iam::{spec.accounts.log_archive.id}:root",)


def _trail(spec: Spec, providers: AccountProviders, archive: LogArchive) -> OrganizationTrail:
    settings = spec.cloudtrail
    cloudwatch = settings.cloudwatch_logs
    deployers = deployer_arns(spec, "management")
    data_events = settings.s3_data_events
    return OrganizationTrail(
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
        opts=providers.options("management"),
    )


def publisher_roles(spec: Spec, partition: str) -> tuple[str, ...]:
    """Roles that publish to the baseline's topics, as `aws:PrincipalArn` patterns.

    Pulumi names these roles (`alerts-format-<suffix>`, ...), so they are matched by pattern;
    the key and topic policies also require this account as the principal, which keeps `*` in
    the account field harmless. Firewall Manager is named apart (`firewall_manager_publishes`).
    """
    roles = [f"arn:{partition}:iam::*:role{ROLE_PATH}{ALERTS_NAME}-format-*"]
    if spec.macie.enabled and spec.macie.remediation.enabled:
        roles.append(f"arn:{partition}:iam::*:role{ROLE_PATH}{MACIE_REMEDIATION_NAME}-*")
        roles.append(
            spec.quarantine.remediation_role_arn
            or f"arn:{partition}:iam::*:role/{QUARANTINE_NAME}-remediation-*"
        )
    return tuple(roles)


def topic_args(topic: TopicSpec) -> TopicArgs:
    return TopicArgs(
        emails=topic.emails,
        https_endpoints=tuple(pulumi.Output.secret(url.value) for url in topic.https_endpoints),
    )


def _fms_service_linked_role(
    spec: Spec, providers: AccountProviders
) -> tuple[pulumi.Resource, ...]:
    """Firewall Manager's service-linked role in the security account, before any topic names it.

    KMS and SNS refuse a policy whose principal does not exist (KMS PutKeyPolicy:
    MalformedPolicyDocumentException; SNS SetTopicAttributes: PrincipalNotFound), and the topic
    and key policies name AWSServiceRoleForFMS (Firewall Manager developer guide, "Firewall
    Manager required permissions for API actions"). `existing`: the account has it already.
    """
    settings = spec.firewall_manager
    if not settings.enabled or settings.service_linked_role != "create":
        return ()
    role = aws.iam.ServiceLinkedRole(
        "firewall-manager-service-role",
        aws_service_name="fms.amazonaws.com",
        opts=providers.options("security"),
    )
    return (role,)


def _notifications(
    spec: Spec, providers: AccountProviders, prerequisites: tuple[pulumi.Resource, ...]
) -> Notifications:
    return Notifications(
        "notifications",
        NotificationsArgs(
            topics={name: topic_args(topic) for name, topic in spec.notifications.topics.items()},
            publisher_role_arns=publisher_roles(spec, partition_of(spec.regions.home)),
            firewall_manager_publishes=spec.firewall_manager.enabled,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
        ),
        opts=pulumi.ResourceOptions(provider=providers.security, depends_on=list(prerequisites)),
    )


def _quarantine(spec: Spec, providers: AccountProviders) -> QuarantineBucket:
    settings = spec.quarantine
    lock = settings.object_lock
    return QuarantineBucket(
        QUARANTINE_NAME,
        QuarantineBucketArgs(
            remediation_role_arn=settings.remediation_role_arn,
            security_admin_role_arn=settings.security_admin_role_arn,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            object_lock=ObjectLock(mode=lock.mode, days=lock.days) if lock.enabled else None,
            tags={ROLE_TAG: "quarantine"},
        ),
        opts=providers.options("security"),
    )


def build_core(spec: Spec) -> Baseline:
    providers = account_providers(spec)
    archive = _log_archive(spec, providers)
    topic_prerequisites = _fms_service_linked_role(spec, providers)
    return Baseline(
        spec=spec,
        providers=providers,
        log_archive=archive,
        trail=_trail(spec, providers, archive) if spec.cloudtrail.enabled else None,
        notifications=_notifications(spec, providers, topic_prerequisites),
        quarantine=_quarantine(spec, providers),
        topic_prerequisites=topic_prerequisites,
    )
