"""The prod and dev plans keep the identity of every resource a deployed stack holds.

A URN is a deployed resource's identity: a changed type token, name or parent makes
`pulumi up` replace the resource (delete the trail, the detector, the keys...). The files
under fixtures/plan_urns/ are the plans' URNs as deployed stacks know them; regenerate them
only for a change that is meant to replace resources, and say so in its commit.
"""

from pathlib import Path

import pytest

from baseline.preview.engine import plan_project
from baseline.project import load_stack_file

ROOT = Path(__file__).resolve().parent.parent
KNOWN_URNS = Path(__file__).parent / "fixtures" / "plan_urns"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_plan_urns_are_the_deployed_ones(stack: str) -> None:
    plan = plan_project(load_stack_file(ROOT, stack))
    known = set(KNOWN_URNS.joinpath(f"{stack}.txt").read_text().split())
    planned = {resource.urn for resource in plan.resources}
    assert sorted(planned - known) == [], "new URNs: a resource renamed or moved is replaced"
    assert sorted(known - planned) == [], "URNs gone: a deployed resource would be deleted"
