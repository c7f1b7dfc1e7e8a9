"""The bucket a trail delivers to logs who reads and writes it (S3 server access logging).

CIS AWS Foundations 3.4: access logs of the CloudTrail bucket show who touched the audit trail
itself. A trail names its bucket by name; the bucket and its BucketLogging resource are found in
the stack through the engine's property dependencies, else by that name. A trail writing to a
bucket the stack does not declare cannot be judged here and is left alone.
"""

from __future__ import annotations

from functools import partial

from graph import Undecided, by_type
from helpers import label, referenced
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs
from s3 import BUCKET_ID_PROPS, BUCKET_TYPES, LOGGING_TYPES, buckets_with

TRAIL = "aws:cloudtrail/trail:Trail"


def _check(
    trail: PolicyResource,
    buckets: list[PolicyResource],
    logged: set[str],
    report: ReportViolation,
) -> None:
    bucket = referenced(trail, "s3BucketName", buckets, BUCKET_ID_PROPS)
    if bucket is not None and bucket.urn not in logged:
        report(
            f"trail {label(trail)} delivers to bucket {label(bucket)}, which has no "
            "BucketLogging: reads and deletions of the trail's log files go unrecorded.",
            trail.urn,
        )


def _validate_access_logging(args: StackValidationArgs, report: ReportViolation) -> None:
    found = by_type(args.resources, {TRAIL, *BUCKET_TYPES})
    buckets = [b for t in BUCKET_TYPES for b in found[t]]
    logged = {bucket.urn for bucket, loggings in buckets_with(args, LOGGING_TYPES) if loggings}
    undecided = Undecided()
    for trail in found[TRAIL]:
        undecided.judge(trail, partial(_check, trail, buckets, logged, report))
    undecided.settle()


POLICIES = [
    stack_policy(
        name="cloudtrail-bucket-access-logging",
        summary=("The bucket a CloudTrail trail delivers to must have S3 server access logging."),
        validate=_validate_access_logging,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Declare an aws.s3.BucketLogging for the trail's bucket, with a target bucket of "
            "its own (components.buckets attach_access_logging does it for the log archive)."
        ),
    ),
]
