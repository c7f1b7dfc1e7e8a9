"""remediator: version-exact, verified, idempotent quarantine; failures never lose the object."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

from tests.capabilities.macie import remediation_calls
from tests.capabilities.macie.remediation_harness import (
    REGION,
    alerts_topic_with_reader,
    client,
    common,
    fixture,
    lambda_container,
    published,
    quarantine_copy,
    remediator,
)

SOURCE = "amzn-s3-demo-bucket"
QUARANTINE = "quarantine-111122223333"
KEY = "deploy/ci keys+old#2 ?é.txt"
FINDING_ID = "3ce05dbb7ec5505def334104bf2fe7f8"
MIB = 1024 * 1024
APPROVAL = {"slack_user_id": "U04ABCD1234", "slack_user_name": "jdoe"}


def finding(
    key: str = KEY,
    version_id: str = "",
    bucket: str = SOURCE,
    scanned: str | None = None,
    *,
    in_moto: bool = True,
) -> dict[str, Any]:
    """The remediator's input shape, from a real Macie finding, pointed at a moto object.

    Macie reports the scanned version's eTag and size: taken from `scanned` (a version id, "" for
    the current object) or else from the version named, when it exists. Outside moto
    (`in_moto=False`: tests that fail before any AWS call) the fixture's values stay.
    """
    detail = fixture("finding_credentials_high")["detail"]
    resources = detail["resourcesAffected"]
    resources["s3Bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    s3_object = resources["s3Object"]
    s3_object.update(key=key, versionId=version_id, path=f"{bucket}/{key}")
    located = {"Bucket": bucket, "Key": key}
    version = version_id if scanned is None else scanned
    if not in_moto:
        return {name: detail[name] for name in ("id", "type", "severity", "resourcesAffected")}
    try:
        head = client("s3").head_object(**located, **({"VersionId": version} if version else {}))
        s3_object.update(eTag=head["ETag"].strip('"'), size=head["ContentLength"])
    except (ClientError, ParamValidationError):
        pass  # no such object: the fixture's eTag and size stay
    return {name: detail[name] for name in ("id", "type", "severity", "resourcesAffected")}


def put_versions(*bodies: bytes, key: str = KEY, **extra: Any) -> list[str]:
    return [
        client("s3").put_object(Bucket=SOURCE, Key=key, Body=body, **extra)["VersionId"]
        for body in bodies
    ]


def versions(bucket: str, key: str) -> dict[str, bytes]:
    """Every version of exactly this key, by version id, with its bytes."""
    listed = client("s3").list_object_versions(Bucket=bucket, Prefix=key).get("Versions", [])
    return {
        v["VersionId"]: client("s3")
        .get_object(Bucket=bucket, Key=key, VersionId=v["VersionId"])["Body"]
        .read()
        for v in listed
        if v["Key"] == key
    }


def tags(bucket: str, key: str, version_id: str | None = None) -> dict[str, str]:
    located = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
    return {t["Key"]: t["Value"] for t in client("s3").get_object_tagging(**located)["TagSet"]}


class Env:
    def __init__(self, queue_url: str, quarantine_key_id: str) -> None:
        self.queue_url = queue_url
        self.quarantine_key_id = quarantine_key_id
        self.hooks: list[tuple[str, Callable[..., Any]]] = []

    def notifications(self) -> list[dict[str, Any]]:
        return published(self.queue_url)

    def inject(self, event_name: str, hook: Callable[..., Any]) -> None:
        """Change what the remediator's own S3 client sends or receives."""
        common.aws_client("s3").meta.events.register(event_name, hook)
        self.hooks.append((event_name, hook))

    def remove_injections(self) -> None:
        for event_name, hook in self.hooks:
            common.aws_client("s3").meta.events.unregister(event_name, hook)
        self.hooks.clear()


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The remediator's environment, for tests that fail before any AWS call."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("QUARANTINE_BUCKET", QUARANTINE)
    monkeypatch.setenv("NOTIFY_TOPIC_ARN", f"arn:aws:sns:{REGION}:123456789012:alerts")
    monkeypatch.delenv("MULTIPART_THRESHOLD_BYTES", raising=False)
    monkeypatch.delenv("MULTIPART_PART_SIZE_BYTES", raising=False)


