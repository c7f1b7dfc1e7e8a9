"""Write policies/iam_actions.json: the IAM actions the policy pack knows, per service prefix.

The pack checks that every action a policy document names exists. It used to ask parliament,
whose import parses a 10 MB database (service names, descriptions, resource types, condition
keys) when the pack needs only each service's prefix and action names: 450 KB. This keeps
parliament as the source: `make iam-actions` regenerates the file from the parliament pinned
in pyproject.toml, and tests/test_iam_actions.py fails when the committed file differs.

Services stay in parliament's order and keep their duplicates (several services share a
prefix), so that expanding a wildcard gives what parliament's `expand_action` gives.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata, util
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "policies" / "iam_actions.json"


def iam_actions() -> dict[str, Any]:
    """The file's content, from the installed parliament's IAM definition."""
    # Read, not imported: importing parliament parses the whole file and warns about pkg_resources.
    spec = util.find_spec("parliament")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("parliament is not installed: pip install -e '.[dev]'")
    package = Path(next(iter(spec.submodule_search_locations)))
    definition = json.loads((package / "iam_definition.json").read_text())
    return {
        "source": f"parliament {metadata.version('parliament')} iam_definition.json",
        "services": [
            [service["prefix"], [privilege["privilege"] for privilege in service["privileges"]]]
            for service in definition
        ],
    }


def render(content: dict[str, Any]) -> str:
    """One service per line: small diffs when parliament's data changes."""
    lines = [f'{{"source": {json.dumps(content["source"])},', '"services": [']
    services = content["services"]
    for index, service in enumerate(services):
        comma = "," if index < len(services) - 1 else ""
        lines.append(json.dumps(service, separators=(",", ":")) + comma)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main() -> int:
    TARGET.write_text(render(iam_actions()))
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
