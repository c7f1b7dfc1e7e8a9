"""Macie: sensitive data discovery per region, results exported, custom identifiers and jobs.

Macie cannot update a classification job (only its status) nor a custom data identifier, so any
change to one replaces it: the old job is cancelled (Macie never deletes jobs) and the new one
runs again over its buckets, and jobs using a replaced identifier are replaced with it. Both
are created with a name prefix so that a replacement never collides with its predecessor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from baseline.capabilities.shared import organization_admin, require_region_list

FINDING_PUBLISHING_FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
SCHEDULE_FREQUENCIES = ("daily", "weekly", "monthly")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
BUCKET_PROPERTIES = (
    "ACCOUNT_ID",
    "S3_BUCKET_NAME",
    "S3_BUCKET_EFFECTIVE_PERMISSION",
    "S3_BUCKET_SHARED_ACCESS",
)
PROPERTY_COMPARATORS = ("EQ", "NE", "CONTAINS", "STARTS_WITH")
TAG_COMPARATORS = ("EQ", "NE")


@dataclass(frozen=True)
class CustomDataIdentifier:
    name: str
    regex: str
    keywords: tuple[str, ...] = ()
    ignore_words: tuple[str, ...] = ()
    # How far (in characters) a keyword may be from the match.
    maximum_match_distance: int = 50
    description: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.maximum_match_distance <= 300:
            raise ValueError(
                f"custom data identifier {self.name}: maximum_match_distance is 1..300"
            )


@dataclass(frozen=True)
class Schedule:
    frequency: str
    day_of_week: str | None = None
    day_of_month: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in SCHEDULE_FREQUENCIES:
            raise ValueError(f"schedule: must be one of {', '.join(SCHEDULE_FREQUENCIES)}")
        if (self.frequency == "weekly") != (self.day_of_week is not None):
            raise ValueError("schedule: day_of_week goes with a weekly schedule, and only there")
        if self.day_of_week is not None and self.day_of_week not in WEEKDAYS:
            raise ValueError(f"schedule: day_of_week must be one of {', '.join(WEEKDAYS)}")
        if (self.frequency == "monthly") != (self.day_of_month is not None):
            raise ValueError("schedule: day_of_month goes with a monthly schedule, and only there")
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 31:
            raise ValueError("schedule: day_of_month is 1..31")


@dataclass(frozen=True)
class BucketDefinition:
    """Buckets named explicitly, with the account that owns them."""

    account_id: str
    bucket_names: tuple[str, ...]


@dataclass(frozen=True)
class BucketCondition:
    """A bucket property compared with values, e.g. S3_BUCKET_NAME STARTS_WITH data-."""

    key: str
    values: tuple[str, ...]
    comparator: str = "EQ"

    def __post_init__(self) -> None:
        if self.key not in BUCKET_PROPERTIES or self.comparator not in PROPERTY_COMPARATORS:
            raise ValueError(
                f"bucket condition {self.key} {self.comparator}: not a Macie criterion"
            )


@dataclass(frozen=True)
class BucketTagCondition:
    """Buckets whose tags equal (or not) every given key and value."""

    tags: Mapping[str, str]
    comparator: str = "EQ"

    def __post_init__(self) -> None:
        if not self.tags or self.comparator not in TAG_COMPARATORS:
            raise ValueError("bucket tag condition: tags and an EQ or NE comparator are required")


BucketCriterion = BucketCondition | BucketTagCondition


@dataclass(frozen=True)
class BucketCriteria:
    """Buckets chosen by properties and tags when the job runs: new buckets are included."""

    includes: tuple[BucketCriterion, ...] = ()
    excludes: tuple[BucketCriterion, ...] = ()

    def __post_init__(self) -> None:
        if not (self.includes or self.excludes):
            raise ValueError("bucket criteria: at least one condition to include or exclude")


@dataclass(frozen=True)
class ClassificationJob:
    name: str
    buckets: tuple[BucketDefinition, ...] = ()
    bucket_criteria: BucketCriteria | None = None
    # None: run once.
    schedule: Schedule | None = None
    sampling_percentage: int = 100
    # Names of MacieArgs.custom_data_identifiers.
    custom_data_identifiers: tuple[str, ...] = ()
    # None: the home region. A job analyzes the buckets of its own region.
    region: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if bool(self.buckets) == (self.bucket_criteria is not None):
            raise ValueError(f"job {self.name}: either buckets or bucket_criteria, not both")
        if not 1 <= self.sampling_percentage <= 100:
            raise ValueError(f"job {self.name}: sampling_percentage is 1..100")


@dataclass(frozen=True)
class ClassificationExport:
    """Where discovery results go: a bucket and prefix, encrypted with a KMS key.

    AWS requires the key in the bucket's region; the bucket and key policies must let
    macie.amazonaws.com write and encrypt.
    """

    bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    prefix: str = "macie"


@dataclass(frozen=True)
class MacieArgs:
    home_region: str
    regions: tuple[str, ...]
    finding_publishing_frequency: str = "FIFTEEN_MINUTES"
    export: ClassificationExport | None = None
    custom_data_identifiers: tuple[CustomDataIdentifier, ...] = ()
    classification_jobs: tuple[ClassificationJob, ...] = ()
    # Organization mode: the (security) account the management account designates.
    delegated_admin_account_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_region_list("MacieArgs", self.home_region, self.regions)
        if self.finding_publishing_frequency not in FINDING_PUBLISHING_FREQUENCIES:
            raise ValueError(
                "MacieArgs.finding_publishing_frequency: must be one of "
                f"{', '.join(FINDING_PUBLISHING_FREQUENCIES)}"
            )
        identifiers = {identifier.name for identifier in self.custom_data_identifiers}
        for job in self.classification_jobs:
            unknown = [n for n in job.custom_data_identifiers if n not in identifiers]
            if unknown:
                raise ValueError(f"job {job.name}: unknown custom data identifier(s) {unknown}")
            if self.job_region(job) not in self.regions:
                raise ValueError(f"job {job.name}: region {job.region} is not one of the regions")

    def job_region(self, job: ClassificationJob) -> str:
        return job.region or self.home_region


class Macie(pulumi.ComponentResource):
    """Macie accounts, results export, custom data identifiers and classification jobs.

    `opts.provider` is the security account; `management_provider` (organization mode) is the
    management account, which designates the security account as delegated administrator.
    """

    accounts: dict[str, aws.macie2.Account]
    custom_data_identifiers: dict[tuple[str, str], aws.macie.CustomDataIdentifier]
    classification_jobs: dict[str, aws.macie2.ClassificationJob]

    def __init__(
        self,
        name: str,
        args: MacieArgs,
        management_provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("security-baseline:macie:Macie", name, None, opts)
        admin_account_id = organization_admin(args.delegated_admin_account_id, management_provider)
        self.accounts = {}
        self.custom_data_identifiers = {}
        exports: dict[str, pulumi.Resource] = {}
        for region in args.regions:
            account = aws.macie2.Account(
                f"{name}-{region}",
                status="ENABLED",
                finding_publishing_frequency=args.finding_publishing_frequency,
                region=region,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.accounts[region] = account
            if args.export is not None:
                exports[region] = self._export(name, region, account, args.export)
            for identifier in args.custom_data_identifiers:
                self.custom_data_identifiers[(region, identifier.name)] = self._identifier(
                    name, region, account, identifier, args.tags
                )
            if management_provider is not None and admin_account_id is not None:
                self._organization(name, region, account, admin_account_id, management_provider)
        self.classification_jobs = {
            job.name: self._job(name, args, job, exports) for job in args.classification_jobs
        }
        self.register_outputs(
            {"classification_job_ids": {n: j.id for n, j in self.classification_jobs.items()}}
        )

    def _export(
        self, name: str, region: str, account: aws.macie2.Account, export: ClassificationExport
    ) -> aws.macie2.ClassificationExportConfiguration:
        return aws.macie2.ClassificationExportConfiguration(
            f"{name}-export-{region}",
            s3_destination=aws.macie2.ClassificationExportConfigurationS3DestinationArgs(
                bucket_name=export.bucket_name,
                key_prefix=export.prefix,
                kms_key_arn=export.kms_key_arn,
            ),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account]),
        )

    def _identifier(
        self,
        name: str,
        region: str,
        account: aws.macie2.Account,
        identifier: CustomDataIdentifier,
        tags: Mapping[str, str],
    ) -> aws.macie.CustomDataIdentifier:
        return aws.macie.CustomDataIdentifier(
            f"{name}-identifier-{identifier.name}-{region}",
            name_prefix=f"{identifier.name}-",
            regex=identifier.regex,
            keywords=list(identifier.keywords) or None,
            ignore_words=list(identifier.ignore_words) or None,
            maximum_match_distance=identifier.maximum_match_distance,
            description=identifier.description or None,
            region=region,
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account]),
        )

    def _organization(
        self,
        name: str,
        region: str,
        account: aws.macie2.Account,
        admin_account_id: str,
        management_provider: pulumi.ProviderResource,
    ) -> None:
        admin = aws.macie2.OrganizationAdminAccount(
            f"{name}-admin-{region}",
            admin_account_id=admin_account_id,
            region=region,
            # The account first: designating an account enables Macie there, and the account
            # resource would then find Macie already enabled.
            opts=pulumi.ResourceOptions(
                parent=self, provider=management_provider, depends_on=[account]
            ),
        )
        aws.macie2.OrganizationConfiguration(
            f"{name}-organization-{region}",
            auto_enable=True,
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[admin]),
        )

    def _job(
        self,
        name: str,
        args: MacieArgs,
        job: ClassificationJob,
        exports: Mapping[str, pulumi.Resource],
    ) -> aws.macie2.ClassificationJob:
        region = args.job_region(job)
        # Results of a job that runs before the export exists would only be kept for 90 days.
        after = [self.accounts[region], *([exports[region]] if region in exports else [])]
        return aws.macie2.ClassificationJob(
            f"{name}-job-{job.name}",
            name_prefix=f"{job.name}-",
            description=job.description or None,
            job_type="SCHEDULED" if job.schedule else "ONE_TIME",
            schedule_frequency=_schedule_frequency(job.schedule),
            # A scheduled job also analyzes the objects that exist already.
            initial_run=True if job.schedule else None,
            job_status="RUNNING",
            sampling_percentage=job.sampling_percentage,
            custom_data_identifier_ids=[
                self.custom_data_identifiers[(region, identifier)].id
                for identifier in job.custom_data_identifiers
            ]
            or None,
            s3_job_definition=_s3_job_definition(job),
            region=region,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )


def scanned_accounts(job: ClassificationJob) -> tuple[str, ...]:
    """The accounts whose buckets `job` names: its bucket definitions, and the accounts an
    `ACCOUNT_ID EQ` criterion includes. Macie scans only the buckets of its member accounts."""
    named = [bucket.account_id for bucket in job.buckets]
    if job.bucket_criteria is not None:
        named += [
            value
            for criterion in job.bucket_criteria.includes
            if isinstance(criterion, BucketCondition)
            and criterion.key == "ACCOUNT_ID"
            and criterion.comparator == "EQ"
            for value in criterion.values
        ]
    return tuple(dict.fromkeys(named))


def _schedule_frequency(
    schedule: Schedule | None,
) -> aws.macie2.ClassificationJobScheduleFrequencyArgs | None:
    if schedule is None:
        return None
    return aws.macie2.ClassificationJobScheduleFrequencyArgs(
        daily_schedule=True if schedule.frequency == "daily" else None,
        weekly_schedule=schedule.day_of_week,
        monthly_schedule=schedule.day_of_month,
    )


def _s3_job_definition(job: ClassificationJob) -> dict[str, Any]:
    if job.bucket_criteria is None:
        return {
            "bucket_definitions": [
                {"account_id": bucket.account_id, "buckets": list(bucket.bucket_names)}
                for bucket in job.buckets
            ]
        }
    criteria = {
        side: {"ands": [_criterion(criterion) for criterion in criteria]}
        for side, criteria in (
            ("includes", job.bucket_criteria.includes),
            ("excludes", job.bucket_criteria.excludes),
        )
        if criteria
    }
    return {"bucket_criteria": criteria}


def _criterion(criterion: BucketCriterion) -> dict[str, Any]:
    if isinstance(criterion, BucketCondition):
        return {
            "simple_criterion": {
                "key": criterion.key,
                "comparator": criterion.comparator,
                "values": list(criterion.values),
            }
        }
    return {
        "tag_criterion": {
            "comparator": criterion.comparator,
            "tag_values": [{"key": k, "value": v} for k, v in sorted(criterion.tags.items())],
        }
    }
