"""Quarantine the S3 object version a Macie finding names, once, without ever losing it.

Lambda handler `remediator.handler`, invoked asynchronously with
`{"finding": <Macie finding>, "approved_by": <optional approver>}`.
Environment: QUARANTINE_BUCKET, NOTIFY_TOPIC_ARN; optionally MULTIPART_THRESHOLD_BYTES (default
and maximum 5 GiB, CopyObject's limit) and MULTIPART_PART_SIZE_BYTES (default 512 MiB).

The version is copied to `<quarantine bucket>/<source bucket>/<source key>` with its metadata,
tagged with where it came from, the finding and the approver; the copy is verified (see
quarantine_copy) and only then is that source version deleted permanently. At every moment the
bytes exist in the source, in quarantine, or both. Any failure raises, so that the function's
dead-letter queue and alarm see it, and a retry finds its earlier copy through the tags: a
finding whose copy exists and whose source version is gone is already quarantined.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# mypy sees the package; Lambda and the tests load each file as a top-level module.
if TYPE_CHECKING:
    from . import quarantine_copy as copying
    from . import remediation_common as common
else:
    import quarantine_copy as copying
    import remediation_common as common

TAG_SOURCE_BUCKET = "quarantine:source-bucket"
TAG_SOURCE_KEY = "quarantine:source-key"
TAG_SOURCE_VERSION = "quarantine:source-version-id"
TAG_SOURCE_ETAG = "quarantine:source-etag"
TAG_FINDING = "quarantine:finding-id"
TAG_APPROVER = "quarantine:approved-by"
TAG_VALUE_LIMIT = 256
# S3 tag values allow letters, digits, spaces and these characters.
TAG_PUNCTUATION = frozenset(" +-=._:/@")
MAX_KEY_BYTES = 1024
DEFAULT_PART_SIZE = 512 * copying.MIB


@dataclass(frozen=True)
class Settings:
    quarantine_bucket: str
    topic_arn: str
    multipart_threshold: int
    part_size: int

    @classmethod
    def from_env(cls) -> Settings:
        threshold = _int_env("MULTIPART_THRESHOLD_BYTES", copying.SINGLE_COPY_LIMIT)
        part_size = _int_env("MULTIPART_PART_SIZE_BYTES", DEFAULT_PART_SIZE)
        if not 0 <= threshold <= copying.SINGLE_COPY_LIMIT:
            raise common.ConfigurationError("MULTIPART_THRESHOLD_BYTES must be 0 to 5 GiB")
        if not copying.MIN_PART_SIZE <= part_size <= copying.SINGLE_COPY_LIMIT:
            raise common.ConfigurationError("MULTIPART_PART_SIZE_BYTES must be 5 MiB to 5 GiB")
        return cls(
            quarantine_bucket=common.required_env("QUARANTINE_BUCKET"),
            topic_arn=common.required_env("NOTIFY_TOPIC_ARN"),
            multipart_threshold=threshold,
            part_size=part_size,
        )


def _int_env(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise common.ConfigurationError(f"{name} must be a number of bytes")
    return int(text)


@dataclass(frozen=True)
class PriorCopy:
    """A quarantine copy an earlier run made of the same source version (same version id and
    ETag): a retry, a second approval or another finding about the same bytes."""

    version_id: str | None
    source_version_id: str


@dataclass(frozen=True)
class Located:
    """What the source holds for the finding: the scanned version, or why there is none."""

    source: copying.SourceVersion | None
    changed: bool  # the key exists but no version of it has the scanned ETag and size


def handler(event: Any, context: Any) -> dict[str, Any]:
    settings = Settings.from_env()
    finding = event.get("finding") if isinstance(event, Mapping) else None
    target = common.AffectedObject.from_finding(finding)
    approver = approver_label(event.get("approved_by"))
    if target.bucket == settings.quarantine_bucket:
        return _refuse_quarantine_bucket(settings, target)
    s3 = common.aws_client("s3")
    destination_key = quarantine_key(target.bucket, target.key)
    located = locate_source(s3, target)
    source = located.source
    source_version = source.version_tag if source is not None else None
    prior = find_prior_copy(
        s3, settings.quarantine_bucket, destination_key, target.etag, source_version
    )
    if source is None and prior is not None:
        common.LOGGER.info("finding %s is already quarantined", target.finding_id)
        return {
            "status": "already_quarantined",
            "quarantine": _location(settings.quarantine_bucket, destination_key, prior.version_id),
        }
    if source is None:
        return _report_missing(settings, target, changed=located.changed)
    return _quarantine(s3, settings, target, source, approver, prior=prior)


def locate_source(s3: Any, target: common.AffectedObject) -> Located:
    """The version Macie scanned, recognised by its ETag and size.

    A finding that names a real version id pins it. Otherwise the object was written while the
    bucket was unversioned: it is the current object of an unversioned bucket, or the version
    "null" of a bucket whose versioning was turned on later (then newer versions may exist).
    """
    if target.named_version:
        candidates = [copying.head_source(s3, target.bucket, target.key, target.version_id)]
    else:
        current = copying.head_source(s3, target.bucket, target.key, None)
        candidates = [current]
        if current is None or current.version_id is not None:
            candidates.append(
                copying.head_source(s3, target.bucket, target.key, common.NULL_VERSION)
            )
    found = [candidate for candidate in candidates if candidate is not None]
    for candidate in found:
        if scanned_version(candidate, target):
            return Located(candidate, changed=False)
    return Located(None, changed=bool(found))


def scanned_version(source: copying.SourceVersion, target: common.AffectedObject) -> bool:
    return _plain_etag(source.etag) == target.etag and target.size in (None, source.size)


def _refuse_quarantine_bucket(settings: Settings, target: common.AffectedObject) -> dict[str, Any]:
    common.LOGGER.error(
        "finding %s names the quarantine bucket itself: nothing moved", target.finding_id
    )
    common.notify(
        settings.topic_arn,
        "Macie remediation: quarantine bucket named as source",
        {"status": "refused", "finding_id": target.finding_id, "object": target.uri},
    )
    return {"status": "refused"}


def _report_missing(
    settings: Settings, target: common.AffectedObject, *, changed: bool
) -> dict[str, Any]:
    status = "changed" if changed else "not_found"
    if changed:
        common.LOGGER.error(
            "finding %s: %s no longer holds the scanned ETag %s; nothing moved",
            target.finding_id,
            target.uri,
            target.etag,
        )
    else:
        common.LOGGER.warning("finding %s: %s no longer exists", target.finding_id, target.uri)
    subject = "object changed since the scan" if changed else "object not found"
    common.notify(
        settings.topic_arn,
        f"Macie remediation: {subject}",
        {
            "status": status,
            "finding_id": target.finding_id,
            "object": target.uri,
            "version_id": target.version_id,
            "etag": target.etag,
            "size": target.size,
        },
    )
    return {"status": status}


def _quarantine(
    s3: Any,
    settings: Settings,
    target: common.AffectedObject,
    source: copying.SourceVersion,
    approver: str,
    *,
    prior: PriorCopy | None,
) -> dict[str, Any]:
    plan = copying.plan_copy(source, settings.multipart_threshold, settings.part_size)
    destination = copying.Destination(
        bucket=settings.quarantine_bucket,
        key=quarantine_key(source.bucket, source.key),
        tagging=tag_header(quarantine_tags(source, target.finding_id, approver)),
    )
    copy = _reused_copy(s3, source, destination, plan, prior)
    try:
        if copy is None:
            copy = copying.copy_and_verify(s3, source, destination, plan)
    except copying.CopyVerificationError as error:
        common.LOGGER.error(
            "finding %s: copy not verified, source kept: %s", target.finding_id, error
        )
        raise
    try:
        delete_source(s3, source)
    except Exception:
        common.LOGGER.exception(
            "finding %s: copy verified but the source was not deleted", target.finding_id
        )
        raise
    quarantine = _location(copy.bucket, copy.key, copy.version_id)
    common.notify(
        settings.topic_arn,
        "Macie remediation: object quarantined",
        {
            "status": "quarantined",
            "finding_id": target.finding_id,
            "source": {
                "bucket": source.bucket,
                "key": source.key,
                "version_id": source.version_tag,
            },
            "quarantine": quarantine,
            "approved_by": approver,
            "size": source.size,
            "verified_with": plan.algorithm,
            "reused_earlier_copy": prior is not None and copy.version_id == prior.version_id,
        },
    )
    common.LOGGER.info("finding %s: quarantined %s", target.finding_id, target.uri)
    return {"status": "quarantined", "quarantine": quarantine}


def _reused_copy(
    s3: Any,
    source: copying.SourceVersion,
    destination: copying.Destination,
    plan: copying.CopyPlan,
    prior: PriorCopy | None,
) -> copying.QuarantineCopy | None:
    """An earlier copy of this very version, if it still proves to hold the same bytes."""
    if prior is None:
        return None
    copy = copying.QuarantineCopy(destination.bucket, destination.key, prior.version_id)
    try:
        copying.verify_copy(s3, source, copy, plan)
    except copying.CopyVerificationError as error:
        common.LOGGER.warning("earlier copy %s not reused: %s", prior.version_id, error)
        return None
    return copy


def delete_source(s3: Any, source: copying.SourceVersion) -> None:
    """Delete exactly the quarantined version, and check that its bytes are gone.

    A versioned source is deleted by version id. An unversioned one, or a "null" version that is
    the current one, is deleted only if it still has the copied ETag (If-Match; S3 evaluates it
    against the current version only); when that leaves a delete marker on top (versioning is on),
    the "null" version beneath is deleted by its id.
    """
    if source.version_id is not None:
        s3.delete_object(**source.locator)
    else:
        response = s3.delete_object(Bucket=source.bucket, Key=source.key, IfMatch=source.etag)
        if response.get("DeleteMarker"):
            s3.delete_object(Bucket=source.bucket, Key=source.key, VersionId=common.NULL_VERSION)
    left = copying.head_source(s3, source.bucket, source.key, source.version_id)
    if left is not None and _plain_etag(left.etag) == _plain_etag(source.etag):
        raise RuntimeError(f"s3://{source.bucket}/{source.key} still holds the quarantined bytes")


def find_prior_copy(
    s3: Any, bucket: str, key: str, etag: str, source_version: str | None
) -> PriorCopy | None:
    """A copy tagged with the source's ETag and, when the source is known, its version id."""
    wanted_etag = tag_value(etag)
    wanted_version = tag_value(source_version) if source_version is not None else None
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
        for version in page.get("Versions", []):
            if version["Key"] != key:
                continue
            version_id = _real_version(version["VersionId"])
            tags = _tags(s3, bucket, key, version_id)
            if tags.get(TAG_SOURCE_ETAG) != wanted_etag:
                continue
            if wanted_version is not None and tags.get(TAG_SOURCE_VERSION) != wanted_version:
                continue
            return PriorCopy(version_id=version_id, source_version_id=tags[TAG_SOURCE_VERSION])
    return None


