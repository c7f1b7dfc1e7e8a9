"""cloudtrail-bucket-access-logging: the trail's bucket has S3 server access logging."""

from tests.policy_harness import by_name, resource, urn_of, validate_stack

# isort: split

import cloudtrail_bucket

POLICY = by_name(cloudtrail_bucket.POLICIES, "cloudtrail-bucket-access-logging")
TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
LOGGING = "aws:s3/bucketLogging:BucketLogging"


def stack(*, logged: bool, by_dependency: bool = True) -> list:
    bucket = resource(BUCKET, "archive", {"bucket": "archive-1a2b3c4", "id": "archive-1a2b3c4"})
    dependencies = {"s3BucketName": [bucket]} if by_dependency else {}
    trail = resource(
        TRAIL, "org", {"s3BucketName": "archive-1a2b3c4"}, property_dependencies=dependencies
    )
    resources = [bucket, trail]
    if logged:
        resources.append(
            resource(
                LOGGING,
                "archive-logging",
                {"bucket": "archive-1a2b3c4", "targetBucket": "access-logs-9z8y7x6"},
                property_dependencies={"bucket": [bucket]},
            )
        )
    return resources


def test_a_trail_whose_bucket_logs_access_passes() -> None:
    assert validate_stack(POLICY, stack(logged=True)) == []
    assert validate_stack(POLICY, stack(logged=True, by_dependency=False)) == []


def test_a_trail_whose_bucket_logs_nothing_fails() -> None:
    [violation] = validate_stack(POLICY, stack(logged=False))

    assert violation.urn == urn_of(TRAIL, "org")
    assert violation.message == (
        "trail 'org' delivers to bucket 'archive', which has no BucketLogging: reads and "
        "deletions of the trail's log files go unrecorded."
    )


def test_a_bucket_outside_the_stack_is_not_judged() -> None:
    trail = resource(TRAIL, "org", {"s3BucketName": "someone-elses-bucket"})

    assert validate_stack(POLICY, [trail]) == []