@pytest.fixture
def env(settings: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    with lambda_container(monkeypatch):
        s3 = client("s3")
        location = {"LocationConstraint": REGION}
        for bucket in (SOURCE, QUARANTINE):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=location)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        quarantine_key_id = client("kms").create_key(Description="quarantine")["KeyMetadata"]["Arn"]
        s3.put_bucket_encryption(
            Bucket=QUARANTINE,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": quarantine_key_id,
                        }
                    }
                ]
            },
        )
        topic_arn, queue_url = alerts_topic_with_reader()
        monkeypatch.setenv("NOTIFY_TOPIC_ARN", topic_arn)
        state = Env(queue_url, quarantine_key_id)
        remediator_clients = {service: common.aws_client(service) for service in ("s3", "sns")}
        with remediation_calls.recorded(remediator_clients) as calls:
            yield state
        state.remove_injections()
    # Every AWS call the remediator made must be one that the prod plan's role, bucket, key and
    # topic policies (and a data owner's, for the source bucket) allow.
    wanted = remediation_calls.needs(calls, QUARANTINE)
    assert remediation_calls.prod_policies().refusals(wanted) == []


UPLOAD_PART_COPY = "provide-client-params.s3.UploadPartCopy"


def copying_range(part: int, byte_range: str) -> Callable[..., None]:
    """A hook that makes the remediator copy `byte_range` of the source into part `part`."""

    def rewrite(params: dict[str, Any], **_: Any) -> None:
        if params["PartNumber"] == part:
            params["CopySourceRange"] = byte_range

    return rewrite


