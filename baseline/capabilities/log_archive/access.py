"""Who may write to and read from the log archive: its bucket policy and its key's grants.

Each delivering service is admitted under the conditions its own guide documents (a condition
the service does not send fails its delivery silently); log readers may list the bucket, get
objects and decrypt through S3, nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.iam import Conditions, Statement, merge_conditions, statement
from components.kms import KeyGrant

BUCKET_OWNER_FULL_CONTROL = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
# Control Tower user guide, "Optionally configure AWS KMS keys": organization-wide Config
# delivery (member recorders fall back to Config's service principal) with no condition.
CONFIG_ORGANIZATION_KEY = (
    "AWS Control Tower user guide, Optionally configure AWS KMS keys: Config delivers for "
    "every account of the organization, with no source condition on the key"
)


@dataclass(frozen=True)
class Delivery:
    """Who delivers to the archive, as the archive's account sees it.

    `trail_owners`: accounts whose trails (and, in account mode, Config recorders) deliver.
    `trail_arns`: those trails, or patterns for any trail of theirs.
    `findings_accounts`: accounts whose GuardDuty detectors and Macie export here (the
    delegated administrator in organization mode).
    """

    partition: str
    services: tuple[str, ...]
    trail_owners: tuple[str, ...]
    trail_arns: tuple[str, ...]
    findings_accounts: tuple[str, ...]
    organization_id: str | None = None

    def source_arns(self, service: str, *resources: str) -> list[str]:
        """The service's `resources` in any region of the findings accounts."""
        return [
            f"arn:{self.partition}:{service}:*:{account}:{resource}"
            for account in self.findings_accounts
            for resource in resources
        ]


def _service_statement(
    sid: str, service: str, action: str, resources: list[str], conditions: Conditions
) -> Statement:
    return statement(
        sid,
        principal={"Service": f"{service}.amazonaws.com"},
        actions=[action],
        resources=resources,
        conditions=conditions,
    )


def _cloudtrail(arn: str, delivery: Delivery, prefix: str) -> list[Statement]:
    # CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail" and, for organization
    # trails, "Creating a trail for an organization with the AWS CLI": aws:SourceArn is the
    # trail, owned by the management account, for both the account and organization folders.
    trails = {"ArnLike": {"aws:SourceArn": list(delivery.trail_arns)}}
    owners = [*delivery.trail_owners, *filter(None, [delivery.organization_id])]
    return [
        _service_statement("CloudTrailAclCheck", "cloudtrail", "s3:GetBucketAcl", [arn], trails),
        _service_statement(
            "CloudTrailWrite",
            "cloudtrail",
            "s3:PutObject",
            [f"{arn}/{prefix}/AWSLogs/{owner}/*" for owner in owners],
            merge_conditions(trails, BUCKET_OWNER_FULL_CONTROL),
        ),
    ]


def _config(arn: str, delivery: Delivery, prefix: str) -> list[Statement]:
    checks: Conditions
    if delivery.organization_id:
        # Control Tower user guide, "Amazon S3 bucket policy for logging": every account of the
        # organization delivers through Config's service principal, under aws:SourceOrgID; the
        # bucket checks carry no condition.
        checks, accounts = {}, ["*"]
        write: Conditions = {"StringEquals": {"aws:SourceOrgID": delivery.organization_id}}
    else:
        # Config developer guide, "Permissions for the Amazon S3 Bucket for the AWS Config
        # Delivery Channel": aws:SourceAccount on every statement.
        accounts = list(delivery.trail_owners)
        checks = write = {"StringEquals": {"aws:SourceAccount": accounts}}
    return [
        _service_statement("ConfigAclCheck", "config", "s3:GetBucketAcl", [arn], checks),
        _service_statement("ConfigBucketExistenceCheck", "config", "s3:ListBucket", [arn], checks),
        _service_statement(
            "ConfigWrite",
            "config",
            "s3:PutObject",
            [f"{arn}/{prefix}/AWSLogs/{account}/Config/*" for account in accounts],
            merge_conditions(write, BUCKET_OWNER_FULL_CONTROL),
        ),
    ]


def findings_conditions(accounts: Any, source_arns: Any) -> Conditions:
    """GuardDuty and Macie: aws:SourceAccount and aws:SourceArn on bucket and key statements.

    GuardDuty user guide, "Exporting findings" (the detector); Macie user guide, "Storing and
    retaining sensitive data discovery results" (the export configuration or the job).
    """
    return {
        "StringEquals": {"aws:SourceAccount": accounts},
        "ArnLike": {"aws:SourceArn": source_arns},
    }


