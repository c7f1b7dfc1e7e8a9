"""Macie component under the offline mocks, and the `macie` spec section."""

from __future__ import annotations

from typing import Any

import cerberus
import pytest

from baseline.capabilities.macie import section
from baseline.capabilities.macie.component import (
    BucketCondition,
    BucketCriteria,
    BucketDefinition,
    BucketTagCondition,
    ClassificationExport,
    ClassificationJob,
    CustomDataIdentifier,
    Macie,
    MacieArgs,
    Schedule,
    scanned_accounts,
)
from baseline.preview.model import Plan, PlannedResource
from baseline.problems import SpecError
from baseline.schema import BaselineValidator
from baseline.spec import Secret
from baseline.spec_loader import parse_spec
from tests.components_harness import of_type
from tests.organization_harness import (
    HOME,
    SECURITY,
    plan_administered,
    provider_ref,
    section_problems,
)

REGIONS = (HOME, "eu-west-1")
KEY_ARN = "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
EMPLOYEE_ID = CustomDataIdentifier(
    name="employee-id", regex=r"EMP-\d{6}", keywords=("employee",), ignore_words=("EMP-000000",)
)
WEEKLY = ClassificationJob(
    name="weekly-data",
    schedule=Schedule("weekly", day_of_week="MONDAY"),
    sampling_percentage=20,
    bucket_criteria=BucketCriteria(
        includes=(
            BucketCondition("S3_BUCKET_NAME", ("data-",), "STARTS_WITH"),
            BucketTagCondition({"Classification": "confidential"}),
        ),
        excludes=(BucketCondition("S3_BUCKET_SHARED_ACCESS", ("EXTERNAL",)),),
    ),
    custom_data_identifiers=("employee-id",),
)
ONCE = ClassificationJob(
    name="audit-once",
    buckets=(BucketDefinition(account_id=SECURITY, bucket_names=("audit-eu",)),),
    region="eu-west-1",
)


def _plan(args: MacieArgs, *, organization: bool = False) -> Plan:
    return plan_administered(Macie, "macie", args, organization=organization)


def _job(plan: Plan, name: str) -> PlannedResource:
    return next(
        j
        for j in of_type(plan, "aws:macie2/classificationJob:ClassificationJob")
        if j.inputs["namePrefix"] == f"{name}-"
    )


@pytest.fixture(scope="module")
def single() -> Plan:
    return _plan(
        MacieArgs(
            home_region=HOME,
            regions=REGIONS,
            export=ClassificationExport(bucket_name="org-log-archive", kms_key_arn=KEY_ARN),
            custom_data_identifiers=(EMPLOYEE_ID,),
            classification_jobs=(WEEKLY, ONCE),
        )
    )


@pytest.fixture(scope="module")
def organization() -> Plan:
    return _plan(
        MacieArgs(home_region=HOME, regions=REGIONS, delegated_admin_account_id=SECURITY),
        organization=True,
    )


def test_macie_is_enabled_in_every_region(single: Plan) -> None:
    accounts = of_type(single, "aws:macie2/account:Account")
    assert sorted(a.inputs["region"] for a in accounts) == sorted(REGIONS)
    for account in accounts:
        assert account.inputs["status"] == "ENABLED"
        assert account.inputs["findingPublishingFrequency"] == "FIFTEEN_MINUTES"


def test_discovery_results_are_exported_with_the_kms_key(single: Plan) -> None:
    exports = of_type(
        single, "aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration"
    )
    assert sorted(e.inputs["region"] for e in exports) == sorted(REGIONS)
    for export in exports:
        assert export.inputs["s3Destination"] == {
            "bucketName": "org-log-archive",
            "keyPrefix": "macie",
            "kmsKeyArn": KEY_ARN,
        }


def test_custom_data_identifiers_exist_in_every_region(single: Plan) -> None:
    identifiers = of_type(single, "aws:macie/customDataIdentifier:CustomDataIdentifier")
    assert sorted(i.inputs["region"] for i in identifiers) == sorted(REGIONS)
    for identifier in identifiers:
        assert identifier.inputs["namePrefix"] == "employee-id-"
        assert identifier.inputs["regex"] == r"EMP-\d{6}"
        assert identifier.inputs["keywords"] == ["employee"]
        assert identifier.inputs["ignoreWords"] == ["EMP-000000"]
        assert identifier.inputs["maximumMatchDistance"] == 50.0


