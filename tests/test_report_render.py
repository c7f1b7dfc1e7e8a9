"""Markdown and HTML of a small hand-made report: statuses, evidence, escaping, the cap."""

from __future__ import annotations

from html.parser import HTMLParser

from baseline.report.model import (
    AUDIT_CHECK,
    POLICY,
    Control,
    Framework,
    Item,
    Report,
    Source,
    Status,
)
from baseline.report.render import MAX_PASSING_LISTED, render_html, render_markdown

HOSTILE = '<script>alert("x")</script> & *bold* | pipe'
BUCKETS = tuple(
    Item(Status.PASS, f"bucket-{n} (aws:s3/bucket:Bucket)", "no violation")
    for n in range(MAX_PASSING_LISTED + 3)
)
VALIDATION = Source(
    AUDIT_CHECK,
    "cloudtrail.log-file-validation",
    "The trail writes digest files that prove its logs intact",
    (Item(Status.FAIL, "arn:aws:cloudtrail:us-east-1:1:trail/t in us-east-1", HOSTILE),),
)
TLS = Source(POLICY, "s3-bucket-tls-only", "mandatory policy of pack 1.0", BUCKETS)
SHIELD = Source(AUDIT_CHECK, "shield.subscription-active", "Shield is active", note="not run")
REPORT = Report(
    title="Compliance report: app/prod",
    basis="offline preview of stack prod",
    generated="2025-01-02 03:04 UTC",
    frameworks=(
        Framework(
            "cis-aws-foundations",
            "CIS AWS Foundations Benchmark",
            "3.0.0",
            "https://www.cisecurity.org/benchmark/amazon_web_services",
            (Control("2.1.1", (TLS,)), Control("3.2", (VALIDATION,))),
        ),
        Framework(
            "nist-800-53",
            "NIST SP 800-53",
            "Rev. 5",
            "javascript:alert(1)",
            (Control("SC-5", (SHIELD,)),),
        ),
    ),
)


def markdown_section(text: str, heading: str) -> str:
    """The lines under `heading` up to the next heading."""
    after = text.split(f"\n{heading}\n", 1)[1]
    return after.split("\n#", 1)[0]


def test_markdown_gives_a_summary_and_each_control_its_status_and_evidence():
    text = render_markdown(REPORT)
    assert "| CIS AWS Foundations Benchmark | 3.0.0 | 2 | - | 1 | 1 | 0 | 0 | 0 |" in text
    assert "| NIST SP 800-53 | Rev. 5 | 1 | - | 0 | 0 | 0 | 1 | 0 |" in text
    failed = markdown_section(text, "### 3.2: FAIL")
    assert "- audit check **cloudtrail.log-file-validation**: FAIL" in failed
    assert "  - FAIL arn:aws:cloudtrail:us-east-1:1:trail/t in us-east-1: " in failed
    # The reason is shown literally: nothing in it becomes markup.
    assert '\\<script\\>alert("x")\\</script\\> \\& \\*bold\\* \\| pipe' in failed
    passed = markdown_section(text, "### 2.1.1: PASS")
    assert passed.count("  - PASS bucket-") == MAX_PASSING_LISTED
    assert "  - and 3 more PASS" in passed
    shield = markdown_section(text, "### SC-5: NOT EVALUATED")
    assert "shield.subscription-active**: NOT EVALUATED (Shield is active; not run)" in shield
    assert "Specification: <https://www.cisecurity.org/benchmark/amazon_web_services>" in text


class ReportPage(HTMLParser):
    """Each control row's status and evidence text, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.framework = ""
        self.rows: dict[tuple[str, str], dict[str, str]] = {}
        self.row: dict[str, str] | None = None
        self.in_status = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "a":
            self.links.append(attributes.get("href") or "")
        if tag == "section":
            self.framework = attributes.get("data-framework") or ""
        if tag == "tr" and attributes.get("data-control"):
            self.row = {"status": "", "text": ""}
            self.rows[(self.framework, attributes["data-control"] or "")] = self.row
        if tag == "td" and attributes.get("class") == "control-status":
            self.in_status = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.in_status = False
        if tag == "tr":
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.row is not None:
            self.row["status" if self.in_status else "text"] += data


def parse(text: str) -> ReportPage:
    page = ReportPage()
    page.feed(text)
    return page


def test_html_lists_each_control_with_its_status_and_evidence_escaped():
    text = render_html(REPORT)
    page = parse(text)
    assert "script" not in page.tags
    assert set(page.rows) == {
        ("cis-aws-foundations", "2.1.1"),
        ("cis-aws-foundations", "3.2"),
        ("nist-800-53", "SC-5"),
    }
    failed = page.rows[("cis-aws-foundations", "3.2")]
    assert failed["status"] == "FAIL"
    assert "cloudtrail.log-file-validation" in failed["text"]
    assert f"arn:aws:cloudtrail:us-east-1:1:trail/t in us-east-1: {HOSTILE}" in failed["text"]
    passed = page.rows[("cis-aws-foundations", "2.1.1")]
    assert passed["status"] == "PASS"
    assert passed["text"].count("(aws:s3/bucket:Bucket)") == MAX_PASSING_LISTED
    assert "and 3 more PASS" in passed["text"]
    assert page.rows[("nist-800-53", "SC-5")]["status"] == "NOT EVALUATED"


def test_html_is_self_contained_and_links_only_web_addresses():
    text = render_html(REPORT)
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert "style" in page.tags
    assert not {"script", "link", "img", "iframe"} & set(page.tags)
    assert "javascript:alert(1)" not in page.links
    assert "https://www.cisecurity.org/benchmark/amazon_web_services" in page.links
    assert "#framework-nist-800-53" in page.links
