"""The `macie` section of the spec.

    macie:
      custom_data_identifiers:
        - name: employee-id
          regex: 'EMP-\\d{6}'
          keywords: [employee, staff]
      classification_jobs:
        - name: weekly-data-buckets
          type: SCHEDULED
          schedule: weekly
          day_of_week: MONDAY
          sampling_percentage: 20
          bucket_criteria:
            includes: [{property: S3_BUCKET_NAME, comparator: STARTS_WITH, values: [data-]}]
          custom_data_identifiers: [employee-id]

A job's `region` defaults to the home region; Macie analyzes the buckets of the job's region.

In an organization, `enrollment` makes the accounts that existed before Macie's auto-enable
members too: a function per enabled region, on a schedule (see enrollment.py):

    macie:
      enrollment: {enabled: true, schedule: rate(1 hour)}

`remediation` moves objects with sensitive data into the quarantine bucket (see
remediation.py). It is off by default: it needs the buckets it may act in
(every bucket a job names among them; `source_key_arns` for SSE-KMS ones; buckets of other
accounts grant it too, docs/macie-remediation.md), and for reviews in Slack the app's webhook
URL and signing secret (Pulumi secrets) and the Slack users who may approve:

    macie:
      remediation:
        enabled: true
        min_severity: MEDIUM
        actions: {SensitiveData:S3Object/Financial: AUTO}
        source_bucket_patterns: [data-*]
        approvers: [U012AB3CD]
        slack:
          channel: "#security-reviews"
          webhook_url: {secure: ...}
          signing_secret: {secure: ...}
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from baseline.capabilities.macie import remediation_settings as remediation
from baseline.capabilities.macie.component import (
    BUCKET_PROPERTIES,
    FINDING_PUBLISHING_FREQUENCIES,
    PROPERTY_COMPARATORS,
    SCHEDULE_FREQUENCIES,
    WEEKDAYS,
    BucketCondition,
    BucketCriteria,
    BucketCriterion,
    BucketDefinition,
    BucketTagCondition,
    ClassificationJob,
    CustomDataIdentifier,
    Schedule,
)
from baseline.capabilities.macie.enrollment import DEFAULT_SCHEDULE, SCHEDULE
from baseline.schema_rules import (
    ErrorCallback,
    aws_region,
    mappings,
    matches,
    nested_error,
    no_duplicates,
    unique,
)
from baseline.secret import Secret, secret

_NAME = {
    "type": "string",
    "required": True,
    "check_with": matches(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", "1 to 64 letters, digits, _ . or -"),
}


def _compiles(field: Any, value: Any, error: ErrorCallback) -> None:
    # Macie's regex dialect is close to Python's; what Python cannot compile, Macie rejects too.
    try:
        re.compile(value)
    except re.error as problem:
        error(field, f"is not a valid regular expression: {problem}")


def _words(min_length: int, max_count: int) -> dict[str, Any]:
    return {
        "type": "list",
        "default": [],
        "maxlength": max_count,
        "schema": {"type": "string", "minlength": min_length, "maxlength": 90},
        "check_with": no_duplicates,
    }


_CUSTOM_DATA_IDENTIFIER = {
    "name": _NAME,
    "regex": {"type": "string", "required": True, "maxlength": 512, "check_with": _compiles},
    "keywords": _words(min_length=3, max_count=50),
    "ignore_words": _words(min_length=4, max_count=10),
    "maximum_match_distance": {"type": "integer", "min": 1, "max": 300, "default": 50},
    "description": {"type": "string", "default": "", "maxlength": 512},
}


def _one_kind_of_condition(field: Any, value: Any, error: ErrorCallback) -> None:
    if ("property" in value) == ("tags" in value):
        error(field, "needs either property (with values) or tags")
    elif "property" in value and not value.get("values"):
        error(field, "values: required with property")
    elif "tags" in value and value.get("comparator") not in ("EQ", "NE"):
        error(field, "comparator: tags compare with EQ or NE")


_CONDITION = {
    "type": "dict",
    "schema": {
        "property": {"type": "string", "allowed": BUCKET_PROPERTIES},
        "values": {"type": "list", "minlength": 1, "schema": {"type": "string", "empty": False}},
        "tags": {
            "type": "dict",
            "minlength": 1,
            "keysrules": {"type": "string", "empty": False},
            "valuesrules": {"type": "string"},
        },
        "comparator": {"type": "string", "allowed": PROPERTY_COMPARATORS, "default": "EQ"},
    },
    "check_with": _one_kind_of_condition,
}


def _some_condition(field: Any, value: Any, error: ErrorCallback) -> None:
    if not (value.get("includes") or value.get("excludes")):
        error(field, "needs at least one condition in includes or excludes")


def _schedule_fits_type(field: Any, value: Any, error: ErrorCallback) -> None:
    schedule = value.get("schedule")
    if value.get("type") == "SCHEDULED" and schedule is None:
        error(field, "schedule: required for a SCHEDULED job (daily, weekly or monthly)")
    if value.get("type") == "ONE_TIME" and schedule is not None:
        error(field, "schedule: only for a SCHEDULED job")
    if (schedule == "weekly") != ("day_of_week" in value):
        error(field, "day_of_week: required with a weekly schedule, and only there")
    if (schedule == "monthly") != ("day_of_month" in value):
        error(field, "day_of_month: required with a monthly schedule, and only there")
    if ("buckets" in value) == ("bucket_criteria" in value):
        error(field, "needs either buckets or bucket_criteria")


_CLASSIFICATION_JOB = {
    "name": _NAME,
    "type": {"type": "string", "required": True, "allowed": ("ONE_TIME", "SCHEDULED")},
    "schedule": {"type": "string", "allowed": SCHEDULE_FREQUENCIES},
    "day_of_week": {"type": "string", "allowed": WEEKDAYS},
    # Macie runs on the month's last day when it has fewer days.
    "day_of_month": {"type": "integer", "min": 1, "max": 31},
    "sampling_percentage": {"type": "integer", "min": 1, "max": 100, "default": 100},
    "region": {"type": "string", "check_with": aws_region},
    "description": {"type": "string", "default": "", "maxlength": 200},
    "buckets": {
        "type": "list",
        "minlength": 1,
        "schema": {
            "type": "dict",
            "schema": {
                "account_id": {
                    "type": "string",
                    "required": True,
                    "check_with": matches(r"\d{12}", "a 12-digit account id"),
                },
                "names": {
                    "type": "list",
                    "required": True,
                    "minlength": 1,
                    "schema": {"type": "string", "empty": False},
                    "check_with": no_duplicates,
                },
            },
        },
    },
    "bucket_criteria": {
        "type": "dict",
        "schema": {
            "includes": {"type": "list", "default": [], "schema": _CONDITION},
            "excludes": {"type": "list", "default": [], "schema": _CONDITION},
        },
        "check_with": _some_condition,
    },
    "custom_data_identifiers": {
        "type": "list",
        "default": [],
        "schema": {"type": "string"},
        "check_with": no_duplicates,
    },
}


def _pattern_list(pattern: re.Pattern[str], description: str) -> dict[str, Any]:
    return {
        "type": "list",
        "default": [],
        "schema": {"type": "string", "check_with": matches(pattern.pattern, description)},
        "check_with": no_duplicates,
    }


def _remediation_is_complete(field: Any, value: Any, error: ErrorCallback) -> None:
    if not (isinstance(value, Mapping) and value.get("enabled")):
        return
    if not (value.get("source_buckets") or value.get("source_bucket_patterns")):
        error(field, "source_buckets or source_bucket_patterns: name the buckets it may act in")
    if value.get("slack") and not value.get("approvers"):
        error(field, "approvers: required with slack, to say who may approve a quarantine")


_REMEDIATION = {
    "type": "dict",
    "default": {},
    "schema": {
        # Off by default: it needs the buckets it may act in (and Slack and approvers).
        "enabled": {"type": "boolean", "default": False},
        "min_severity": {
            "type": "string",
            "allowed": remediation.SEVERITIES,
            "default": "LOW",
        },
        "actions": {
            "type": "dict",
            "default": {},
            "schema": {
                kind: {"type": "string", "allowed": remediation.RESPONSES, "default": response}
                for kind, response in remediation.DEFAULT_ACTIONS.items()
            },
        },
        "approvers": _pattern_list(remediation.SLACK_USER_ID, "a Slack user id (U... or W...)"),
        "source_buckets": _pattern_list(remediation.BUCKET_NAME, "an S3 bucket name"),
        "source_bucket_patterns": _pattern_list(
            remediation.BUCKET_PATTERN,
            "a bucket name pattern starting with a letter or digit (* and ? match)",
        ),
        "source_key_arns": _pattern_list(remediation.KMS_KEY_ARN, "a KMS key ARN (not an alias)"),
        "slack": {
            "type": "dict",
            "schema": {
                "channel": {"type": "string", "empty": False},
                "webhook_url": {"required": True, "secret": True},
                "signing_secret": {"required": True, "secret": True},
            },
        },
    },
    "check_with": _remediation_is_complete,
}

# Organization mode: the accounts that existed before Macie's auto-enable become members too
# (baseline/capabilities/macie/enrollment.py). A single account has nothing to enroll.
_ENROLLMENT = {
    "type": "dict",
    "default": {},
    "schema": {
        "enabled": {"type": "boolean", "default": True},
        "schedule": {
            "type": "string",
            "default": DEFAULT_SCHEDULE,
            "check_with": matches(
                SCHEDULE.pattern,
                "a schedule such as rate(1 hour) or cron(0 6 * * ? *)",
            ),
        },
    },
}

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "finding_publishing_frequency": {
        "type": "string",
        "allowed": FINDING_PUBLISHING_FREQUENCIES,
        "default": "FIFTEEN_MINUTES",
    },
    "custom_data_identifiers": {
        "type": "list",
        "default": [],
        "schema": {"type": "dict", "schema": _CUSTOM_DATA_IDENTIFIER},
        "check_with": unique("name", "custom data identifiers"),
    },
    "classification_jobs": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "dict",
            "schema": _CLASSIFICATION_JOB,
            "check_with": _schedule_fits_type,
        },
        "check_with": unique("name", "classification jobs"),
    },
    "remediation": _REMEDIATION,
    "enrollment": _ENROLLMENT,
}


def _macie_consistent(field: Any, value: Any, error: ErrorCallback) -> None:
    _identifiers_defined(field, value, error)
    settings = value.get("remediation") if isinstance(value, Mapping) else None
    if isinstance(settings, Mapping) and settings.get("enabled") and not value.get("enabled", True):
        nested_error(error, (field, "remediation", "enabled"), "needs macie.enabled")
    if isinstance(settings, Mapping) and settings.get("enabled"):
        _scanned_buckets_remediable(field, value, settings, error)


def _scanned_buckets_remediable(
    field: Any, value: Mapping[str, Any], settings: Mapping[str, Any], error: ErrorCallback
) -> None:
    """Each bucket a job names must be a source: the remediator's role may act in no other,
    so every quarantine of its findings would fail into the dead-letter queue."""
    names, patterns = settings.get("source_buckets"), settings.get("source_bucket_patterns")
    sources = [*_texts(names), *_texts(patterns)]
    for index, job in mappings(value, "classification_jobs"):
        for position, definition in mappings(job, "buckets"):
            for number, bucket in enumerate(_texts(definition.get("names"))):
                if not any(fnmatch.fnmatchcase(bucket, source) for source in sources):
                    path = (field, "classification_jobs", index, "buckets", position, "names")
                    nested_error(
                        error,
                        (*path, number),
                        f"{bucket!r} is not among macie.remediation source_buckets or "
                        "source_bucket_patterns: its findings could not be quarantined",
                    )


def _texts(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _identifiers_defined(field: Any, value: Any, error: ErrorCallback) -> None:
    identifiers = mappings(value, "custom_data_identifiers")
    defined = {item.get("name") for _, item in identifiers if isinstance(item.get("name"), str)}
    for index, job in mappings(value, "classification_jobs"):
        used = job.get("custom_data_identifiers")
        for position, name in enumerate(used if isinstance(used, list) else []):
            if isinstance(name, str) and name not in defined:
                path = (field, "classification_jobs", index, "custom_data_identifiers", position)
                nested_error(error, path, f"{name!r} is not one of macie.custom_data_identifiers")


# The rules of the `macie` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _macie_consistent,
}


@dataclass(frozen=True)
class SlackSpec:
    channel: str | None
    webhook_url: Secret
    signing_secret: Secret


@dataclass(frozen=True)
class RemediationSpec:
    enabled: bool
    min_severity: str
    actions: Mapping[str, str]
    approvers: tuple[str, ...]
    source_buckets: tuple[str, ...]
    source_bucket_patterns: tuple[str, ...]
    source_key_arns: tuple[str, ...]
    slack: SlackSpec | None


@dataclass(frozen=True)
class EnrollmentSpec:
    enabled: bool
    schedule: str


@dataclass(frozen=True)
class MacieSpec:
    enabled: bool
    finding_publishing_frequency: str
    custom_data_identifiers: tuple[CustomDataIdentifier, ...]
    classification_jobs: tuple[ClassificationJob, ...]
    remediation: RemediationSpec
    enrollment: EnrollmentSpec


def parse(document: Mapping[str, Any]) -> MacieSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return MacieSpec(
        enabled=document["enabled"],
        finding_publishing_frequency=document["finding_publishing_frequency"],
        custom_data_identifiers=tuple(
            CustomDataIdentifier(
                name=item["name"],
                regex=item["regex"],
                keywords=tuple(item["keywords"]),
                ignore_words=tuple(item["ignore_words"]),
                maximum_match_distance=item["maximum_match_distance"],
                description=item["description"],
            )
            for item in document["custom_data_identifiers"]
        ),
        classification_jobs=tuple(_job(item) for item in document["classification_jobs"]),
        remediation=_remediation(document["remediation"]),
        enrollment=EnrollmentSpec(
            enabled=document["enrollment"]["enabled"],
            schedule=document["enrollment"]["schedule"],
        ),
    )


def _remediation(document: Mapping[str, Any]) -> RemediationSpec:
    slack = document.get("slack")
    return RemediationSpec(
        enabled=document["enabled"],
        min_severity=document["min_severity"],
        actions=MappingProxyType(dict(document["actions"])),
        approvers=tuple(document["approvers"]),
        source_buckets=tuple(document["source_buckets"]),
        source_bucket_patterns=tuple(document["source_bucket_patterns"]),
        source_key_arns=tuple(document["source_key_arns"]),
        slack=_slack(slack) if slack is not None else None,
    )


def _slack(document: Mapping[str, Any]) -> SlackSpec:
    return SlackSpec(
        channel=document.get("channel"),
        webhook_url=secret(document["webhook_url"]),
        signing_secret=secret(document["signing_secret"]),
    )


def _job(item: Mapping[str, Any]) -> ClassificationJob:
    criteria = item.get("bucket_criteria")
    return ClassificationJob(
        name=item["name"],
        schedule=_schedule(item) if item["type"] == "SCHEDULED" else None,
        sampling_percentage=item["sampling_percentage"],
        buckets=tuple(
            BucketDefinition(account_id=b["account_id"], bucket_names=tuple(b["names"]))
            for b in item.get("buckets", ())
        ),
        bucket_criteria=(
            BucketCriteria(
                includes=tuple(_condition(c) for c in criteria["includes"]),
                excludes=tuple(_condition(c) for c in criteria["excludes"]),
            )
            if criteria is not None
            else None
        ),
        custom_data_identifiers=tuple(item["custom_data_identifiers"]),
        region=item.get("region"),
        description=item["description"],
    )


def _schedule(item: Mapping[str, Any]) -> Schedule:
    return Schedule(
        frequency=item["schedule"],
        day_of_week=item.get("day_of_week"),
        day_of_month=item.get("day_of_month"),
    )


def _condition(item: Mapping[str, Any]) -> BucketCriterion:
    if "tags" in item:
        return BucketTagCondition(tags=dict(item["tags"]), comparator=item["comparator"])
    return BucketCondition(
        key=item["property"], values=tuple(item["values"]), comparator=item["comparator"]
    )