def test_a_scheduled_job_uses_its_regions_identifier_and_bucket_criteria(single: Plan) -> None:
    job = _job(single, "weekly-data")
    assert job.inputs["region"] == HOME
    assert job.inputs["jobType"] == "SCHEDULED"
    assert job.inputs["scheduleFrequency"] == {"weeklySchedule": "MONDAY"}
    assert job.inputs["initialRun"] is True
    assert job.inputs["samplingPercentage"] == 20.0
    identifier = next(
        i
        for i in of_type(single, "aws:macie/customDataIdentifier:CustomDataIdentifier")
        if i.inputs["region"] == HOME
    )
    assert job.inputs["customDataIdentifierIds"] == [identifier.id]
    assert job.inputs["s3JobDefinition"] == {
        "bucketCriteria": {
            "includes": {
                "ands": [
                    {
                        "simpleCriterion": {
                            "key": "S3_BUCKET_NAME",
                            "comparator": "STARTS_WITH",
                            "values": ["data-"],
                        }
                    },
                    {
                        "tagCriterion": {
                            "comparator": "EQ",
                            "tagValues": [{"key": "Classification", "value": "confidential"}],
                        }
                    },
                ]
            },
            "excludes": {
                "ands": [
                    {
                        "simpleCriterion": {
                            "key": "S3_BUCKET_SHARED_ACCESS",
                            "comparator": "EQ",
                            "values": ["EXTERNAL"],
                        }
                    }
                ]
            },
        }
    }


def test_jobs_wait_for_the_export_of_their_region(single: Plan) -> None:
    exports = {
        e.inputs["region"]: e.urn
        for e in of_type(
            single, "aws:macie2/classificationExportConfiguration:ClassificationExportConfiguration"
        )
    }
    for job in of_type(single, "aws:macie2/classificationJob:ClassificationJob"):
        assert exports[job.inputs["region"]] in job.dependencies


def test_a_one_time_job_analyzes_named_buckets_in_its_region(single: Plan) -> None:
    job = _job(single, "audit-once")
    assert job.inputs["region"] == "eu-west-1"
    assert job.inputs["jobType"] == "ONE_TIME"
    assert "scheduleFrequency" not in job.inputs
    assert "initialRun" not in job.inputs
    assert job.inputs["samplingPercentage"] == 100.0
    assert job.inputs["s3JobDefinition"] == {
        "bucketDefinitions": [{"accountId": SECURITY, "buckets": ["audit-eu"]}]
    }


@pytest.mark.parametrize(
    ("schedule", "frequency"),
    [
        (Schedule("daily"), {"dailySchedule": True}),
        (Schedule("monthly", day_of_month=15), {"monthlySchedule": 15.0}),
    ],
)
def test_daily_and_monthly_schedules(schedule: Schedule, frequency: dict[str, Any]) -> None:
    job = ClassificationJob(name="job", schedule=schedule, buckets=ONCE.buckets)
    plan = _plan(MacieArgs(home_region=HOME, regions=(HOME,), classification_jobs=(job,)))
    assert _job(plan, "job").inputs["scheduleFrequency"] == frequency


def test_single_account_mode_has_no_organization_resources(single: Plan) -> None:
    assert not [r for r in single.resources if "organization" in r.type.lower()]


def test_the_management_account_designates_the_security_account(organization: Plan) -> None:
    admins = of_type(organization, "aws:macie2/organizationAdminAccount:OrganizationAdminAccount")
    assert sorted(a.inputs["region"] for a in admins) == sorted(REGIONS)
    accounts = {
        a.inputs["region"]: a.urn for a in of_type(organization, "aws:macie2/account:Account")
    }
    for admin in admins:
        assert admin.inputs["adminAccountId"] == SECURITY
        assert admin.provider == provider_ref(organization, "management")
        assert accounts[admin.inputs["region"]] in admin.dependencies


