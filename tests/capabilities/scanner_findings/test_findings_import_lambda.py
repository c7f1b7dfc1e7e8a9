"""The function as Lambda runs it: its directory as the import root, stdlib and boto3 only."""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.capabilities.scanner_findings.findings_import_harness import MOTO_ENVIRONMENT, load
from tests.paths import REPO

FUNCTION = REPO / "baseline/capabilities/scanner_findings/functions/findings_import"
# What the AWS Lambda Python 3.12 runtime provides besides the standard library.
RUNTIME_PACKAGES = {"boto3", "botocore"}


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports in a file (relative ones stay in the package)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_function_imports_only_the_standard_library_and_boto3():
    sources = sorted(FUNCTION.rglob("*.py"))
    allowed = set(sys.stdlib_module_names) | RUNTIME_PACKAGES

    outside = {
        f"{path.relative_to(FUNCTION)}: {name}"
        for path in sources
        for name in _imported_modules(path) - allowed
    }

    assert len(sources) > 5
    # handler.py's Lambda-side import of its own package is the one name not in the runtime.
    assert outside == {"handler.py: importer"}


def test_the_bundle_runs_with_its_directory_as_the_import_root(tmp_path):
    """A copy of the directory, imported as Lambda does, imports a report into moto."""
    task = tmp_path / "task"
    shutil.copytree(FUNCTION, task, ignore=shutil.ignore_patterns("__pycache__"))
    event = {
        "tool": "dependency-check",
        "report": load("dependency-check.json"),
        "source": {"repository": "orders-service", "branch": "main", "commit": "4f2c9a1e",
                   "build_id": "b-7"},
    }  # fmt: skip
    script = "\n".join(
        [
            "import json, sys",
            # Nothing of the repository may be importable: only the bundle itself.
            "sys.modules['components'] = sys.modules['baseline'] = None",
            "from moto import mock_aws",
            "with mock_aws():",
            "    import handler",
            "    result = handler.handler(json.load(sys.stdin), None)",
            "print(json.dumps({'result': result, 'module': handler.service.__name__}))",
        ]
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PYTHON"))
    }
    environment.update(MOTO_ENVIRONMENT)

    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=task,
        env=environment,
        input=json.dumps(event),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    output = json.loads(completed.stdout.strip().splitlines()[-1])
    assert output == {
        "result": {"imported": 6, "archived": 0, "failed": 0},
        "module": "importer.service",
    }
