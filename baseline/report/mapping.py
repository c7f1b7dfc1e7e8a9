"""The compliance mapping of a policy pack, read from its `frameworks.py` without importing it.

The file holds plain literals (see `policies/frameworks.py`): importing the pack would need
its SDKs and start nothing useful, so each assignment is parsed and `ast.literal_eval`ed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline.problems import Problem, SpecError
from baseline.report.titles import control_title

MAPPING_FILE = "frameworks.py"
# In RESOURCE_TYPES: the policy evaluates every resource (the tag policy).
EVERY_RESOURCE = "*"
FRAMEWORK_FIELDS = ("name", "version", "specification")
TABLES = ("FRAMEWORKS", "CONTROLS", "CHECKS", "RESOURCE_TYPES")
# Tables a pack's mapping may leave out: guardrails by statement Sid, frameworks' whole catalogue.
OPTIONAL_TABLES = ("GUARDRAILS", "CATALOG")

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
        """The control's title: the framework's catalogue's, else the report's own table."""
        return self.catalog.get(framework, {}).get(control) or control_title(framework, control)


def natural_key(control: str) -> tuple[tuple[int, str], ...]:
    """Numbers compare as numbers: 2.1.4 < 3.1 < 10.2.1, AC-3 < AC-21, SC-28 < SC-28(1)."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"(\d+)", control))


def load_mapping(pack_dir: Path) -> ComplianceMapping:
    """Read `frameworks.py` of the pack in `pack_dir`; SpecError naming the file if unusable."""
    path = pack_dir / MAPPING_FILE
    tables = _literals(path)
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
    )


def _literals(path: Path) -> dict[str, Any]:
    """Each top-level `NAME = <literal>` (or annotated) assignment of the file."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except OSError as error:
        raise SpecError(
            [Problem(str(path), f"cannot read the compliance mapping: {error.strerror}")]
        ) from None
    except SyntaxError as error:
        raise SpecError([Problem(str(path), f"line {error.lineno}: {error.msg}")]) from None
    literals = {}
    for node in tree.body:
        target, value = _assignment(node)
        if target is None or value is None:
            continue
        try:
            literals[target] = ast.literal_eval(value)
        except ValueError:
            what = f"line {node.lineno}: {target} is not a plain literal"
            raise SpecError([Problem(str(path), what)]) from None
    return literals


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            return target.id, node.value
    return None, None


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
        *_catalog_problems(tables.get("CATALOG", {}), frameworks),
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


def _catalog_problems(catalog: Any, frameworks: dict[str, Any]) -> list[str]:
    if not _is_str_dict(catalog) or not all(
        _is_str_dict(titles) and all(isinstance(t, str) for t in titles.values())
        for titles in catalog.values()
    ):
        return ["CATALOG must map each framework to {control id: title}"]
    return [
        f"CATALOG names an unknown framework {framework!r}"
        for framework in catalog
        if framework not in frameworks
    ]


def _is_str_dict(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
