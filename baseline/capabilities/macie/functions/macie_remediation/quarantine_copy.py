"""Copy one S3 object version into quarantine and prove that the copy holds the same bytes.

How a copy is verified, and why this way:

- Size: the copy's ContentLength must equal the source version's.
- Content: the copy is made with a checksum algorithm that S3 has to compute from the bytes it
  writes, and that value must equal one derived from the source independently:
  - A single CopyObject (objects up to the multipart threshold, at most 5 GiB) asks for SHA-256,
    or SHA-1 when the source already carries a SHA-256: S3 documents that a copy takes over the
    source's checksum when the algorithm is the same, and a value carried over proves nothing
    about the bytes written. The expected digest is computed here, streaming the source version.
  - A multipart copy of a source that carries a full-object CRC (CRC64NVME, S3's default since
    2024, CRC32 or CRC32C) asks for the same CRC as a FULL_OBJECT checksum: S3 combines the
    CRCs of the parts it copied, which cannot be carried over, and the result must equal the CRC
    the source was stored with. This avoids reading objects larger than 5 GiB in Lambda.
  - Any other multipart copy asks for SHA-256, whose object value is then COMPOSITE (the
    SHA-256 of the parts' SHA-256s, suffixed with the part count); the expected value is
    computed here from the source version, streamed and hashed over the same part ranges.
- Not ETags: the quarantine bucket encrypts with SSE-KMS, under which an ETag is not an MD5 of
  the content, and a multipart ETag depends on the part boundaries. ETags would fail sound
  copies and prove nothing for multipart ones.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

# mypy sees the package; Lambda and the tests load each file as a top-level module.
if TYPE_CHECKING:
    from . import remediation_common as common
else:
    import remediation_common as common

MIB = 1024**2
GIB = 1024**3
SINGLE_COPY_LIMIT = 5 * GIB
MIN_PART_SIZE = 5 * MIB
MAX_PARTS = 10_000
PART_COPY_WORKERS = 8
READ_CHUNK = 8 * MIB
CRC_ALGORITHMS = ("CRC64NVME", "CRC32C", "CRC32")
CHECKSUM_ALGORITHMS = (*CRC_ALGORITHMS, "SHA256", "SHA1")
HASH_NAMES = {"SHA256": "sha256", "SHA1": "sha1"}
CONTENT_SETTINGS = (
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "Expires",
    "Metadata",
    "WebsiteRedirectLocation",
)
MISSING_STATUSES = frozenset({404, 405})  # no such key or version; 405: a delete marker


class CopyVerificationError(RuntimeError):
    """The quarantine copy does not match the source version: the source must stay."""


@dataclass(frozen=True)
class SourceVersion:
    bucket: str
    key: str
    # A real version id or "null", exactly as asked for; None: the current object, which is the
    # version "null" (an unversioned bucket, or one written before versioning was turned on).
    version_id: str | None
    etag: str
    size: int
    checksums: Mapping[str, str]
    checksum_type: str | None
    content_settings: Mapping[str, Any]

    @property
    def version_tag(self) -> str:
        return self.version_id or common.NULL_VERSION

    @property
    def locator(self) -> dict[str, str]:
        """Bucket, Key and VersionId as S3 API parameters (also a CopySource)."""
        located = {"Bucket": self.bucket, "Key": self.key}
        if self.version_id is not None:
            located["VersionId"] = self.version_id
        return located

    def full_object_crc(self) -> tuple[str, str] | None:
        if self.checksum_type not in (None, "FULL_OBJECT"):
            return None
        for algorithm in CRC_ALGORITHMS:
            value = self.checksums.get(algorithm)
            if value and "-" not in value:  # "<value>-<parts>" is a composite checksum
                return algorithm, value
        return None


@dataclass(frozen=True)
class Destination:
    bucket: str
    key: str
    tagging: str  # x-amz-tagging form


@dataclass(frozen=True)
class QuarantineCopy:
    bucket: str
    key: str
    version_id: str | None


@dataclass(frozen=True)
class CopyPlan:
    algorithm: str
    part_sizes: tuple[int, ...]
    multipart: bool
    # Known before copying (the source's full-object CRC); otherwise computed from the source.
    known_checksum: str | None


def head_source(s3: Any, bucket: str, key: str, version_id: str | None) -> SourceVersion | None:
    """The source version, or None when it (or, without a version id, the object) is gone."""
    located = {"Bucket": bucket, "Key": key}
    if version_id is not None:
        located["VersionId"] = version_id
    try:
        head = s3.head_object(**located, ChecksumMode="ENABLED")
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in MISSING_STATUSES:
            return None
        raise
    found_version = head.get("VersionId")
    if version_id is None and found_version != common.NULL_VERSION:
        version_id = found_version
    return SourceVersion(
        bucket=bucket,
        key=key,
        version_id=version_id,
        etag=head["ETag"],
        size=int(head["ContentLength"]),
        checksums={
            name: head[f"Checksum{name}"]
            for name in CHECKSUM_ALGORITHMS
            if head.get(f"Checksum{name}")
        },
        checksum_type=head.get("ChecksumType"),
        content_settings={
            name: head[name] for name in CONTENT_SETTINGS if head.get(name) is not None
        },
    )


def plan_copy(source: SourceVersion, multipart_threshold: int, part_size: int) -> CopyPlan:
    if source.size <= multipart_threshold:
        algorithm = "SHA1" if "SHA256" in source.checksums else "SHA256"
        return CopyPlan(algorithm, (source.size,), multipart=False, known_checksum=None)
    part_sizes = _part_sizes(source.size, part_size)
    crc = source.full_object_crc()
    if crc is not None:
        return CopyPlan(crc[0], part_sizes, multipart=True, known_checksum=crc[1])
    return CopyPlan("SHA256", part_sizes, multipart=True, known_checksum=None)


def copy_and_verify(
    s3: Any, source: SourceVersion, destination: Destination, plan: CopyPlan
) -> QuarantineCopy:
    """Copy the source version to the destination and verify it; raises CopyVerificationError."""
    if plan.multipart:
        version_id = _copy_multipart(s3, source, destination, plan)
    else:
        version_id = _copy_single(s3, source, destination, plan)
    copy = QuarantineCopy(
        destination.bucket, destination.key, version_id if version_id != "null" else None
    )
    verify_copy(s3, source, copy, plan)
    return copy


def _part_sizes(size: int, part_size: int) -> tuple[int, ...]:
    part_size = max(part_size, -(-size // MAX_PARTS))  # S3 takes at most 10,000 parts
    return tuple(min(part_size, size - start) for start in range(0, size, part_size))


def _copy_single(
    s3: Any, source: SourceVersion, destination: Destination, plan: CopyPlan
) -> str | None:
    # No encryption parameters: the copy takes the quarantine bucket's default encryption.
    response = s3.copy_object(
        Bucket=destination.bucket,
        Key=destination.key,
        CopySource=source.locator,
        CopySourceIfMatch=source.etag,
        MetadataDirective="COPY",
        TaggingDirective="REPLACE",
        Tagging=destination.tagging,
        ChecksumAlgorithm=plan.algorithm,
    )
    version_id: str | None = response.get("VersionId")
    return version_id


def _copy_multipart(
    s3: Any, source: SourceVersion, destination: Destination, plan: CopyPlan
) -> str | None:
    checksum_type = {"ChecksumType": "FULL_OBJECT"} if plan.known_checksum else {}
    upload_id = s3.create_multipart_upload(
        Bucket=destination.bucket,
        Key=destination.key,
        Tagging=destination.tagging,
        ChecksumAlgorithm=plan.algorithm,
        **checksum_type,
        **source.content_settings,
    )["UploadId"]
    try:
        with ThreadPoolExecutor(max_workers=PART_COPY_WORKERS) as pool:
            parts = list(
                pool.map(
                    lambda numbered: _copy_part(s3, source, destination, upload_id, numbered),
                    enumerate(_byte_ranges(plan.part_sizes), start=1),
                )
            )
        response = s3.complete_multipart_upload(
            Bucket=destination.bucket,
            Key=destination.key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
        )
    except BaseException:
        _abort(s3, destination, upload_id)
        raise
    version_id: str | None = response.get("VersionId")
    return version_id


def _byte_ranges(part_sizes: tuple[int, ...]) -> list[tuple[int, int]]:
    ranges, start = [], 0
    for size in part_sizes:
        ranges.append((start, start + size - 1))
        start += size
    return ranges


def _copy_part(
    s3: Any,
    source: SourceVersion,
    destination: Destination,
    upload_id: str,
    numbered: tuple[int, tuple[int, int]],
) -> dict[str, Any]:
    number, (first_byte, last_byte) = numbered
    result = s3.upload_part_copy(
        Bucket=destination.bucket,
        Key=destination.key,
        UploadId=upload_id,
        PartNumber=number,
        CopySource=source.locator,
        CopySourceIfMatch=source.etag,
        CopySourceRange=f"bytes={first_byte}-{last_byte}",
    )["CopyPartResult"]
    part = {"PartNumber": number, "ETag": result["ETag"]}
    for name in CHECKSUM_ALGORITHMS:
        if result.get(f"Checksum{name}"):
            part[f"Checksum{name}"] = result[f"Checksum{name}"]
    return part


def _abort(s3: Any, destination: Destination, upload_id: str) -> None:
    try:
        s3.abort_multipart_upload(
            Bucket=destination.bucket, Key=destination.key, UploadId=upload_id
        )
    except ClientError as error:  # the original failure matters more; a lifecycle rule cleans up
        common.LOGGER.warning("abort of multipart upload %s failed: %s", upload_id, error)


def verify_copy(s3: Any, source: SourceVersion, copy: QuarantineCopy, plan: CopyPlan) -> None:
    """Raise CopyVerificationError unless the copy has the source's size and checksum."""
    located = {"Bucket": copy.bucket, "Key": copy.key}
    if copy.version_id is not None:
        located["VersionId"] = copy.version_id
    head = s3.head_object(**located, ChecksumMode="ENABLED")
    if int(head["ContentLength"]) != source.size:
        raise CopyVerificationError(
            f"the copy has {head['ContentLength']} bytes, the source {source.size}"
        )
    actual = head.get(f"Checksum{plan.algorithm}")
    if not actual:
        raise CopyVerificationError(f"the copy reports no {plan.algorithm} checksum")
    expected = plan.known_checksum or _expected_checksum(s3, source, plan)
    if actual not in _accepted_values(expected, plan):
        raise CopyVerificationError(
            f"the copy's {plan.algorithm} checksum {actual} is not the source's {expected}"
        )


