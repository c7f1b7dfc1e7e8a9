"""Read a Pulumi project and one of its stacks the way the Pulumi CLI does, without the CLI.

The stack file is read with Pulumi's YAML rules. A program receives its configuration as
strings keyed `<namespace>:<key>`, structured values as JSON, secure values decrypted by the
engine. Offline nothing can decrypt them, so each secure value becomes a placeholder and its
key is reported as secret, as the engine would report it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from baseline.inputs import MAX_NESTING, MAX_STACK_FILE_BYTES, read_text
from baseline.problems import Problem, SpecError
from baseline.secret import SECRET_PLACEHOLDER, is_pulumi_secure_value

_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# Values of a stack file once its aliases are expanded; the prod stack has about 300.
MAX_YAML_VALUES = 100_000


@dataclass(frozen=True)
class StackFile:
    project: str
    stack: str
    path: Path
    # The raw `config:` mapping: fully-qualified keys, secure values still {secure: ...}.
    config: dict[str, Any]
    project_dir: Path
    runtime: object
    # The program, relative to the project directory, as `main:` in Pulumi.yaml names it.
    main: str
    # Defaults the project file declares for config keys (`config: {key: {default: ...}}`).
    project_defaults: dict[str, Any]


def load_stack_file(project_dir: Path, stack: str) -> StackFile:
    """`Pulumi.yaml` and `Pulumi.<stack>.yaml` of `project_dir`; SpecError naming the file."""
    if not _STACK_NAME.fullmatch(stack):
        raise SpecError([Problem("--stack", f"{stack!r} is not a stack name (A-Za-z0-9_.-)")])
    directory = project_dir.resolve()
    project = _read_yaml(project_dir / "Pulumi.yaml", f"no Pulumi project file in {directory}")
    name = project.get("name") if isinstance(project, Mapping) else None
    if not isinstance(name, str) or not name:
        raise SpecError([Problem("Pulumi.yaml", "must name the project (name: <project>)")])
    path = project_dir / f"Pulumi.{stack}.yaml"
    document = _read_yaml(path, f"no such stack file in {directory}")
    if not isinstance(document, Mapping | None):
        raise SpecError([Problem(path.name, "must be a mapping with a config: key")])
    config = (document or {}).get("config")
    if not isinstance(config, dict | None):
        what = "config: must be a mapping of <namespace>:<key> to values"
        raise SpecError([Problem(path.name, what)])
    return StackFile(
        project=name,
        stack=stack,
        path=path,
        config=_qualified(config or {}, name, path.name),
        project_dir=directory,
        runtime=_runtime_name(project),
        main=str(project.get("main") or "."),
        project_defaults=_project_defaults(project, name),
    )


def _qualified(config: Mapping[object, Any], project: str, file_name: str) -> dict[str, Any]:
    """Keys as Pulumi reads them: a key without a namespace is in the project's."""
    qualified: dict[str, Any] = {}
    for key, value in config.items():
        full_key = str(key) if ":" in str(key) else f"{project}:{key}"
        if full_key in qualified:
            what = f"config: {key} is {full_key}, which is set twice"
            raise SpecError([Problem(file_name, what)])
        qualified[full_key] = value
    return qualified


