"""Report controls carry their titles, for every control the pack's mapping names."""

from __future__ import annotations

from pathlib import Path

import pytest

from baseline.report.mapping import load_mapping
from baseline.report.model import POLICY, Control, Framework, Report, Source, frameworks_of
from baseline.report.render import render_html, render_markdown

PACK = Path(__file__).resolve().parent.parent / "policies"
MAPPING = load_mapping(PACK)


@pytest.mark.parametrize("framework", list(MAPPING.frameworks))
def test_every_control_the_pack_maps_has_a_title(framework: str) -> None:
    untitled = [c for c in MAPPING.controls(framework) if not MAPPING.title(framework, c)]

    assert untitled == []


def test_the_titles_are_of_the_frameworks_the_pack_uses() -> None:
    assert set(MAPPING.titles) | set(MAPPING.catalog) == set(MAPPING.frameworks)
    assert not set(MAPPING.titles) & set(MAPPING.catalog)


def test_built_controls_carry_their_title_and_an_unknown_one_none() -> None:
    policies = {name: Source(POLICY, name) for name in MAPPING.policies}
    checks = {name: Source("audit check", name) for name in MAPPING.checks}

    frameworks = {f.key: f for f in frameworks_of(MAPPING, policies, checks)}

    cis = {control.id: control.title for control in frameworks["cis-aws-foundations"].controls}
    assert cis["3.2"] == "Ensure CloudTrail log file validation is enabled"
    assert MAPPING.title("cis-aws-foundations", "9.99") == ""


def report_of(control: Control) -> Report:
    framework = Framework("nist-800-53", "NIST SP 800-53", "Rev. 5", "https://x", (control,))
    return Report("Compliance report", "basis", "2025-01-02 03:04 UTC", (framework,))


def test_markdown_and_html_show_the_title_under_the_id() -> None:
    titled = report_of(Control("AU-9", (), "Protection of Audit Information"))

    markdown = render_markdown(titled)
    html = render_html(titled)

    assert "\n### AU-9: NOT IMPLEMENTED\n\n*Protection of Audit Information*\n" in markdown
    assert (
        '<th scope="row">AU-9 <span class="control-title">Protection of Audit Information'
        "</span></th>"
    ) in html


def test_an_untitled_control_shows_its_id_alone() -> None:
    report = report_of(Control("XX-1", ()))

    assert render_markdown(report).endswith("\n### XX-1: NOT IMPLEMENTED\n\n")
    assert '<th scope="row">XX-1</th>' in render_html(report)