def test_the_organization_auto_enables_macie(organization: Plan) -> None:
    configurations = of_type(
        organization, "aws:macie2/organizationConfiguration:OrganizationConfiguration"
    )
    assert sorted(c.inputs["region"] for c in configurations) == sorted(REGIONS)
    for configuration in configurations:
        assert configuration.inputs["autoEnable"] is True
        assert configuration.provider == provider_ref(organization, "security")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Schedule("weekly"), "day_of_week"),
        (lambda: Schedule("hourly"), "must be one of"),
        (lambda: Schedule("monthly", day_of_month=32), "1..31"),
        (lambda: ClassificationJob(name="j"), "either buckets or bucket_criteria"),
        (
            lambda: ClassificationJob(name="j", buckets=ONCE.buckets, sampling_percentage=0),
            "1..100",
        ),
        (lambda: CustomDataIdentifier(name="c", regex="x", maximum_match_distance=301), "1..300"),
        (BucketCriteria, "at least one condition"),
        (lambda: BucketTagCondition({"a": "b"}, comparator="STARTS_WITH"), "EQ or NE"),
        (
            lambda: MacieArgs(home_region=HOME, regions=REGIONS, classification_jobs=(WEEKLY,)),
            "unknown custom data identifier",
        ),
        (
            lambda: MacieArgs(home_region=HOME, regions=(HOME,), classification_jobs=(ONCE,)),
            "not one of the regions",
        ),
    ],
)
def test_args_refuse_what_macie_would_refuse(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def _validate(document: dict[str, Any]) -> cerberus.Validator:
    # The spec's own validator, as in a stack file: the section uses its rules (`secret`).
    validator = BaselineValidator(
        {"macie": section.SECTION}, aws_region=HOME, secrets_decrypted=False
    )
    validator.validate({"macie": document})
    return validator


def _job_document(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "audit",
        "type": "ONE_TIME",
        "buckets": [{"account_id": SECURITY, "names": ["audit-eu"]}],
        **overrides,
    }


def test_section_parses_identifiers_and_jobs() -> None:
    validator = _validate(
        {
            "custom_data_identifiers": [
                {
                    "name": "employee-id",
                    "regex": r"EMP-\d{6}",
                    "keywords": ["employee"],
                    "ignore_words": ["EMP-000000"],
                }
            ],
            "classification_jobs": [
                {
                    "name": "weekly-data",
                    "type": "SCHEDULED",
                    "schedule": "weekly",
                    "day_of_week": "MONDAY",
                    "sampling_percentage": 20,
                    "bucket_criteria": {
                        "includes": [
                            {
                                "property": "S3_BUCKET_NAME",
                                "comparator": "STARTS_WITH",
                                "values": ["data-"],
                            },
                            {"tags": {"Classification": "confidential"}},
                        ],
                        "excludes": [
                            {"property": "S3_BUCKET_SHARED_ACCESS", "values": ["EXTERNAL"]}
                        ],
                    },
                    "custom_data_identifiers": ["employee-id"],
                },
                _job_document(name="audit-once", region="eu-west-1"),
            ],
        }
    )
    assert not validator.errors
    spec = section.parse(validator.document["macie"])
    assert spec.enabled
    assert spec.finding_publishing_frequency == "FIFTEEN_MINUTES"
    assert spec.custom_data_identifiers == (EMPLOYEE_ID,)
    assert spec.classification_jobs[0] == WEEKLY
    assert spec.classification_jobs[1] == ClassificationJob(
        name="audit-once", buckets=ONCE.buckets, region="eu-west-1"
    )


def test_section_rejects_a_regex_that_does_not_compile() -> None:
    problems = section_problems(
        _validate({"custom_data_identifiers": [{"name": "c", "regex": "EMP-(\\d"}]})
    )
    (message,) = problems[("macie", "custom_data_identifiers", 0, "regex")]
    assert message.startswith("is not a valid regular expression")


def test_section_rejects_a_sampling_percentage_of_zero() -> None:
    problems = section_problems(
        _validate({"classification_jobs": [_job_document(sampling_percentage=0)]})
    )
    assert problems == {("macie", "classification_jobs", 0, "sampling_percentage"): ["min"]}


def test_section_rejects_a_schedule_that_is_not_daily_weekly_or_monthly() -> None:
    job = _job_document(type="SCHEDULED", schedule="hourly")
    problems = section_problems(_validate({"classification_jobs": [job]}))
    assert problems == {("macie", "classification_jobs", 0, "schedule"): ["allowed"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"type": "SCHEDULED"}, "schedule: required for a SCHEDULED job"),
        ({"schedule": "daily"}, "schedule: only for a SCHEDULED job"),
        ({"type": "SCHEDULED", "schedule": "weekly"}, "day_of_week: required"),
        ({"type": "SCHEDULED", "schedule": "monthly"}, "day_of_month: required"),
        ({"type": "SCHEDULED", "schedule": "daily", "day_of_month": 3}, "day_of_month: required"),
        ({"bucket_criteria": {"includes": [{"tags": {"a": "b"}}]}}, "needs either buckets or"),
    ],
)
def test_section_checks_a_job_is_consistent(overrides: dict[str, Any], message: str) -> None:
    problems = section_problems(_validate({"classification_jobs": [_job_document(**overrides)]}))
    assert any(m.startswith(message) for m in problems[("macie", "classification_jobs", 0)])


