"""One invocation: read the reports an event carries, then bring Security Hub in line with them.

Every report of the event is read and parsed before anything is imported, so a malformed one
imports nothing. Then, per report: the scope's active findings are fetched, the report's issues
imported (keeping ``CreatedAt`` of findings seen before), and the findings of the scanners this
report speaks for that it no longer contains are archived and resolved.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

from . import asff, dependency_check, events, sarif, sonarqube, zap
from .model import Scan
from .securityhub import SecurityHub, Sleep
from .shape import ReportError

LOGGER = logging.getLogger(__name__)

PARSERS: Mapping[str, Callable[[object], Scan]] = {
    "dependency-check": dependency_check.parse,
    "zap": zap.parse,
    "sonarqube": sonarqube.parse,
    "sarif": sarif.parse,
}

Clock = Callable[[], datetime]
# Findings one event may import: each takes about 5 KB in memory (measured, docs/input-limits.md),
# and as many again come back from Security Hub as the earlier findings of the scope; 20,000 also
# keeps the import (at 100 findings a request, 10 requests a second) well inside the timeout.
MAX_ISSUES = 20_000


@dataclass(frozen=True)
class AwsClients:
    securityhub: Any
    sts: Any
    s3: Any
    region: str

    @classmethod
    def from_environment(cls) -> AwsClients:
        """Clients for the Region Lambda runs in (``AWS_REGION``)."""
        region = os.environ.get("AWS_REGION")
        if not region:
            raise RuntimeError("AWS_REGION is not set; the Lambda runtime always sets it")
        config = Config(retries={"mode": "standard"})
        return cls(
            securityhub=boto3.client("securityhub", region_name=region, config=config),
            sts=boto3.client("sts", region_name=region, config=config),
            s3=boto3.client("s3", region_name=region, config=config),
            region=region,
        )


@dataclass(frozen=True)
class Totals:
    imported: int = 0
    archived: int = 0
    failed: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.imported + other.imported,
            self.archived + other.archived,
            self.failed + other.failed,
        )


def run(
    event: object,
    clients: AwsClients,
    sleep: Sleep = time.sleep,
    clock: Clock = lambda: datetime.now(UTC),
) -> dict[str, object]:
    """``{"imported", "archived", "failed"}``, or ``{"error"}`` for input it cannot import."""
    try:
        scans = [
            (upload, PARSERS[upload.tool](upload.report))
            for upload in events.uploads(event, PARSERS.keys(), clients.s3)
        ]
        issues = sum(len(scan.issues) for _, scan in scans)
        if issues > MAX_ISSUES:
            raise ReportError(f"{issues} issues: more than {MAX_ISSUES} in one event")
    except (ReportError, RecursionError) as error:
        # RecursionError: a report nested deeper than Python's stack, met while reading it.
        reason = str(error) if isinstance(error, ReportError) else "report: nested too deeply"
        LOGGER.error("Nothing imported: %s", reason)
        return {"error": reason}
    account = _account(clients)
    hub = SecurityHub(clients.securityhub, sleep)
    totals = Totals()
    for upload, scan in scans:
        totals += _synchronise(hub, account, upload, scan, _timestamp(clock()))
    LOGGER.info("Done: %s", totals)
    return {"imported": totals.imported, "archived": totals.archived, "failed": totals.failed}


def _synchronise(
    hub: SecurityHub,
    account: asff.Account,
    upload: events.Upload,
    scan: Scan,
    now: str,
) -> Totals:
    earlier = hub.active_findings(account, upload.tool, upload.source)
    findings: dict[str, dict[str, Any]] = {}
    for issue in scan.issues:
        finding_id = asff.finding_id(upload.tool, upload.source, issue.identity)
        # A scanner may report the same issue twice (one CVE in two copies of a jar): one finding.
        if finding_id not in findings:
            findings[finding_id] = asff.to_finding(
                upload.tool,
                issue,
                source=upload.source,
                account=account,
                now=now,
                earlier=earlier.get(finding_id),
            )
    imported = hub.import_findings(list(findings.values()))
    stale = [
        finding
        for finding_id, finding in earlier.items()
        if finding_id not in findings
        and finding.get("ProductFields", {}).get(asff.SCANNER_FIELD) in scan.scanners
    ]
    archived = hub.import_findings([asff.archived(finding, now) for finding in stale])
    now_archived = set(archived.accepted)
    hub.resolve(account, [finding for finding in stale if finding["Id"] in now_archived])
    totals = Totals(
        imported=len(imported.accepted),
        archived=len(archived.accepted),
        failed=len(imported.failed) + len(archived.failed),
    )
    LOGGER.info(
        "%s (%s): %d issues; %s",
        upload.origin,
        asff.scope(upload.tool, upload.source),
        len(scan.issues),
        totals,
    )
    return totals


def _account(clients: AwsClients) -> asff.Account:
    """The partition and account from the caller's own identity: nothing is hard-coded."""
    identity = clients.sts.get_caller_identity()
    partition = identity["Arn"].split(":")[1]
    return asff.Account(partition=partition, region=clients.region, account_id=identity["Account"])


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as Security Hub writes its own timestamps."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
