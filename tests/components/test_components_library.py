"""`components/` is the library app teams import: it depends on nothing of the baseline."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import REPO

COMPONENTS = REPO / "components"
BASELINE_PACKAGES = ("baseline", "policies")


def imported_modules(source: str) -> set[str]:
    """Every module a Python source imports, at any depth of its code (relative ones resolved
    against `components`)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add("components" if node.level else (node.module or ""))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            modules.add(str(node.args[0].value))
    return modules


def baseline_imports(path: Path) -> list[str]:
    return sorted(
        module
        for module in imported_modules(path.read_text())
        if module.split(".")[0] in BASELINE_PACKAGES
    )


def test_the_scan_sees_every_form_of_import() -> None:
    source = (
        "import baseline.spec\n"
        "from baseline.audit import permissions\n"
        "def late():\n"
        "    from policies import helpers\n"
        "    importlib.import_module('baseline.cli')\n"
    )
    assert sorted(imported_modules(source)) == [
        "baseline.audit",
        "baseline.cli",
        "baseline.spec",
        "policies",
    ]


def test_no_component_imports_the_baseline() -> None:
    sources = sorted(COMPONENTS.rglob("*.py"))
    # The scan reads the library's modules (the capabilities' components live in baseline/).
    assert {"auditor.py", "buckets.py", "lambda_function.py"} <= {path.name for path in sources}
    offenders = {
        str(path.relative_to(COMPONENTS)): imports
        for path in sources
        if (imports := baseline_imports(path))
    }
    assert offenders == {}