def test_section_checks_bucket_conditions() -> None:
    criteria = {
        "includes": [
            {"property": "S3_BUCKET_NAME"},
            {"tags": {"a": "b"}, "comparator": "CONTAINS"},
            {"property": "OWNER", "values": ["x"]},
        ]
    }
    job = {"name": "j", "type": "ONE_TIME", "bucket_criteria": criteria}
    problems = section_problems(_validate({"classification_jobs": [job]}))
    includes = ("macie", "classification_jobs", 0, "bucket_criteria", "includes")
    assert problems[(*includes, 0)] == ["values: required with property"]
    assert problems[(*includes, 1)] == ["comparator: tags compare with EQ or NE"]
    assert problems[(*includes, 2, "property")] == ["allowed"]


def test_section_requires_referenced_identifiers_to_be_defined() -> None:
    document = {
        "custom_data_identifiers": [{"name": "employee-id", "regex": "EMP"}],
        "classification_jobs": [_job_document(custom_data_identifiers=["employee-id", "badge"])],
    }
    problems = section_problems(_validate(document))
    assert problems == {
        ("macie", "classification_jobs", 0, "custom_data_identifiers", 1): [
            "'badge' is not one of macie.custom_data_identifiers"
        ]
    }


def test_section_bounds_the_match_distance_and_defaults_it_to_50() -> None:
    far = _validate(
        {"custom_data_identifiers": [{"name": "c", "regex": "x", "maximum_match_distance": 301}]}
    )
    assert section_problems(far) == {
        ("macie", "custom_data_identifiers", 0, "maximum_match_distance"): ["max"]
    }
    default = _validate({"custom_data_identifiers": [{"name": "c", "regex": "x"}]})
    assert (
        section.parse(default.document["macie"]).custom_data_identifiers[0].maximum_match_distance
        == 50
    )


# The `remediation` subsection.

WEBHOOK = "https://hooks.slack.com/services/T0001/B0001/abcdefghijklmnopqrstuvwx"
SIGNING = "8f742231b10e8888abcd99yyyzzz85a5"
CIPHERTEXT = {"secure": "v1:Fw4EwfguuuIEkibH:panKeSVpXl4/ozxAHKckWIVmxGrbehEN6NnxVGXgis=="}


def _remediation(**settings: Any) -> dict[str, Any]:
    return {"remediation": {"enabled": True, "source_bucket_patterns": ["data-*"], **settings}}


def _slack(webhook_url: Any = CIPHERTEXT, signing_secret: Any = CIPHERTEXT) -> dict[str, Any]:
    return {"channel": "#quarantine", "webhook_url": webhook_url, "signing_secret": signing_secret}


