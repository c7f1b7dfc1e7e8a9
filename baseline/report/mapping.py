"""The compliance table of a policy pack: its `frameworks.py`, imported from the pack directory.

The file holds plain data (see `policies/frameworks.py`): it imports nothing, so the report
imports it on its own, without the pack's SDK, from the directory it is given
(`--policy-pack`). It is loaded under a name of its own, never registered as a module, so that
it neither shadows nor is shadowed by another `frameworks`. What it holds is checked before use:
a table of the wrong shape is an error naming the file, as is a file that does not import.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline.problems import Problem, SpecError

MAPPING_FILE = "frameworks.py"
# In RESOURCE_TYPES: the policy evaluates every resource (the tag policy).
EVERY_RESOURCE = "*"
FRAMEWORK_FIELDS = ("name", "version", "specification")
TABLES = ("FRAMEWORKS", "CONTROLS", "CHECKS", "RESOURCE_TYPES")
# Tables a pack's mapping may leave out: guardrails by statement Sid, frameworks' whole catalogue,
# the titles of the other frameworks' controls.
OPTIONAL_TABLES = ("GUARDRAILS", "CATALOG", "TITLES")

Table = dict[str, dict[str, list[str]]]


@dataclass(frozen=True)
class Supporters:
    """The policies, audit checks and guardrails that support one control."""

    policies: tuple[str, ...]
    checks: tuple[str, ...]
    guardrails: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplianceMapping:
    frameworks: dict[str, dict[str, str]]
    # policy name -> framework -> control ids
    policies: Table
    # audit check id -> framework -> control ids
    checks: Table
    # policy name -> resource types it evaluates
    resource_types: dict[str, list[str]]
    # guardrail (statement Sid of an organization policy) -> framework -> control ids
    guardrails: Table = field(default_factory=dict)
    # framework -> every control of it -> its title
    catalog: dict[str, dict[str, str]] = field(default_factory=dict)
    # framework -> the controls it cites -> their titles (frameworks without a catalogue)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)

    def controls(self, framework: str) -> dict[str, Supporters]:
        """Every control of `framework` that something supports, and every control of its
        catalogue, in natural order (3.2, 10.2.1)."""
        tables = (self.policies, self.checks, self.guardrails)
        ids = {
            control
            for table in tables
            for frameworks in table.values()
            for control in frameworks.get(framework, [])
        } | set(self.catalog.get(framework, {}))
        return {
            control: Supporters(
                *(
                    tuple(name for name, fw in table.items() if control in fw.get(framework, []))
                    for table in tables
                )
            )
            for control in sorted(ids, key=natural_key)
        }

    def title(self, framework: str, control: str) -> str:
        """The control's title: the framework's catalogue's, else the titles table's, else ""."""
        return (
            self.catalog.get(framework, {}).get(control)
            or self.titles.get(framework, {}).get(control)
            or ""
        )


def natural_key(control: str) -> tuple[tuple[int, str], ...]:
    """Numbers compare as numbers: 2.1.4 < 3.1 < 10.2.1, AC-3 < AC-21, SC-28 < SC-28(1)."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"(\d+)", control))


def load_mapping(pack_dir: Path) -> ComplianceMapping:
    """Import `frameworks.py` of the pack in `pack_dir`; SpecError naming the file if unusable."""
    path = pack_dir / MAPPING_FILE
    tables = _tables(path)
    missing = [f"{name} is missing" for name in TABLES if name not in tables]
    problems = missing or _shape_problems(tables)
    if problems:
        raise SpecError(Problem(str(path), what) for what in problems)
    return ComplianceMapping(
        frameworks=tables["FRAMEWORKS"],
        policies=tables["CONTROLS"],
        checks=tables["CHECKS"],
        resource_types=tables["RESOURCE_TYPES"],
        guardrails=tables.get("GUARDRAILS", {}),
        catalog=tables.get("CATALOG", {}),
        titles=tables.get("TITLES", {}),
    )


def _tables(path: Path) -> dict[str, Any]:
    """The tables the file defines, by name, once it has been imported."""
    spec = importlib.util.spec_from_file_location("_policy_pack_frameworks", path)
    assert spec is not None and spec.loader is not None  # a .py file always has a loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except OSError as error:
        what = f"cannot read the compliance mapping: {error.strerror}"
        raise SpecError([Problem(str(path), what)]) from None
    except SyntaxError as error:
        raise SpecError([Problem(str(path), f"line {error.lineno}: {error.msg}")]) from None
    # The file is the user's: whatever it raises becomes one error naming it, not a traceback.
    except Exception as error:  # noqa: BLE001
        what = f"does not import: {type(error).__name__}: {error}"
        raise SpecError([Problem(str(path), what)]) from None
    return {
        name: getattr(module, name) for name in (*TABLES, *OPTIONAL_TABLES) if hasattr(module, name)
    }


def _shape_problems(tables: dict[str, Any]) -> list[str]:
    frameworks = tables["FRAMEWORKS"]
    if not _is_str_dict(frameworks) or not all(
        _is_str_dict(info) and all(isinstance(info.get(f), str) for f in FRAMEWORK_FIELDS)
        for info in frameworks.values()
    ):
        fields = ", ".join(FRAMEWORK_FIELDS)
        return [f"FRAMEWORKS must map each framework to a dict with {fields}"]
    problems = [
        *_table_problems("CONTROLS", tables["CONTROLS"], frameworks),
        *_table_problems("CHECKS", tables["CHECKS"], frameworks),
        *_table_problems("GUARDRAILS", tables.get("GUARDRAILS", {}), frameworks),
        *_catalog_problems("CATALOG", tables.get("CATALOG", {}), frameworks),
        *_catalog_problems("TITLES", tables.get("TITLES", {}), frameworks),
    ]
    types = tables["RESOURCE_TYPES"]
    if not _is_str_dict(types) or not all(_is_str_list(v) for v in types.values()):
        problems.append("RESOURCE_TYPES must map each policy to a list of resource types")
    elif _is_str_dict(tables["CONTROLS"]):
        problems.extend(
            f"RESOURCE_TYPES has no entry for policy {name!r}"
            for name in tables["CONTROLS"]
            if name not in types
        )
    return problems


def _table_problems(name: str, table: Any, frameworks: dict[str, Any]) -> list[str]:
    if not _is_str_dict(table) or not all(
        _is_str_dict(row) and all(_is_str_list(ids) for ids in row.values())
        for row in table.values()
    ):
        return [f"{name} must map each name to {{framework: [control ids]}}"]
    return [
        f"{name}[{key!r}] names an unknown framework {framework!r}"
        for key, row in table.items()
        for framework in row
        if framework not in frameworks
    ]


def _catalog_problems(name: str, catalog: Any, frameworks: dict[str, Any]) -> list[str]:
    if not _is_str_dict(catalog) or not all(
        _is_str_dict(titles) and all(isinstance(t, str) for t in titles.values())
        for titles in catalog.values()
    ):
        return [f"{name} must map each framework to {{control id: title}}"]
    return [
        f"{name} names an unknown framework {framework!r}"
        for framework in catalog
        if framework not in frameworks
    ]


def _is_str_dict(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
