"""Properties of the findings import, for any report and any event (hypothesis).

Every parser gives a Scan or a ReportError for any document; every issue it yields becomes a
finding within the ASFF limits; any direct invocation is read or refused; stripping tags does
what the old pattern did, in linear time. Each within the bound of tests/hostile_input.py.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baseline.capabilities.scanner_findings.functions.findings_import.importer import (
    asff,
    events,
    service,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.model import (
    Scan,
    Source,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.shape import (
    ReportError,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.text import (
    plain_text,
    without_tags,
)
from tests.capabilities.scanner_findings.findings_import_harness import (
    FIXTURE_TOOLS,
    REGION,
    SCANNERS,
    load,
)
from tests.capabilities.scanner_findings.test_findings_import_events import s3_event
from tests.hostile_input import PROPERTY, hostile, text, within_memory

ACCOUNT = asff.Account(partition="aws", region=REGION, account_id="123456789012")
SOURCE = Source(repository="orders-service", branch="main", commit="4f2c9a1e", build_id="b-7")
DIRECT = {
    "tool": "zap",
    "report": load("zap.json"),
    "source": {"repository": "r", "branch": "main", "commit": "c", "build_id": "b"},
}
# Documented ASFF limits (asff.py names the sources); 1,024 where none is documented.
LIMITS = {".Id": 512, ".GeneratorId": 512, ".Title": 256, ".Description": 1024}
LIMITS |= {".Severity.Original": 64, ".FindingProviderFields.Severity.Original": 64}
LIMITS |= {".Remediation.Recommendation.Text": 512}
# Each parser gets PROPERTY's number of examples in all, shared among the fixtures it reads: the
# SARIF parser reads three tools' reports, each mutated a third as many times as the others'.
FIXTURES_PER_TOOL = Counter(FIXTURE_TOOLS.values())


def parsed(tool: str, report: Any) -> Scan | None:
    try:
        return within_memory(lambda: service.PARSERS[tool](report))
    except ReportError as error:
        assert str(error)
        return None


def _strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _strings(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [pair for item in value for pair in _strings(item, f"{path}[]")]
    return [(path, value)] if isinstance(value, str) else []


def assert_within_asff_limits(finding: dict[str, Any]) -> None:
    for path, value in _strings(finding):
        limit = LIMITS.get(path, 2048 if path.startswith(".ProductFields") else 1024)
        assert value.strip(), path
        assert len(value) <= limit, (path, len(value))
    assert len(finding["ProductFields"]) <= 50
    assert len(finding["Types"]) <= 50


@pytest.mark.parametrize(("fixture", "tool"), sorted(FIXTURE_TOOLS.items()))
def test_every_parser_reads_or_refuses_any_report(fixture: str, tool: str) -> None:
    @settings(PROPERTY, max_examples=PROPERTY.max_examples // FIXTURES_PER_TOOL[tool])
    @given(hostile(load(fixture)))
    def check(report: Any) -> None:
        scan = parsed(tool, report)
        for issue in scan.issues if scan else ():
            finding = asff.to_finding(tool, issue, source=SOURCE, account=ACCOUNT, now="x")
            assert_within_asff_limits(finding)

    check()


@PROPERTY
@given(hostile(DIRECT))
def test_any_direct_invocation_is_read_or_refused(event: Any) -> None:
    try:
        uploads = within_memory(lambda: events.uploads(event, service.PARSERS.keys(), s3=None))
    except ReportError as error:
        assert str(error)
        return
    [upload] = uploads
    assert upload.tool in service.PARSERS
    assert all(value.strip() for value in vars(upload.source).values())


@PROPERTY
@given(st.one_of(text, st.text(st.sampled_from("<>/pbr a=\"'"), max_size=200)))
def test_tags_are_stripped_as_the_old_pattern_did(markup: str) -> None:
    assert without_tags(markup) == re.sub(r"<[^>]+>", "", markup)


@PROPERTY
@given(st.text(st.sampled_from("<>p/ x"), min_size=1, max_size=20).map(lambda unit: unit * 3000))
def test_plain_text_takes_linear_time_on_any_markup(markup: str) -> None:
    within_memory(lambda: plain_text(markup))


class OneReport:
    """S3 as the importer sees it: any key holds the ZAP fixture, with a build id."""

    BODY = (SCANNERS / "zap.json").read_bytes()

    def get_object(self, **request: Any) -> dict[str, Any]:
        return {
            "Body": io.BytesIO(self.BODY),
            "ContentLength": len(self.BODY),
            "Metadata": {"build-id": "orders-service:42"},
        }


@PROPERTY
@given(hostile(s3_event("reports/zap/orders-service/feature/login/4f2c9a1e.json")))
def test_any_s3_notification_is_read_or_refused(event: Any) -> None:
    try:
        uploads = within_memory(lambda: events.uploads(event, service.PARSERS.keys(), OneReport()))
    except ReportError as error:
        assert str(error)
        return
    assert uploads
    assert all(upload.origin.startswith("s3://") for upload in uploads)