@dataclass(frozen=True)
class _Exporter:
    """A service that exports findings or results, and the ARNs it presents as aws:SourceArn."""

    service: str
    label: str
    arn_service: str
    arn_resources: tuple[str, ...]
    key_actions: tuple[str, ...]

    def source_arns(self, delivery: Delivery) -> list[str]:
        return delivery.source_arns(self.arn_service, *self.arn_resources)


_EXPORTERS = (
    _Exporter("guardduty", "GuardDuty", "guardduty", ("detector/*",), ("kms:GenerateDataKey",)),
    _Exporter(
        "macie",
        "Macie",
        "macie2",
        ("export-configuration:*", "classification-job/*"),
        ("kms:Encrypt", "kms:GenerateDataKey"),
    ),
)


def _export(arn: str, service: str, label: str, conditions: Conditions) -> list[Statement]:
    """GuardDuty findings, Macie discovery results: a location check, writes under the prefix."""
    return [
        _service_statement(
            f"{label}BucketLocation", service, "s3:GetBucketLocation", [arn], conditions
        ),
        _service_statement(
            f"{label}Write", service, "s3:PutObject", [f"{arn}/{service}/*"], conditions
        ),
    ]


def writer_statements(arn: str, delivery: Delivery) -> list[Statement]:
    statements: list[Statement] = []
    if "cloudtrail" in delivery.services:
        statements += _cloudtrail(arn, delivery, "cloudtrail")
    if "config" in delivery.services:
        statements += _config(arn, delivery, "config")
    for exporter in _EXPORTERS:
        if exporter.service in delivery.services:
            conditions = findings_conditions(
                list(delivery.findings_accounts), exporter.source_arns(delivery)
            )
            statements += _export(arn, exporter.service, exporter.label, conditions)
    return statements


def reader_statements(arn: str, reader_arns: Sequence[Any]) -> list[Statement]:
    """Readers list the bucket and get objects (their own IAM policy must allow it too)."""
    if not reader_arns:
        return []
    readers = {"AWS": list(reader_arns)}
    return [
        statement("LogReadersList", principal=readers, actions=["s3:ListBucket"], resources=[arn]),
        statement(
            "LogReadersGetObjects",
            principal=readers,
            actions=["s3:GetObject"],
            resources=[f"{arn}/*"],
        ),
    ]


def archive_key_grants(
    delivery: pulumi.Output[Delivery],
    services: Sequence[str],
    organization_id: str | None,
    reader_arns: Sequence[pulumi.Input[str]],
    via_s3: pulumi.Input[str],
) -> tuple[KeyGrant, ...]:
    """Delivering services encrypt with the archive's default key; readers decrypt through S3.

    CloudTrail is absent on purpose: a trail encrypts with its own key (OrganizationTrail).
    `via_s3`: the S3 endpoint of the archive's region (`s3.<region>.amazonaws.com`).
    """
    grants: list[KeyGrant] = []
    if "config" in services:
        grants.append(_config_key_grant(delivery, organization_id))
    accounts = delivery.apply(lambda d: list(d.findings_accounts))
    for exporter in _EXPORTERS:
        if exporter.service in services:
            grants.append(
                KeyGrant(
                    sid=f"Allow{exporter.label}Export",
                    principals=(f"{exporter.service}.amazonaws.com",),
                    actions=exporter.key_actions,
                    conditions=findings_conditions(accounts, delivery.apply(exporter.source_arns)),
                )
            )
    if reader_arns:
        # Readers of logs decrypt what they get from the bucket; they never encrypt.
        grants.append(
            KeyGrant(
                sid="LogReadersDecrypt",
                principals=tuple(reader_arns),
                actions=("kms:Decrypt",),
                conditions={"StringEquals": {"kms:ViaService": via_s3}},
                principal_type="AWS",
            )
        )
    return tuple(grants)


def _config_key_grant(delivery: pulumi.Output[Delivery], organization_id: str | None) -> KeyGrant:
    actions = ("kms:Decrypt", "kms:GenerateDataKey")
    if organization_id is not None:
        return KeyGrant(
            sid="AllowConfigDelivery",
            principals=("config.amazonaws.com",),
            actions=actions,
            unconditioned_because=CONFIG_ORGANIZATION_KEY,
        )
    # Config developer guide, "Permissions for the KMS Key": aws:SourceAccount.
    accounts = delivery.apply(lambda d: list(d.trail_owners))
    return KeyGrant(
        sid="AllowConfigDelivery",
        principals=("config.amazonaws.com",),
        actions=actions,
        conditions={"StringEquals": {"aws:SourceAccount": accounts}},
    )
