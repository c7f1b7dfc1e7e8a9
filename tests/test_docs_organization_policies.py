"""docs/organization-policies.md keeps up with the guardrails and the prod policies' sizes."""

import re
from pathlib import Path

from baseline.guardrail_policies import organization_policies
from baseline.spec import load_spec
from components.data_perimeter import PREVENTS as PERIMETER
from components.guardrail_catalog import GUARDRAILS

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "organization-policies.md").read_text(encoding="utf-8")


def test_the_table_names_every_guardrail() -> None:
    rows = re.findall(r"^\| (?:RCP )?`(\w+)`", DOC, flags=re.MULTILINE)

    assert set(rows) >= set(GUARDRAILS) | set(PERIMETER)


def test_the_sizes_quoted_are_the_prod_policies() -> None:
    spec = load_spec(REPO, "prod")
    assert spec.accounts is not None
    for policy in organization_policies(spec.organization_policies, spec.accounts, spec.regions):
        assert re.search(rf"`{policy.name}`[^,.]*?\s{policy.characters:,}\b", DOC), policy.name
