"""Security Hub calls: batched imports, earlier findings, resolution, and backoff on throttling."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from . import asff
from .model import Source

LOGGER = logging.getLogger(__name__)

MAX_BATCH_FINDINGS = 100
# Security Hub takes up to 100 findings, 240 KB per finding and 6 MB per BatchImportFindings
# request ("Guidelines for using the BatchImportFindings API", Security Hub partner guide).
# Sizes are counted as botocore sends the body (json.dumps, ASCII), in decimal units to be safe.
MAX_BATCH_BYTES = 6_000_000
MAX_FINDING_BYTES = 240_000
MAX_UPDATE_FINDINGS = 100
PAGE_SIZE = 100

# Security Hub answers throttling with LimitExceededException (HTTP 429); the other two are the
# generic AWS codes for it.
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "LimitExceededException"}
)
MAX_ATTEMPTS = 5
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 8.0

# Workflow states a team has not decided on yet; RESOLVED and SUPPRESSED are left as they are.
_UNDECIDED_WORKFLOW = frozenset({"NEW", "NOTIFIED"})
RESOLVED_NOTE = "No longer reported by the scanner; archived by security-baseline findings import."
NOTE_AUTHOR = "security-baseline/findings-import"

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Outcome:
    """What Security Hub did with a set of findings sent to BatchImportFindings."""

    accepted: tuple[str, ...]
    failed: tuple[str, ...]


def finding_size(finding: Mapping[str, Any]) -> int:
    """Bytes the finding takes in the request body: botocore sends json.dumps(body)."""
    return len(json.dumps(finding))


def batches(findings: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Findings grouped under Security Hub's per-request limits (count and JSON size)."""
    batch: list[Mapping[str, Any]] = []
    size = len(json.dumps({"Findings": []}))
    for finding in findings:
        # botocore sends the request body as json.dumps(body): measure it the same way.
        needed = finding_size(finding) + len(", ")
        if batch and (len(batch) == MAX_BATCH_FINDINGS or size + needed > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], len(json.dumps({"Findings": []}))
        batch.append(finding)
        size += needed
    if batch:
        yield batch


class SecurityHub:
    """The Security Hub operations of one import, each retried when throttled."""

    def __init__(self, client: Any, sleep: Sleep) -> None:
        self._client = client
        self._sleep = sleep

    def import_findings(self, findings: Sequence[Mapping[str, Any]]) -> Outcome:
        failed: list[str] = []
        sendable = []
        for finding in findings:
            if finding_size(finding) > MAX_FINDING_BYTES:
                LOGGER.error(
                    "finding %s not sent: %d bytes, over Security Hub's %d per finding",
                    finding["Id"],
                    finding_size(finding),
                    MAX_FINDING_BYTES,
                )
                failed.append(finding["Id"])
            else:
                sendable.append(finding)
        for batch in batches(sendable):
            response = self._call("batch_import_findings", Findings=batch)
            for failure in response.get("FailedFindings", []):
                LOGGER.error(
                    "Security Hub rejected finding %s: %s: %s",
                    failure.get("Id"),
                    failure.get("ErrorCode"),
                    failure.get("ErrorMessage"),
                )
                failed.append(failure.get("Id", ""))
        rejected = set(failed)
        accepted = tuple(f["Id"] for f in findings if f["Id"] not in rejected)
        return Outcome(accepted=accepted, failed=tuple(failed))

    def active_findings(
        self, account: asff.Account, tool: str, source: Source
    ) -> dict[str, Mapping[str, Any]]:
        """This tool's active findings on the repository and branch, by Id."""
        filters = {
            "ProductArn": [{"Value": account.product_arn, "Comparison": "EQUALS"}],
            "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
            "ProductFields": [
                {"Key": asff.SCOPE_FIELD, "Value": asff.scope(tool, source), "Comparison": "EQUALS"}
            ],
        }
        found: dict[str, Mapping[str, Any]] = {}
        request: dict[str, Any] = {"Filters": filters, "MaxResults": PAGE_SIZE}
        while True:
            page = self._call("get_findings", **request)
            for finding in page.get("Findings", []):
                # The scope value alone can be ambiguous (slashes in names), and emulators such
                # as moto ignore filters: check the fields themselves.
                if _in_scope(finding, account, tool, source):
                    found[finding["Id"]] = finding
            if not page.get("NextToken"):
                return found
            request["NextToken"] = page["NextToken"]

    def resolve(self, account: asff.Account, findings: Sequence[Mapping[str, Any]]) -> None:
        """Mark archived findings no one has decided on yet as RESOLVED, with a note why.

        Workflow belongs to BatchUpdateFindings: BatchImportFindings ignores it for existing
        findings, and Security Hub does not resolve a finding when its record is archived.
        """
        undecided = [
            {"Id": finding["Id"], "ProductArn": account.product_arn}
            for finding in findings
            if finding.get("Workflow", {}).get("Status", "NEW") in _UNDECIDED_WORKFLOW
        ]
        for start in range(0, len(undecided), MAX_UPDATE_FINDINGS):
            response = self._call(
                "batch_update_findings",
                FindingIdentifiers=undecided[start : start + MAX_UPDATE_FINDINGS],
                Workflow={"Status": "RESOLVED"},
                Note={"Text": RESOLVED_NOTE, "UpdatedBy": NOTE_AUTHOR},
            )
            for failure in response.get("UnprocessedFindings", []):
                LOGGER.error(
                    "Security Hub did not resolve finding %s: %s: %s",
                    failure.get("FindingIdentifier", {}).get("Id"),
                    failure.get("ErrorCode"),
                    failure.get("ErrorMessage"),
                )

    def _call(self, operation: str, **request: Any) -> dict[str, Any]:
        """The operation, retried with exponential backoff and jitter while throttled."""
        attempt = 1
        while True:
            try:
                response: dict[str, Any] = getattr(self._client, operation)(**request)
                return response
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code")
                if code not in THROTTLING_CODES or attempt == MAX_ATTEMPTS:
                    raise
                ceiling = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** (attempt - 1))
                delay = random.uniform(ceiling / 2, ceiling)
                LOGGER.warning("%s throttled (%s); retrying in %.2f s", operation, code, delay)
                self._sleep(delay)
                attempt += 1


def _in_scope(finding: Mapping[str, Any], account: asff.Account, tool: str, source: Source) -> bool:
    fields = finding.get("ProductFields", {})
    return (
        finding.get("ProductArn") == account.product_arn
        and finding.get("RecordState") == "ACTIVE"
        and fields.get(asff.TOOL_FIELD) == tool
        and fields.get(asff.REPOSITORY_FIELD) == source.repository
        and fields.get(asff.BRANCH_FIELD) == source.branch
    )
