"""Guardrails in the report: their mapping, their evidence from the prod preview, and the whole
CIS AWS Foundations v3.0.0 benchmark listed so that its coverage is a number."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from baseline.capabilities.organization_policies.catalog import GUARDRAILS, sid_of
from baseline.capabilities.organization_policies.data_perimeter import PREVENTS as PERIMETER
from baseline.report.command import preview_report
from baseline.report.mapping import load_mapping
from baseline.report.model import GUARDRAIL, Control, Report, Status
from baseline.report.render import render_markdown

REPO = Path(__file__).resolve().parent.parent
MAPPING = load_mapping(REPO / "policies")
CIS = "cis-aws-foundations"


@pytest.fixture(scope="module")
def prod() -> Report:
    args = argparse.Namespace(project=REPO, stack="prod", policy_pack_config=None)
    return preview_report(MAPPING, args, REPO / "policies")


def control(report: Report, framework: str, control_id: str) -> Control:
    found = next(f for f in report.frameworks if f.key == framework)
    return next(c for c in found.controls if c.id == control_id)


def test_every_guardrail_and_only_those_is_mapped() -> None:
    assert set(MAPPING.guardrails) == {sid_of(g) for g in GUARDRAILS} | set(PERIMETER)


def test_the_catalogue_holds_every_cis_control_anything_maps() -> None:
    catalogue = MAPPING.catalog[CIS]
    mapped = {
        control_id
        for table in (MAPPING.policies, MAPPING.checks, MAPPING.guardrails)
        for row in table.values()
        for control_id in row[CIS]
    }

    assert len(catalogue) == 62
    assert mapped <= set(catalogue)
    assert list(MAPPING.controls(CIS)) == list(catalogue)


def test_administrator_access_guardrail_supports_cis_1_16_in_the_prod_preview(
    prod: Report,
) -> None:
    found = control(prod, CIS, "1.16")

    assert found.title.startswith('Ensure IAM policies that allow full "*:*"')
    assert found.status is Status.PASS
    (guardrail,) = [s for s in found.sources if s.kind == GUARDRAIL]
    assert guardrail.name == "DenyAdministratorAttachment"
    assert guardrail.description.startswith("denies attaching AdministratorAccess")
    (item,) = guardrail.items
    assert item.subject == "security-baseline-protect-accounts (aws:organizations/policy:Policy)"
    assert item.detail == "attached to ou-ab12-34cd56ef, ou-ab12-78gh90ij"


def test_the_root_guardrail_shows_its_root_attachment(prod: Report) -> None:
    (guardrail,) = [s for s in control(prod, CIS, "1.7").sources if s.kind == GUARDRAIL]

    (item,) = guardrail.items
    assert item.subject.startswith("security-baseline-protect-accounts-2 ")
    assert item.detail.startswith("attached to r-")


@pytest.mark.parametrize("control_id", ["3.4", "2.1.1", "3.1", "3.3", "4.16"])
def test_cis_controls_the_baseline_implements_pass(prod: Report, control_id: str) -> None:
    assert control(prod, CIS, control_id).status is Status.PASS


def test_controls_nothing_implements_are_listed_as_such(prod: Report) -> None:
    unsupported = control(prod, CIS, "1.1")

    assert unsupported.title == "Maintain current contact details"
    assert unsupported.sources == ()
    assert unsupported.status is Status.NOT_IMPLEMENTED


def test_the_summary_gives_the_benchmarks_coverage(prod: Report) -> None:
    cis = next(f for f in prod.frameworks if f.key == CIS)
    implemented = sum(bool(c.sources) for c in cis.controls)

    assert len(cis.controls) == 62
    coverage = f"{implemented} of 62 ({round(100 * implemented / 62)}%)"
    assert cis.coverage() == coverage
    assert f"| CIS AWS Foundations Benchmark | 3.0.0 | 62 | {coverage} |" in render_markdown(prod)
    nist = next(f for f in prod.frameworks if f.key == "nist-800-53")
    assert nist.coverage() == "-"  # no catalogue of NIST SP 800-53: no number to give