class _PulumiYamlLoader(yaml.SafeLoader):
    """Reads YAML as Pulumi does: the YAML 1.2 core schema, and duplicate keys are errors.

    PyYAML follows YAML 1.1, where `no` is false, `2024-01-01` a date and an unquoted
    `012345678901` a string; Pulumi reads the first two as strings and the last as a number,
    which loses the account id's leading zero. Validation must see what Pulumi will see.

    Within limits: nesting deeper than MAX_NESTING stops the composer (which recurses), and
    `load_yaml` counts the values a document holds once its aliases are expanded before any
    of them is built (an alias bomb is a few hundred bytes that expand to billions).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested deeper than {MAX_NESTING} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a list or mapping as a key: keys must be strings",
                    key_node.start_mark,
                )
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Pulumi's YAML reader (Go) holds integers in 64 bits; Python would take any length and fail
# only when printing one of more than 4,300 digits.
_INTEGER_RANGE = range(-(2**63), 2**64)
_INTEGER_DIGITS = 20


def _construct_core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    bases = {"0o": 8, "0x": 16}
    digits = text[2:] if text[:2] in bases else text.lstrip("+-")
    value = None
    if len(digits) <= _INTEGER_DIGITS * 2:  # hexadecimal or with leading zeros
        value = int(text[2:], bases[text[:2]]) if text[:2] in bases else int(text, 10)
    if value is None or value not in _INTEGER_RANGE:
        raise yaml.constructor.ConstructorError(
            None, None, f"integer of {len(digits)} digits: at most 64 bits", node.start_mark
        )
    return value


def _use_yaml_core_schema(loader: type[yaml.SafeLoader]) -> None:
    yaml_11_only = {f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float", "timestamp")}
    loader.yaml_implicit_resolvers = {
        first: [(tag, regex) for tag, regex in resolvers if tag not in yaml_11_only]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    core = (
        ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
        ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
        ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", "-+.0123456789"),
        ("float", r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+."),
    )
    for tag, regex, first in core:
        loader.add_implicit_resolver(
            f"tag:yaml.org,2002:{tag}", re.compile(f"^(?:{regex})$"), first
        )
    loader.add_constructor("tag:yaml.org,2002:int", _construct_core_int)


_use_yaml_core_schema(_PulumiYamlLoader)


def load_yaml(text: str, where: str) -> Any:
    """The value of one YAML document, read as Pulumi reads it, within the limits."""
    loader = _PulumiYamlLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        values = expanded_size(root, MAX_YAML_VALUES)
        if values > MAX_YAML_VALUES:
            what = (
                f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded: "
                "too many, too deeply nested or self-referencing aliases"
            )
            raise SpecError([Problem(where, what)])
        return loader.construct_document(root)
    finally:
        loader.dispose()


def expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values the node holds with every alias expanded, counting up to `limit` + 1.

    PyYAML shares an aliased node; counting each node once per path to it is counting the
    expansion, memoized so that the count costs one visit per distinct node. An alias to the
    node that contains it (endless expansion) counts as over the limit.
    """
    sizes: dict[int, int] = {}
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while pending:
        node, children_done = pending.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(id(node))
            sizes[id(node)] = min(limit + 1, 1 + sum(sizes[id(child)] for child in children))
            continue
        if id(node) in open_nodes:
            return limit + 1
        open_nodes.add(id(node))
        pending.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                return limit + 1
            pending.append((child, False))
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _read_yaml(path: Path, missing: str) -> Any:
    text = read_text(path, MAX_STACK_FILE_BYTES, path.name, missing)
    try:
        return load_yaml(text, path.name)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        raise SpecError([Problem(where, f"invalid YAML: {error.problem}")]) from None
    except yaml.reader.ReaderError as error:
        character = chr(error.character) if isinstance(error.character, int) else error.character
        what = f"invalid YAML: {error.reason}: {character!a} at character {error.position}"
        raise SpecError([Problem(path.name, what)]) from None
    except yaml.YAMLError as error:
        raise SpecError(
            [Problem(path.name, f"invalid YAML: {' '.join(str(error).split())}")]
        ) from None


def _runtime_name(project: Mapping[str, Any]) -> object:
    runtime = project.get("runtime")
    return runtime.get("name") if isinstance(runtime, Mapping) else runtime


def python_program(stack_file: StackFile) -> Path:
    """The Python program the stack runs; SpecError if the project is not a Python one."""
    if stack_file.runtime != "python":
        raise SpecError([Problem("Pulumi.yaml", f"runtime {stack_file.runtime!r} is not python")])
    main = stack_file.project_dir / stack_file.main
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise SpecError([Problem("Pulumi.yaml", f"no program at {main}")])
    return main


def _project_defaults(project: Mapping[str, Any], name: str) -> dict[str, Any]:
    declared = project.get("config") or {}
    if not isinstance(declared, Mapping):
        raise SpecError([Problem("Pulumi.yaml", "config: must be a mapping")])
    defaults: dict[str, Any] = {}
    for key, value in declared.items():
        full_key = str(key) if ":" in str(key) else f"{name}:{key}"
        if isinstance(value, Mapping) and ("default" in value or "value" in value):
            defaults[full_key] = value.get("default", value.get("value"))
        elif not isinstance(value, Mapping):
            defaults[full_key] = value
    return defaults


def _mask_secure(value: Any) -> tuple[Any, bool]:
    """The value with every secure leaf replaced by a placeholder, and whether there was one."""
    if is_pulumi_secure_value(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, Mapping):
        masked = {key: _mask_secure(item) for key, item in value.items()}
        return {key: item for key, (item, _) in masked.items()}, any(s for _, s in masked.values())
    if isinstance(value, list):
        items = [_mask_secure(item) for item in value]
        return [item for item, _ in items], any(s for _, s in items)
    return value, False


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def program_config(stack_file: StackFile) -> tuple[dict[str, str], tuple[str, ...]]:
    """The config a program of this stack receives, and which of its keys are secret."""
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in {**stack_file.project_defaults, **stack_file.config}.items():
        masked, secret = _mask_secure(value)
        config[key] = _as_config_string(masked)
        if secret:
            secret_keys.append(key)
    return config, tuple(secret_keys)
