"""The stack's current state, from `pulumi stack export --file FILE` (optional).

Without it the preflight assumes a first deployment: everything that exists collides. With
it, a resource the stack already manages is what the plan manages, not a collision, and the
stack's outputs (the Macie remediation role) are known.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline.preflight.planned import STACK_TYPE
from baseline.problems import Problem, SpecError


@dataclass(frozen=True)
class StackState:
    # URN -> the resource's id ("" for components and the stack).
    resources: Mapping[str, str] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)

    def manages(self, urn: str) -> bool:
        return urn in self.resources

    def output(self, name: str) -> str | None:
        value = self.outputs.get(name)
        return value if isinstance(value, str) else None


FIRST_DEPLOYMENT = StackState()


def load_state(path: Path | None) -> StackState:
    """The export at `path` (`{"version": 3, "deployment": {"resources": [...]}}`), or an empty
    state; SpecError when the file is not such an export."""
    if path is None:
        return FIRST_DEPLOYMENT
    try:
        document = json.loads(path.read_text())
        resources = document["deployment"].get("resources") or []
        by_urn = {str(item["urn"]): str(item.get("id", "")) for item in resources}
    except OSError as error:
        raise SpecError([Problem("--state", f"{path}: {error.strerror}")]) from None
    except (ValueError, KeyError, TypeError, AttributeError):
        what = f"{path}: not the JSON of `pulumi stack export` (deployment.resources[].urn)"
        raise SpecError([Problem("--state", what)]) from None
    stack: dict[str, Any] = next((r for r in resources if r.get("type") == STACK_TYPE), {})
    return StackState(resources=by_urn, outputs=stack.get("outputs") or {})
