"""docs/organization-policies.md keeps up with the guardrails and the prod policies' sizes."""

import re

from baseline.capabilities.organization_policies.catalog import GUARDRAILS
from baseline.capabilities.organization_policies.data_perimeter import PREVENTS as PERIMETER
from baseline.capabilities.organization_policies.grouping import organization_policies
from baseline.spec_loader import load_spec
from tests.paths import REPO

DOC = (REPO / "docs" / "organization-policies.md").read_text(encoding="utf-8")


def test_the_table_names_every_guardrail() -> None:
    rows = re.findall(r"^\| (?:RCP )?`(\w+)`", DOC, flags=re.MULTILINE)

    assert set(rows) >= set(GUARDRAILS) | set(PERIMETER)


def test_the_sizes_quoted_are_the_prod_policies() -> None:
    spec = load_spec(REPO, "prod")
    assert spec.accounts is not None
    for policy in organization_policies(spec.organization_policies, spec.accounts, spec.regions):
        assert re.search(rf"`{policy.name}`[^,.]*?\s{policy.characters:,}\b", DOC), policy.name