def test_remediation_is_off_by_default_and_its_defaults_are_cautious() -> None:
    validator = _validate({})
    assert not validator.errors
    settings = section.parse(validator.document["macie"]).remediation
    assert settings.enabled is False
    assert settings.min_severity == "LOW"
    assert dict(settings.actions) == {
        "SensitiveData:S3Object/Credentials": "AUTO",
        "SensitiveData:S3Object/CustomIdentifier": "REVIEW",
        "SensitiveData:S3Object/Financial": "REVIEW",
        "SensitiveData:S3Object/Multiple": "REVIEW",
        "SensitiveData:S3Object/Personal": "REVIEW",
    }
    assert (settings.approvers, settings.source_buckets, settings.source_key_arns) == ((), (), ())
    assert settings.slack is None


def test_remediation_parses_actions_buckets_approvers_and_slack_secrets() -> None:
    key = "arn:aws:kms:us-east-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    validator = _validate(
        _remediation(
            min_severity="MEDIUM",
            actions={"SensitiveData:S3Object/Financial": "AUTO"},
            approvers=["U012AB3CD", "W0PQRSTUV"],
            source_buckets=["acme-raw"],
            source_key_arns=[key],
            slack=_slack(),
        )
    )
    assert not validator.errors
    settings = section.parse(validator.document["macie"]).remediation
    assert settings.enabled and settings.min_severity == "MEDIUM"
    assert settings.actions["SensitiveData:S3Object/Financial"] == "AUTO"
    assert settings.actions["SensitiveData:S3Object/Credentials"] == "AUTO"
    assert settings.actions["SensitiveData:S3Object/Personal"] == "REVIEW"
    assert settings.approvers == ("U012AB3CD", "W0PQRSTUV")
    assert (settings.source_buckets, settings.source_bucket_patterns) == (
        ("acme-raw",),
        ("data-*",),
    )
    assert settings.source_key_arns == (key,)
    assert settings.slack is not None and settings.slack.channel == "#quarantine"
    # Still encrypted in a stack file: the spec holds a placeholder, never the ciphertext.
    assert settings.slack.webhook_url == Secret("[secret]")
    assert settings.slack.signing_secret == Secret("[secret]")


def test_decrypted_slack_secrets_are_kept_and_make_the_spec_secret() -> None:
    document = {
        "macie": _remediation(approvers=["U012AB3CD"], slack=_slack(WEBHOOK, SIGNING)),
    }
    spec = parse_spec(document, aws_region=HOME, secrets_decrypted=True)
    slack = spec.macie.remediation.slack
    assert slack is not None
    assert (slack.webhook_url.value, slack.signing_secret.value) == (WEBHOOK, SIGNING)
    assert WEBHOOK not in repr(spec) and SIGNING not in repr(spec)


def test_slack_secrets_in_a_stack_file_must_be_pulumi_secrets() -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(
            {"macie": _remediation(approvers=["U012AB3CD"], slack=_slack(webhook_url=WEBHOOK))},
            aws_region=HOME,
        )
    (problem,) = raised.value.problems
    assert problem.where == "baseline.macie.remediation.slack.webhook_url"
    assert problem.what.startswith("must be a Pulumi secret")
    assert WEBHOOK not in str(raised.value)


@pytest.mark.parametrize(
    ("settings", "where", "message"),
    [
        (
            {"actions": {"SensitiveData:S3Object/Health": "AUTO"}},
            ("actions", "SensitiveData:S3Object/Health"),
            "unknown",
        ),
        (
            {"actions": {"SensitiveData:S3Object/Personal": "DELETE"}},
            ("actions", "SensitiveData:S3Object/Personal"),
            "allowed",
        ),
        ({"min_severity": "CRITICAL"}, ("min_severity",), "allowed"),
        ({"approvers": ["alice"]}, ("approvers", 0), "must be a Slack user id"),
        ({"source_bucket_patterns": ["*"]}, ("source_bucket_patterns", 0), "must be a bucket name"),
        ({"source_buckets": ["Data_Lake"]}, ("source_buckets", 0), "must be an S3 bucket name"),
        (
            {"source_key_arns": ["arn:aws:kms:us-east-1:444444444444:alias/data"]},
            ("source_key_arns", 0),
            "must be a KMS key ARN",
        ),
        ({"slack": {"webhook_url": CIPHERTEXT}}, ("slack", "signing_secret"), "required"),
        ({"schedule": "daily"}, ("schedule",), "unknown"),
    ],
)
def test_remediation_rejects_wrong_values(
    settings: dict[str, Any], where: tuple[Any, ...], message: str
) -> None:
    problems = section_problems(_validate(_remediation(**{"approvers": ["U012AB3CD"], **settings})))
    assert any(m.startswith(message) for m in problems[("macie", "remediation", *where)])


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"remediation": {"enabled": True}},
            "source_buckets or source_bucket_patterns: name the buckets it may act in",
        ),
        (
            _remediation(slack=_slack()),
            "approvers: required with slack, to say who may approve a quarantine",
        ),
    ],
)
def test_enabled_remediation_needs_buckets_and_with_slack_approvers(
    document: dict[str, Any], message: str
) -> None:
    assert section_problems(_validate(document)) == {("macie", "remediation"): [message]}