def quarantine(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = remediator.handler(event, None)
    return result


# --- the exact version, and only it ------------------------------------------------------------


def test_the_named_version_is_moved_to_quarantine_and_the_others_stay(env: Env) -> None:
    v1, v2, v3 = put_versions(
        b"first",
        b"AKIAIOSFODNN7EXAMPLE",
        b"third",
        ContentType="text/plain",
        Metadata={"owner": "ci"},
    )

    result = quarantine({"finding": finding(version_id=v2), "approved_by": APPROVAL})

    destination = f"{SOURCE}/{KEY}"
    [copy_version] = versions(QUARANTINE, destination)
    assert result == {
        "status": "quarantined",
        "quarantine": {"bucket": QUARANTINE, "key": destination, "version_id": copy_version},
    }
    assert versions(SOURCE, KEY) == {v1: b"first", v3: b"third"}
    copied = client("s3").get_object(Bucket=QUARANTINE, Key=destination, VersionId=copy_version)
    assert copied["Body"].read() == b"AKIAIOSFODNN7EXAMPLE"
    assert (copied["ContentType"], copied["Metadata"]) == ("text/plain", {"owner": "ci"})
    assert tags(QUARANTINE, destination, copy_version) == {
        "quarantine:source-bucket": SOURCE,
        "quarantine:source-key": "deploy/ci keys+old_2 _é.txt",
        "quarantine:source-version-id": v2,
        "quarantine:source-etag": copied["ETag"].strip('"'),
        "quarantine:finding-id": FINDING_ID,
        "quarantine:approved-by": "slack:U04ABCD1234/jdoe",
    }
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: object quarantined"
    assert notification["message"]["source"] == {"bucket": SOURCE, "key": KEY, "version_id": v2}
    assert notification["message"]["verified_with"] == "SHA256"


def test_without_a_named_version_the_current_one_is_quarantined(env: Env) -> None:
    v1, v2 = put_versions(b"old", b"current")

    result = quarantine({"finding": finding(version_id="")})

    assert result["status"] == "quarantined"
    assert versions(SOURCE, KEY) == {v1: b"old"}
    copy_version = result["quarantine"]["version_id"]
    assert tags(QUARANTINE, f"{SOURCE}/{KEY}", copy_version)["quarantine:source-version-id"] == v2
    assert tags(QUARANTINE, f"{SOURCE}/{KEY}", copy_version)["quarantine:approved-by"] == (
        "automatic"
    )


@pytest.mark.parametrize(
    "key",
    [
        "a b+c#d?e ü/ключ.txt",
        "plus+only",
        "hash#?query=1&x",
        "unicode/日本語 ファイル.csv",
        "trailing space ",
        "percent%20literal",
        "../dots/./x",
    ],
)
def test_keys_with_special_characters_are_quarantined_exactly(env: Env, key: str) -> None:
    [version] = put_versions(b"secret", key=key)

    result = quarantine({"finding": finding(key=key, version_id=version)})

    assert result["quarantine"]["key"] == f"{SOURCE}/{key}"
    assert versions(QUARANTINE, f"{SOURCE}/{key}") == {
        result["quarantine"]["version_id"]: b"secret"
    }
    assert versions(SOURCE, key) == {}


def test_an_sse_kms_object_is_copied_under_the_quarantine_buckets_key(env: Env) -> None:
    source_key = client("kms").create_key(Description="source")["KeyMetadata"]["Arn"]
    [version] = put_versions(b"kms secret", ServerSideEncryption="aws:kms", SSEKMSKeyId=source_key)

    result = quarantine({"finding": finding(version_id=version)})

    head = client("s3").head_object(
        Bucket=QUARANTINE,
        Key=result["quarantine"]["key"],
        VersionId=result["quarantine"]["version_id"],
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == env.quarantine_key_id
    assert versions(SOURCE, KEY) == {}


def test_a_source_carrying_sha256_is_verified_with_another_algorithm(env: Env) -> None:
    [version] = put_versions(b"sha256 upload", ChecksumAlgorithm="SHA256")

    assert quarantine({"finding": finding(version_id=version)})["status"] == "quarantined"
    assert env.notifications()[0]["message"]["verified_with"] == "SHA1"


def test_a_key_too_long_for_the_prefix_goes_under_its_hash(env: Env) -> None:
    key = "k/" + "x" * 1010
    [version] = put_versions(b"long", key=key)

    result = quarantine({"finding": finding(key=key, version_id=version)})

    destination = result["quarantine"]["key"]
    assert destination.startswith(f"{SOURCE}/long-keys/")
    assert len(destination.encode()) <= 1024
    source_key_tag = tags(QUARANTINE, destination)["quarantine:source-key"]
    assert len(source_key_tag) == 256
    assert source_key_tag.startswith("k/xxx")


# --- once per finding ------------------------------------------------------------------------


def test_a_second_run_for_the_same_finding_changes_nothing(env: Env) -> None:
    v1, v2 = put_versions(b"old", b"current")
    event = {"finding": finding(version_id=""), "approved_by": APPROVAL}
    first = quarantine(event)
    env.notifications()
    before = (versions(SOURCE, KEY), versions(QUARANTINE, f"{SOURCE}/{KEY}"))

    second = quarantine(event)

    assert second == {"status": "already_quarantined", "quarantine": first["quarantine"]}
    # The current version is now v1: it must not be taken for the finding's object.
    assert (versions(SOURCE, KEY), versions(QUARANTINE, f"{SOURCE}/{KEY}")) == before
    assert versions(SOURCE, KEY) == {v1: b"old"}
    [copy_version] = before[1]
    assert tags(QUARANTINE, f"{SOURCE}/{KEY}", copy_version)["quarantine:source-version-id"] == v2
    assert env.notifications() == []


def test_another_finding_on_the_same_key_is_not_mistaken_for_this_one(env: Env) -> None:
    v1, v2 = put_versions(b"one", b"two")
    quarantine({"finding": finding(version_id=v2)})
    other = finding(version_id=v1)
    other["id"] = "77777777777777777777777777777777"

    result = quarantine({"finding": other})

    assert result["status"] == "quarantined"
    assert versions(SOURCE, KEY) == {}
    assert sorted(versions(QUARANTINE, f"{SOURCE}/{KEY}").values()) == [b"one", b"two"]


def test_an_object_that_is_gone_is_not_found(env: Env) -> None:
    [version] = put_versions(b"x")
    client("s3").delete_object(Bucket=SOURCE, Key=KEY, VersionId=version)

    assert quarantine({"finding": finding(version_id=version)}) == {"status": "not_found"}
    assert versions(QUARANTINE, f"{SOURCE}/{KEY}") == {}
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: object not found"


def test_a_current_object_behind_a_delete_marker_is_not_found(env: Env) -> None:
    put_versions(b"x")
    client("s3").delete_object(Bucket=SOURCE, Key=KEY)

    assert quarantine({"finding": finding(version_id="")}) == {"status": "not_found"}


def test_an_unversioned_bucket_is_quarantined_once_and_a_new_upload_is_left_alone(
    env: Env,
) -> None:
    bucket = "amzn-s3-demo-bucket1"
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"personal data")
    event = {"finding": finding(bucket=bucket, version_id="")}

    first = quarantine(event)
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"a new, unrelated upload")
    second = quarantine(event)

    assert first["status"] == "quarantined"
    assert tags(QUARANTINE, f"{bucket}/{KEY}")["quarantine:source-version-id"] == "null"
    assert second["status"] == "already_quarantined"
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == b"a new, unrelated upload"