def _accepted_values(expected: str, plan: CopyPlan) -> set[str]:
    """A composite checksum is reported as "<value>-<part count>"; accept it with or without."""
    if plan.multipart and plan.known_checksum is None:
        return {expected, f"{expected}-{len(plan.part_sizes)}"}
    return {expected}


def _expected_checksum(s3: Any, source: SourceVersion, plan: CopyPlan) -> str:
    body = s3.get_object(**source.locator, IfMatch=source.etag)["Body"]
    try:
        digests = _part_digests(body, plan.part_sizes, HASH_NAMES[plan.algorithm])
    finally:
        body.close()
    if not plan.multipart:
        return base64.b64encode(digests[0]).decode("ascii")
    composite = hashlib.new(HASH_NAMES[plan.algorithm], b"".join(digests)).digest()
    return base64.b64encode(composite).decode("ascii")


def _part_digests(body: Any, part_sizes: tuple[int, ...], hash_name: str) -> list[bytes]:
    digests = []
    for part_size in part_sizes:
        hasher = hashlib.new(hash_name)
        remaining = part_size
        while remaining:
            chunk = body.read(min(remaining, READ_CHUNK))
            if not chunk:
                raise CopyVerificationError("the source version ended before its size")
            hasher.update(chunk)
            remaining -= len(chunk)
        digests.append(hasher.digest())
    if body.read(1):
        raise CopyVerificationError("the source version is longer than its size")
    return digests