def test_remediation_needs_macie() -> None:
    problems = section_problems(_validate({"enabled": False, **_remediation()}))
    assert problems == {("macie", "remediation", "enabled"): ["needs macie.enabled"]}


def test_disabled_remediation_needs_nothing_else() -> None:
    assert not _validate({"remediation": {"enabled": False}}).errors


def test_every_bucket_a_job_names_must_be_a_remediation_source() -> None:
    job = {
        "name": "scan",
        "type": "ONE_TIME",
        "buckets": [{"account_id": "444444444444", "names": ["data-raw", "payroll", "acme-x"]}],
    }
    covered = _validate({"classification_jobs": [job], **_remediation(source_buckets=["acme-x"])})
    problems = section_problems(covered)
    where = ("macie", "classification_jobs", 0, "buckets", 0, "names", 1)
    assert problems == {
        where: [
            "'payroll' is not among macie.remediation source_buckets or source_bucket_patterns: "
            "its findings could not be quarantined"
        ]
    }
    # Without remediation, any bucket may be scanned.
    assert not _validate({"classification_jobs": [job]}).errors


def test_a_job_scans_the_accounts_it_names_and_those_an_account_criterion_includes() -> None:
    named = ClassificationJob(
        name="named",
        buckets=(
            BucketDefinition("444444444444", ("raw",)),
            BucketDefinition("555555555555", ("curated",)),
            BucketDefinition("444444444444", ("more",)),
        ),
    )
    assert scanned_accounts(named) == ("444444444444", "555555555555")
    by_criteria = ClassificationJob(
        name="criteria",
        bucket_criteria=BucketCriteria(
            includes=(
                BucketCondition("ACCOUNT_ID", ("666666666666",)),
                BucketCondition("ACCOUNT_ID", ("777777777777",), comparator="NE"),
                BucketCondition("S3_BUCKET_NAME", ("data-",), comparator="STARTS_WITH"),
            ),
            excludes=(BucketCondition("ACCOUNT_ID", ("888888888888",)),),
        ),
    )
    assert scanned_accounts(by_criteria) == ("666666666666",)


def test_section_enrolls_existing_accounts_hourly_by_default() -> None:
    validator = _validate({})
    assert not validator.errors
    enrollment = section.parse(validator.document["macie"]).enrollment
    assert (enrollment.enabled, enrollment.schedule) == (True, "rate(1 hour)")


@pytest.mark.parametrize("schedule", ["rate(6 hours)", "cron(0 6 * * ? *)", "rate(1 day)"])
def test_section_accepts_eventbridge_schedules(schedule: str) -> None:
    validator = _validate({"enrollment": {"schedule": schedule}})
    assert not validator.errors
    assert section.parse(validator.document["macie"]).enrollment.schedule == schedule


def test_section_refuses_a_schedule_eventbridge_would_refuse() -> None:
    problems = section_problems(_validate({"enrollment": {"schedule": "rate(1 hours)"}}))
    assert problems == {
        ("macie", "enrollment", "schedule"): [
            "must be a schedule such as rate(1 hour) or cron(0 6 * * ? *), got 'rate(1 hours)'"
        ]
    }