# --- multipart copy ------------------------------------------------------------------------------


@pytest.fixture
def small_multipart(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Objects over 5 MiB take the multipart path in 5 MiB parts (S3's minimum part size)."""
    monkeypatch.setenv("MULTIPART_THRESHOLD_BYTES", str(5 * MIB))
    monkeypatch.setenv("MULTIPART_PART_SIZE_BYTES", str(5 * MIB))
    return os.urandom(5 * MIB + 1000)


def put_without_checksum(body: bytes) -> str:
    plain = boto3.client(
        "s3", region_name=REGION, config=Config(request_checksum_calculation="when_required")
    )
    version: str = plain.put_object(Bucket=SOURCE, Key=KEY, Body=body)["VersionId"]
    return version


@pytest.mark.parametrize(
    ("upload", "verified_with"),
    [
        (
            lambda body: put_versions(body, ContentType="application/zip", Metadata={"m": "1"})[0],
            "CRC32",
        ),
        (put_without_checksum, "SHA256"),
    ],
    ids=["full-object-crc", "streamed-sha256-composite"],
)
def test_large_objects_are_copied_in_parts_and_verified(
    env: Env, small_multipart: bytes, upload: Callable[[bytes], str], verified_with: str
) -> None:
    version = upload(small_multipart)
    part_copies: list[str] = []
    env.inject(UPLOAD_PART_COPY, lambda params, **_: part_copies.append(params["CopySourceRange"]))

    result = quarantine({"finding": finding(version_id=version)})

    assert result["status"] == "quarantined"
    assert sorted(part_copies, key=len) == [
        f"bytes=0-{5 * MIB - 1}",
        f"bytes={5 * MIB}-{5 * MIB + 999}",
    ]
    destination = result["quarantine"]["key"]
    assert versions(QUARANTINE, destination) == {
        result["quarantine"]["version_id"]: small_multipart
    }
    assert tags(QUARANTINE, destination)["quarantine:source-version-id"] == version
    assert versions(SOURCE, KEY) == {}
    assert env.notifications()[0]["message"]["verified_with"] == verified_with


def test_multipart_metadata_is_kept(env: Env, small_multipart: bytes) -> None:
    [version] = put_versions(
        small_multipart,
        ContentType="application/zip",
        Metadata={"owner": "ci"},
        CacheControl="no-store",
    )

    result = quarantine({"finding": finding(version_id=version)})

    head = client("s3").head_object(Bucket=QUARANTINE, Key=result["quarantine"]["key"])
    assert (head["ContentType"], head["Metadata"], head["CacheControl"]) == (
        "application/zip",
        {"owner": "ci"},
        "no-store",
    )


def test_part_size_grows_so_that_no_object_needs_more_than_10000_parts() -> None:
    source = quarantine_copy.SourceVersion(
        bucket=SOURCE,
        key=KEY,
        version_id="v",
        etag='"e"',
        size=5 * 1024**4,
        checksums={},
        checksum_type=None,
        content_settings={},
    )
    plan = quarantine_copy.plan_copy(source, 5 * 1024**3, 512 * MIB)
    assert len(plan.part_sizes) <= 10_000
    assert sum(plan.part_sizes) == 5 * 1024**4
    assert plan.multipart


# --- failures never lose the object ------------------------------------------------------------


def test_a_copy_of_other_bytes_fails_verification_and_the_source_stays(env: Env) -> None:
    v1, v2 = put_versions(b"clean-data", b"secret-key")  # same size, other bytes

    def copy_the_wrong_version(params: dict[str, Any], **_: Any) -> None:
        params["CopySource"] = {**params["CopySource"], "VersionId": v1}
        params.pop("CopySourceIfMatch")

    env.inject("provide-client-params.s3.CopyObject", copy_the_wrong_version)

    with pytest.raises(quarantine_copy.CopyVerificationError, match="SHA256 checksum"):
        quarantine({"finding": finding(version_id=v2)})

    assert versions(SOURCE, KEY) == {v1: b"clean-data", v2: b"secret-key"}
    assert env.notifications() == []


def test_a_shifted_part_fails_verification_and_a_retry_finishes_the_job(
    env: Env, small_multipart: bytes
) -> None:
    [version] = put_versions(small_multipart)
    env.inject(UPLOAD_PART_COPY, copying_range(part=1, byte_range=f"bytes=1-{5 * MIB}"))
    with pytest.raises(quarantine_copy.CopyVerificationError, match="CRC32 checksum"):
        quarantine({"finding": finding(version_id=version)})
    assert versions(SOURCE, KEY) == {version: small_multipart}

    env.remove_injections()
    result = quarantine({"finding": finding(version_id=version)})

    assert result["status"] == "quarantined"
    assert versions(SOURCE, KEY) == {}
    copies = versions(QUARANTINE, result["quarantine"]["key"])
    assert copies[result["quarantine"]["version_id"]] == small_multipart


def test_a_short_copy_fails_verification_on_size(env: Env, small_multipart: bytes) -> None:
    version = put_without_checksum(small_multipart)
    # One byte short of the part's end: the copy loses the object's last byte.
    env.inject(
        UPLOAD_PART_COPY, copying_range(part=2, byte_range=f"bytes={5 * MIB}-{5 * MIB + 998}")
    )

    with pytest.raises(quarantine_copy.CopyVerificationError, match="bytes, the source"):
        quarantine({"finding": finding(version_id=version)})
    assert versions(SOURCE, KEY) == {version: small_multipart}


def test_a_failed_delete_keeps_the_object_and_raises_and_a_retry_completes(env: Env) -> None:
    v1, v2 = put_versions(b"keep", b"secret")

    def deny_delete(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "AccessDenied", "Message": "Access Denied"}
        return AWSResponse("https://s3", 403, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    env.inject("before-call.s3.DeleteObject", deny_delete)
    event = {"finding": finding(version_id=v2)}

    with pytest.raises(ClientError, match="AccessDenied"):
        quarantine(event)
    assert versions(SOURCE, KEY) == {v1: b"keep", v2: b"secret"}
    assert list(versions(QUARANTINE, f"{SOURCE}/{KEY}").values()) == [b"secret"]

    env.remove_injections()
    assert quarantine(event)["status"] == "quarantined"
    assert versions(SOURCE, KEY) == {v1: b"keep"}
    assert quarantine(event)["status"] == "already_quarantined"


# --- tags, input and configuration ----------------------------------------------------------


def test_tag_values_keep_to_s3s_characters_and_length() -> None:
    assert remediator.tag_value("a#b?c%d&e=f+g h/ü@x:y") == "a_b_c_d_e=f+g h/ü@x:y"
    long_a, long_b = remediator.tag_value("x" * 300 + "a"), remediator.tag_value("x" * 300 + "b")
    assert len(long_a) == len(long_b) == 256
    assert long_a != long_b


def test_the_tagging_header_round_trips() -> None:
    tag_set = {"quarantine:source-key": "a b+c/ü", "quarantine:approved-by": "slack:U1/j=d"}
    header = remediator.tag_header(tag_set)
    assert dict(urllib.parse.parse_qsl(header, strict_parsing=True)) == tag_set
    assert "+" not in header.replace("%2B", "")


@pytest.mark.parametrize(
    "event",
    [{}, {"finding": {"id": FINDING_ID}}, {"finding": finding(key="", in_moto=False)}, "x"],
)
def test_an_event_without_a_usable_finding_raises(settings: None, event: Any) -> None:
    with pytest.raises(common.MalformedFindingError):
        remediator.handler(event, None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MULTIPART_PART_SIZE_BYTES", str(MIB)),
        ("MULTIPART_THRESHOLD_BYTES", str(6 * 1024**3)),
        ("MULTIPART_THRESHOLD_BYTES", "five"),
        ("QUARANTINE_BUCKET", ""),
    ],
)
def test_an_invalid_configuration_fails_loudly(
    settings: None, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(common.ConfigurationError):
        remediator.handler({"finding": finding(version_id="v", in_moto=False)}, None)


# --- hostile and awkward input (issue 17) ----------------------------------------------------


def new_bucket(name: str) -> str:
    """An unversioned source bucket."""
    location = {"LocationConstraint": REGION}
    client("s3").create_bucket(Bucket=name, CreateBucketConfiguration=location)
    return name


@pytest.mark.parametrize("reported_version", ["null", ""], ids=["null", "empty"])
def test_a_version_written_before_versioning_is_quarantined_and_the_clean_one_stays(
    env: Env, reported_version: str
) -> None:
    bucket = new_bucket("amzn-s3-demo-bucket2")
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"AKIAIOSFODNN7EXAMPLE")
    # Macie scans the object while the bucket is unversioned: its eTag and size are the current.
    event = {"finding": finding(bucket=bucket, version_id=reported_version, scanned="")}
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    clean = s3.put_object(Bucket=bucket, Key=KEY, Body=b"clean")["VersionId"]

    result = quarantine(event)

    assert result["status"] == "quarantined"
    destination = f"{bucket}/{KEY}"
    assert versions(QUARANTINE, destination) == {
        result["quarantine"]["version_id"]: b"AKIAIOSFODNN7EXAMPLE"
    }
    assert tags(QUARANTINE, destination)["quarantine:source-version-id"] == "null"
    assert versions(bucket, KEY) == {clean: b"clean"}
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == b"clean"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key=KEY, VersionId="null")
    assert quarantine(event)["status"] == "already_quarantined"
    assert versions(bucket, KEY) == {clean: b"clean"}


def test_an_unversioned_object_replaced_after_the_scan_is_left_alone(env: Env) -> None:
    bucket = new_bucket("amzn-s3-demo-bucket3")
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"scanned secret")
    event = {"finding": finding(bucket=bucket)}
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"replaced, never scanned")

    assert quarantine(event) == {"status": "changed"}

    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == b"replaced, never scanned"
    assert versions(QUARANTINE, f"{bucket}/{KEY}") == {}
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: object changed since the scan"
    assert notification["message"]["status"] == "changed"