def _tags(s3: Any, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
    located = {"Bucket": bucket, "Key": key}
    if version_id is not None:
        located["VersionId"] = version_id
    return {tag["Key"]: tag["Value"] for tag in s3.get_object_tagging(**located)["TagSet"]}


def quarantine_key(bucket: str, key: str) -> str:
    """`<bucket>/<key>`; a key too long for that is stored under its SHA-256 instead."""
    candidate = f"{bucket}/{key}"
    if len(candidate.encode("utf-8")) <= MAX_KEY_BYTES:
        return candidate
    return f"{bucket}/long-keys/{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def quarantine_tags(
    source: copying.SourceVersion, finding_id: str, approver: str
) -> dict[str, str]:
    return {
        TAG_SOURCE_BUCKET: tag_value(source.bucket),
        TAG_SOURCE_KEY: tag_value(source.key),
        TAG_SOURCE_VERSION: tag_value(source.version_tag),
        TAG_SOURCE_ETAG: tag_value(_plain_etag(source.etag)),
        TAG_FINDING: tag_value(finding_id),
        TAG_APPROVER: tag_value(approver),
    }


def tag_value(text: str) -> str:
    """Text made fit for an S3 tag value: other characters become "_", and a value over 256
    characters is cut and ends with a hash of the whole text, so distinct values stay distinct."""
    safe = "".join(c if c.isalnum() or c in TAG_PUNCTUATION else "_" for c in text)
    if len(safe) <= TAG_VALUE_LIMIT:
        return safe
    # surrogatepass: an approver's name from Slack's JSON may hold a lone surrogate escape.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{safe[: TAG_VALUE_LIMIT - len(digest) - 1]}:{digest}"


def tag_header(tags: Mapping[str, str]) -> str:
    """The x-amz-tagging form: URL query syntax with every reserved character escaped."""
    return urllib.parse.urlencode(tags, safe="", quote_via=urllib.parse.quote)


def approver_label(approved_by: object) -> str:
    if approved_by is None:
        return "automatic"
    if isinstance(approved_by, Mapping) and approved_by.get("slack_user_id"):
        name = approved_by.get("slack_user_name")
        return f"slack:{approved_by['slack_user_id']}" + (f"/{name}" if name else "")
    if isinstance(approved_by, str):
        return approved_by
    return json.dumps(approved_by, sort_keys=True, default=str)


def _plain_etag(etag: str) -> str:
    return etag.strip('"')


def _real_version(version_id: str | None) -> str | None:
    return None if version_id in (None, common.NULL_VERSION) else version_id


def _location(bucket: str, key: str, version_id: str | None) -> dict[str, Any]:
    return {"bucket": bucket, "key": key, "version_id": version_id}
