"""The two ways a report arrives: a direct invocation, or an S3 ObjectCreated notification.

Direct: ``{"tool", "report", "source": {"repository", "branch", "commit", "build_id"}}``.
S3: an object under ``reports/<tool>/<repository>/<branch>/<commit>.json``. The repository is one
key segment; the branch is every segment between it and the commit, so ``feature/login`` works.
The build id comes from the object's ``x-amz-meta-build-id`` metadata.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from .model import Source
from .shape import JsonObject, ReportError, require_list, require_object, require_text

KEY_PREFIX = "reports"
KEY_SUFFIX = ".json"
BUILD_ID_METADATA = "build-id"
# What the reports of one event may weigh together. Measured (docs/input-limits.md): parsed JSON
# of small objects takes about 26 times its size in memory, a dense report with its findings about
# 31 times; 8 MiB of either stays near 270 MB in the 512 MB function, with room for the findings
# already in Security Hub that the import reads back.
MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_SOURCE_FIELD = 512
FIELDS = ("repository", "branch", "commit", "build_id")


@dataclass(frozen=True)
class Upload:
    """One report to import, with where it comes from."""

    tool: str
    report: object
    source: Source
    origin: str


def uploads(event: object, tools: Collection[str], s3: Any) -> list[Upload]:
    """The reports an event carries; a ReportError when the event is not one this function takes."""
    if not isinstance(event, dict):
        raise ReportError("event: expected an object")
    if "Records" in event:
        records = require_list(event["Records"], "event.Records")
        if not records:
            raise ReportError("event.Records: empty")
        read: list[Upload] = []
        budget = MAX_REPORT_BYTES
        for index, record in enumerate(records):
            upload, size = _from_s3(
                require_object(record, f"event.Records[{index}]"), tools, s3, index, budget
            )
            read.append(upload)
            budget -= size
        return read
    if "tool" in event:
        return [_direct(event, tools)]
    raise ReportError(
        "event: neither a direct invocation (tool, report, source) nor an S3 notification (Records)"
    )


def _direct(event: JsonObject, tools: Collection[str]) -> Upload:
    tool = _tool(event.get("tool"), tools, "event.tool")
    if "report" not in event:
        raise ReportError("event.report: missing")
    source = require_object(event.get("source"), "event.source")
    fields = {name: _source_field(source.get(name), f"event.source.{name}") for name in FIELDS}
    return Upload(tool, event["report"], Source(**fields), origin="direct invocation")


def _from_s3(
    record: JsonObject, tools: Collection[str], s3: Any, index: int, budget: int
) -> tuple[Upload, int]:
    """The upload a notification record names, and its size in bytes (at most ``budget``)."""
    where = f"event.Records[{index}]"
    if record.get("eventSource") != "aws:s3":
        raise ReportError(f"{where}.eventSource: not an S3 notification")
    event_name = require_text(record.get("eventName"), f"{where}.eventName")
    if not event_name.startswith("ObjectCreated:"):
        raise ReportError(f"{where}.eventName: {event_name} is not an ObjectCreated event")
    s3_details = require_object(record.get("s3"), f"{where}.s3")
    bucket_details = require_object(s3_details.get("bucket"), f"{where}.s3.bucket")
    bucket = require_text(bucket_details.get("name"), f"{where}.s3.bucket.name")
    stored = require_object(s3_details.get("object"), f"{where}.s3.object")
    # Notification keys are URL-encoded, with + for a space.
    key = unquote_plus(require_text(stored.get("key"), f"{where}.s3.object.key"))
    tool, repository, branch, commit = _key_parts(key, tools)
    version = stored.get("versionId")
    body, metadata = _read(s3, bucket, key, version if isinstance(version, str) else None, budget)
    origin = f"s3://{bucket}/{key}"
    build_id = _source_field(metadata.get(BUILD_ID_METADATA), f"{origin} {BUILD_ID_METADATA}")
    try:
        report = json.loads(body.decode("utf-8-sig"))
    except (ValueError, RecursionError) as error:
        # ValueError: not UTF-8, not JSON, or an integer beyond Python's 4,300 digits;
        # RecursionError: nested deeper than the parser's stack.
        raise ReportError(f"{origin}: not a JSON document: {error}") from error
    return Upload(tool, report, Source(repository, branch, commit, build_id), origin), len(body)


def _key_parts(key: str, tools: Collection[str]) -> tuple[str, str, str, str]:
    layout = f"expected {KEY_PREFIX}/<tool>/<repository>/<branch>/<commit>{KEY_SUFFIX}"
    parts = key.split("/")
    if len(parts) < 5 or parts[0] != KEY_PREFIX or not key.endswith(KEY_SUFFIX):
        raise ReportError(f"s3 key {key!r}: {layout}")
    if any(not part.strip() for part in parts) or parts[-1] == KEY_SUFFIX:
        raise ReportError(f"s3 key {key!r}: empty segment; {layout}")
    tool = _tool(parts[1], tools, f"s3 key {key!r}")
    branch = "/".join(parts[3:-1])
    commit = parts[-1][: -len(KEY_SUFFIX)]
    for name, value in (("repository", parts[2]), ("branch", branch), ("commit", commit)):
        _source_field(value, f"s3 key {key!r} {name}")
    return tool, parts[2], branch, commit


def _read(
    s3: Any, bucket: str, key: str, version: str | None, budget: int
) -> tuple[bytes, dict[str, str]]:
    request = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
    try:
        response = s3.get_object(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchVersion"):
            raise ReportError(f"s3://{bucket}/{key}: no longer exists") from error
        raise
    too_large = f"s3://{bucket}/{key}: the event's reports exceed {MAX_REPORT_BYTES} bytes"
    if response.get("ContentLength", 0) > budget:
        response["Body"].close()
        raise ReportError(too_large)
    body: bytes = response["Body"].read(budget + 1)
    response["Body"].close()
    if len(body) > budget:
        raise ReportError(too_large)
    return body, {name.lower(): value for name, value in response.get("Metadata", {}).items()}


def _tool(value: object, tools: Collection[str], where: str) -> str:
    if not isinstance(value, str) or value not in tools:
        known = ", ".join(sorted(tools))
        raise ReportError(f"{where}: unknown tool {value!r}; expected one of {known}")
    return value


def _source_field(value: object, where: str) -> str:
    text = require_text(value, where)
    if len(text) > MAX_SOURCE_FIELD or any(ord(char) < 32 for char in text):
        raise ReportError(f"{where}: at most {MAX_SOURCE_FIELD} printable characters")
    return text