def test_a_named_version_whose_size_differs_from_the_finding_is_left_alone(env: Env) -> None:
    [version] = put_versions(b"twelve bytes")
    event = {"finding": finding(version_id=version)}
    event["finding"]["resourcesAffected"]["s3Object"]["size"] = 13

    assert quarantine(event) == {"status": "changed"}
    assert versions(SOURCE, KEY) == {version: b"twelve bytes"}


def test_the_quarantine_bucket_is_never_a_source(env: Env) -> None:
    key = f"{SOURCE}/{KEY}"
    client("s3").put_object(Bucket=QUARANTINE, Key=key, Body=b"already quarantined")
    event = {"finding": finding(bucket=QUARANTINE, key=key)}

    assert quarantine(event) == {"status": "refused"}

    assert list(versions(QUARANTINE, key).values()) == [b"already quarantined"]
    assert versions(QUARANTINE, f"{QUARANTINE}/{key}") == {}
    [notification] = env.notifications()
    assert notification["subject"] == "Macie remediation: quarantine bucket named as source"


def deny(operation: str) -> Callable[..., tuple[AWSResponse, dict[str, Any]]]:
    def refuse(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "AccessDenied", "Message": f"{operation} denied"}
        return AWSResponse("https://s3", 403, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    return refuse


def test_a_delete_that_keeps_failing_leaves_one_copy(env: Env) -> None:
    _, flagged = put_versions(b"keep", b"secret")
    env.inject("before-call.s3.DeleteObject", deny("DeleteObject"))
    event = {"finding": finding(version_id=flagged)}

    for _ in range(3):
        with pytest.raises(ClientError, match="AccessDenied"):
            quarantine(event)

    assert list(versions(QUARANTINE, f"{SOURCE}/{KEY}").values()) == [b"secret"]
    env.remove_injections()
    result = quarantine(event)
    assert result["status"] == "quarantined"
    assert list(versions(QUARANTINE, f"{SOURCE}/{KEY}")) == [result["quarantine"]["version_id"]]
    assert env.notifications()[-1]["message"]["reused_earlier_copy"] is True


def test_an_earlier_copy_that_no_longer_verifies_is_not_reused(env: Env) -> None:
    [flagged] = put_versions(b"secret")
    env.inject("before-call.s3.DeleteObject", deny("DeleteObject"))
    event = {"finding": finding(version_id=flagged)}
    with pytest.raises(ClientError):
        quarantine(event)
    env.remove_injections()

    def strip_checksums(parsed: dict[str, Any], **_: Any) -> None:
        for name in [name for name in parsed if name.startswith("Checksum")]:
            del parsed[name]

    env.inject("after-call.s3.HeadObject", strip_checksums)
    with pytest.raises(quarantine_copy.CopyVerificationError, match="no SHA256 checksum"):
        quarantine(event)

    assert len(versions(QUARANTINE, f"{SOURCE}/{KEY}")) == 2  # the new copy, not the old
    assert versions(SOURCE, KEY) == {flagged: b"secret"}


def test_another_finding_about_quarantined_bytes_is_already_quarantined(env: Env) -> None:
    [flagged] = put_versions(b"secret")
    first = finding(version_id=flagged)
    assert quarantine({"finding": first})["status"] == "quarantined"
    second = {**first, "id": "88888888888888888888888888888888"}

    assert quarantine({"finding": second})["status"] == "already_quarantined"
    assert len(versions(QUARANTINE, f"{SOURCE}/{KEY}")) == 1


def test_an_unversioned_object_is_deleted_only_if_it_still_has_the_copied_etag(env: Env) -> None:
    bucket = new_bucket("amzn-s3-demo-bucket4")
    etag = client("s3").put_object(Bucket=bucket, Key=KEY, Body=b"secret")["ETag"]
    deletes: list[dict[str, Any]] = []
    # moto ignores If-Match on DeleteObject: what the remediator sends is what S3 would judge.
    env.inject("provide-client-params.s3.DeleteObject", lambda params, **_: deletes.append(params))

    assert quarantine({"finding": finding(bucket=bucket)})["status"] == "quarantined"
    assert deletes == [{"Bucket": bucket, "Key": KEY, "IfMatch": etag}]


def test_a_failed_if_match_on_delete_keeps_the_object_and_raises(env: Env) -> None:
    bucket = new_bucket("amzn-s3-demo-bucket5")
    client("s3").put_object(Bucket=bucket, Key=KEY, Body=b"secret")

    def precondition_failed(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        error = {"Code": "PreconditionFailed", "Message": "At least one precondition failed"}
        return AWSResponse("https://s3", 412, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 412},
        }

    env.inject("before-call.s3.DeleteObject", precondition_failed)
    with pytest.raises(ClientError, match="PreconditionFailed"):
        quarantine({"finding": finding(bucket=bucket)})
    assert client("s3").get_object(Bucket=bucket, Key=KEY)["Body"].read() == b"secret"


def test_a_copy_whose_head_has_no_checksum_is_not_verified(env: Env) -> None:
    [version] = put_versions(b"secret")

    def strip_checksums(parsed: dict[str, Any], **_: Any) -> None:
        for name in [name for name in parsed if name.startswith("Checksum")]:
            del parsed[name]

    env.inject("after-call.s3.HeadObject", strip_checksums)
    with pytest.raises(quarantine_copy.CopyVerificationError, match="checksum"):
        quarantine({"finding": finding(version_id=version)})
    assert versions(SOURCE, KEY) == {version: b"secret"}


@pytest.mark.parametrize(
    ("key", "kept"),
    [
        ("k" * (1024 - len(SOURCE) - 1), True),  # exactly 1,024 bytes with the prefix
        ("k" * (1024 - len(SOURCE)), False),  # 1,025
        ("é" * ((1024 - len(SOURCE) - 1) // 2), True),  # two bytes a character
        ("é" * ((1024 - len(SOURCE) - 1) // 2 + 1), False),  # fewer than 1,024 characters
    ],
    ids=["1024-bytes", "1025-bytes", "multibyte-fits", "multibyte-over"],
)
def test_the_1024_byte_key_limit_is_counted_in_utf8_bytes(key: str, kept: bool) -> None:
    destination = remediator.quarantine_key(SOURCE, key)
    assert (destination == f"{SOURCE}/{key}") is kept
    assert len(destination.encode("utf-8")) <= 1024
    if not kept:
        assert destination.startswith(f"{SOURCE}/long-keys/")


def test_a_delete_that_reports_success_but_leaves_the_bytes_is_never_called_quarantined(
    env: Env,
) -> None:
    [version] = put_versions(b"secret")

    def pretend_to_delete(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://s3", 204, {}, None), {
            "ResponseMetadata": {"HTTPStatusCode": 204}
        }

    env.inject("before-call.s3.DeleteObject", pretend_to_delete)

    with pytest.raises(RuntimeError, match="still holds the quarantined bytes"):
        quarantine({"finding": finding(version_id=version)})
    assert versions(SOURCE, KEY) == {version: b"secret"}
    assert env.notifications() == []
