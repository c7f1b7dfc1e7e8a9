"""`baseline report` as users run it: a preview of the prod stack to HTML, an audit file to
Markdown, and bad input as one error line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline import cli
from baseline.report.mapping import load_mapping
from tests.cli_harness import Completed, run_cli
from tests.policy_harness import POLICIES_DIR
from tests.test_report_render import markdown_section, parse

REPO = Path(__file__).resolve().parent.parent
AUDIT_FIXTURE = REPO / "tests" / "fixtures" / "report" / "audit_drifted.json"
MAPPING = load_mapping(POLICIES_DIR)


def run_report(*args: str) -> Completed:
    return run_cli("report", *args)


def test_prod_preview_report_lists_every_control_with_status_and_evidence(tmp_path):
    output = tmp_path / "report.html"
    completed = run_report("--stack", "prod", "--format", "html", "--output", str(output))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    page = parse(output.read_text())
    for framework in MAPPING.frameworks:
        shown = [control for fw, control in page.rows if fw == framework]
        assert shown == list(MAPPING.controls(framework)), framework
    statuses = {"PASS", "NOT EVALUATED", "NOT IMPLEMENTED"}
    assert {row["status"] for row in page.rows.values()} <= statuses
    validation = page.rows[("cis-aws-foundations", "3.2")]
    assert validation["status"] == "PASS"
    assert "policy cloudtrail-log-file-validation" in validation["text"]
    assert "PASS cloudtrail-trail (aws:cloudtrail/trail:Trail): no violation" in validation["text"]
    intrusion = page.rows[("pci-dss", "11.5.1")]
    assert intrusion["status"] == "PASS"
    assert "(aws:guardduty/detector:Detector): no violation" in intrusion["text"]
    # Only the live audit checks Firewall Manager: the preview cannot say.
    waf = page.rows[("pci-dss", "6.4.2")]
    assert waf["status"] == "NOT EVALUATED"
    assert "checked only by baseline audit" in waf["text"]


def test_audit_report_shows_the_failed_check_under_its_controls_and_exits_1():
    completed = run_report("--audit", str(AUDIT_FIXTURE))
    assert completed.returncode == 1, completed.stderr
    text = completed.stdout
    assert text.startswith("# Compliance report: security-baseline/dev\n")
    assert "account 123456789012" in text
    for heading in ("### 3.2: FAIL", "### 10.3.4: FAIL", "### SI-7: FAIL"):
        section = markdown_section(text, heading)
        assert "audit check **cloudtrail.log-file-validation**: FAIL" in section
        assert "log file validation is off: no digest files prove the logs intact" in section
    hub = markdown_section(text, "### 4.16: ERROR")
    assert "GetEnabledStandards is not supported by this endpoint" in hub
    logging = markdown_section(text, "### 3.1: PASS")
    assert "policy **cloudtrail-multi-region**: NOT EVALUATED" in logging


@pytest.mark.parametrize(
    ("args", "where", "what"),
    [
        (["--audit", "{missing}"], "{missing}", "cannot read the audit file: "),
        (["--audit", "{not_json}"], "{not_json}", "not JSON: "),
        (["--audit", str(AUDIT_FIXTURE), "--format", "pdf"], "--format", "unknown format 'pdf'"),
        (["--policy-pack", "{tmp}"], "{tmp}/frameworks.py", "cannot read the compliance mapping"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(tmp_path, capsys, args, where, what):
    paths = {
        "missing": str(tmp_path / "missing.json"),
        "not_json": str(tmp_path / "table.txt"),
        "tmp": str(tmp_path),
    }
    (tmp_path / "table.txt").write_text("PASS  macie.enabled\n")
    code = cli.main(["report", *(arg.format(**paths) for arg in args)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"error: {where.format(**paths)}: {what}")
