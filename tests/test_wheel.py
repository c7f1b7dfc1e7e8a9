"""The built wheel carries the components and their run-time data, and installs cleanly.

The wheel is built as a PEP 517 front end (pip, build) builds it without build isolation:
offline, by calling the `build_wheel` hook of the backend pyproject.toml declares, from the
setuptools of this virtualenv, which `make setup` pins (policies/requirements.txt) to the
version pyproject.toml requires; the first test checks that they agree. (pip would start
itself and then the hook's own process: a second more for the same wheel.) It builds from a
copy of the sources, so that neither an earlier build's leftovers (`build/`) end up in the
wheel nor the build writes into the repository.

The wheel then goes, without dependencies, into a virtualenv created without system site
packages; its interpreter finds pulumi and the other dependencies through PYTHONPATH pointing
at this project's site-packages (installing them offline would take minutes), and runs from
outside the repository so that only the installed copy of `components` can be imported.
"""

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCES = shutil.ignore_patterns(
    ".venv",
    "venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".mutation",
    ".hypothesis",
)
REQUIRED_FILES = (
    "components/__init__.py",
    "components/topics.py",
    "baseline/capabilities/scanner_findings/functions/findings_import/handler.py",
    "baseline/capabilities/config/conformance_packs/baseline.yaml",
    "baseline/capabilities/guardrails/cloudformation/account_guardrails.yaml",
    "baseline/cli.py",
)
# PEP 517: the front end imports the declared backend in the source tree and calls its hook.
BUILD_WHEEL = """
import importlib, sys
print(importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2]))
"""
IMPORT_CHECK = """
import json
import components
from components import SecureBucket, EncryptedTopic, ManagedKey
from components import SecureLogGroup, SecureQueue, ProtectedLoadBalancer
from baseline.capabilities.config.component import PACKS_DIR
from baseline.capabilities.guardrails.component import HANDLER_PATH, TEMPLATE_PATH
print(json.dumps({
    "components": components.__file__,
    "data": [str(PACKS_DIR / "baseline.yaml"), str(TEMPLATE_PATH), str(HANDLER_PATH)],
}))
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=240, check=False, **kwargs
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    scratch = tmp_path_factory.mktemp("wheel")
    sources = scratch / "security-baseline"
    shutil.copytree(REPO, sources, ignore=NOT_SOURCES)
    dist = scratch / "dist"
    backend = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["build-backend"]
    run([sys.executable, "-c", BUILD_WHEEL, backend, str(dist)], cwd=sources)
    (built,) = dist.glob("security_baseline-*.whl")
    return built


def test_the_build_backend_is_the_one_the_project_declares():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    assert declared == [f"setuptools=={metadata.version('setuptools')}"]


def test_the_wheel_carries_the_packages_and_the_data_components_read(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in REQUIRED_FILES if name not in names]
    assert missing == []
    sources = {
        path.relative_to(REPO).as_posix()
        for pattern in (
            "baseline/capabilities/*/conformance_packs/*.yaml",
            "baseline/capabilities/*/cloudformation/*.yaml",
            "baseline/capabilities/*/functions/**/*.py",
        )
        for path in REPO.glob(pattern)
    }
    assert sources - names == set()
    assert not [name for name in names if name.startswith(("tests/", "policies/", "examples/"))]


def test_a_clean_virtualenv_imports_the_components_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    install = ["install", "-q", "--no-deps", str(wheel)]
    run([sys.executable, "-m", "pip", "--python", str(python), *install])
    dependencies = sysconfig.get_paths()["purelib"]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    completed = run(
        [str(python), "-c", IMPORT_CHECK],
        cwd=outside,
        env={"PYTHONPATH": dependencies, "PATH": "/usr/bin:/bin"},
    )
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    assert Path(found["components"]).is_relative_to(venv)
    for data in found["data"]:
        assert Path(data).is_relative_to(venv)
        assert Path(data).is_file()
    assert (venv / "bin" / "baseline").is_file()


def _requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(name).decode().splitlines()
    prefix = "Requires-Dist:"
    return [Requirement(line.removeprefix(prefix)) for line in lines if line.startswith(prefix)]


def test_the_library_needs_pulumi_and_pulumi_aws_alone_in_major_version_ranges(wheel):
    requirements = _requirements(wheel)
    library = {r.name: str(r.specifier) for r in requirements if r.marker is None}
    assert library == {"pulumi": "<4,>=3.272.0", "pulumi-aws": "<8,>=7.51.1"}
    cli = {r.name for r in requirements if r.marker and r.marker.evaluate({"extra": "cli"})}
    assert {"boto3", "pyyaml", "cerberus", "jsonschema", "pulumi-policy"} <= cli


def _constraints() -> dict[str, str]:
    lines = (REPO / "constraints.txt").read_text().splitlines()
    pins = [Requirement(line) for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(pin.name): str(pin.specifier).removeprefix("==") for pin in pins}


def test_the_constraints_pin_every_declared_dependency_inside_its_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["cli"]]
    declared += project["optional-dependencies"]["dev"]
    pins = _constraints()
    for line in declared:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned), f"{requirement.name}=={pinned} vs {line}"


def test_make_setup_installed_what_the_constraints_pin():
    pins = _constraints()
    # This virtualenv's packages alone: tests put other directories on sys.path.
    here = metadata.distributions(path=[sysconfig.get_paths()["purelib"]])
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in here}
    differing = {name: (pin, installed.get(canonicalize_name(name))) for name, pin in pins.items()}
    assert {name: pair for name, pair in differing.items() if pair[0] != pair[1]} == {}
