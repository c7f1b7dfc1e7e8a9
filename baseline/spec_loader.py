"""The spec from the stack config key `security-baseline:baseline`: read, validated, parsed.

`load_spec` reads it from `Pulumi.<stack>.yaml` (for `baseline validate`);
`spec_from_pulumi_config` reads it inside a running Pulumi program. Both validate it against
`baseline.schema` (each capability's section rules) and return the typed `Spec`, each section
parsed by its capability with every default applied, or raise `SpecError` with every problem
found.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pulumi

from baseline.capabilities.registry import CAPABILITIES
from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file
from baseline.regions import region_problem, yaml_type
from baseline.schema import format_path, validate
from baseline.secret import Secret
from baseline.spec import Spec

CONFIG_KEY = "security-baseline:baseline"
CONFIG_NAMESPACE = "security-baseline:"
# How a project lets a stack file leave the spec out (every default): a project-level value,
# which Pulumi gives every stack (objects sit under `value:` in Pulumi.yaml's `config:`).
EMPTY_SPEC_DECLARATION = "config: {security-baseline:baseline: {value: {}}} in Pulumi.yaml"


def parse_spec(
    document: object, *, aws_region: str | None = None, secrets_decrypted: bool = False
) -> Spec:
    """Validate and normalize the value of `security-baseline:baseline`.

    `secrets_decrypted`: False for a stack file, where secret fields must be
    `{secure: <ciphertext>}`; True inside a Pulumi program, which sees them decrypted.
    """
    problems = []
    if aws_region is not None and (region_error := region_problem(aws_region)):
        problems.append(Problem("aws:region", region_error))
        aws_region = None
    if not isinstance(document, Mapping):
        problems.append(Problem("baseline", "must be a mapping of sections to settings"))
        raise SpecError(problems)
    problems.extend(_non_string_keys(document))
    if problems:
        raise SpecError(problems)
    normalized, found = validate(
        document, aws_region=aws_region, secrets_decrypted=secrets_decrypted
    )
    problems.extend(Problem(where, what) for where, what in found)
    if problems:
        raise SpecError(problems)
    spec = _build_spec(normalized)
    problems.extend(_cross_section_problems(spec))
    if problems:
        raise SpecError(problems)
    return spec


def _non_string_keys(document: Mapping[str, Any]) -> list[Problem]:
    """Keys that are not strings: the program reads the spec as JSON, whose keys are strings."""
    problems = []
    pending: list[tuple[tuple[object, ...], object]] = [((), document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str):
                    pending.append(((*path, key), item))
                else:
                    what = f"the key {yaml_type(key)} must be a string: quote it"
                    problems.append(Problem(format_path(path), what))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
    return problems


def _cross_section_problems(spec: Spec) -> list[Problem]:
    """What each capability requires of the other sections: a topic it names exists, an
    organization it needs is there."""
    return [problem for capability in CAPABILITIES for problem in capability.problems(spec)]


def config_key_problems(
    keys: Iterable[str], file_name: str, *, spec_declared: bool = False
) -> list[Problem]:
    """The stack's config keys, as the baseline reads them: a misspelt key is never ignored.

    Every `security-baseline:*` key other than the spec's is an error, and so is a stack
    without the spec key, unless the project gives it a value (`spec_declared`). A key close
    to the spec's is named as the probable misspelling.
    """
    keys = list(keys)
    problems = [
        Problem(file_name, f"{key}: unknown key{_did_you_mean(key)}")
        for key in keys
        if key.startswith(CONFIG_NAMESPACE) and key != CONFIG_KEY
    ]
    if CONFIG_KEY in keys or spec_declared:
        return problems
    misspelt = difflib.get_close_matches(CONFIG_KEY, keys, n=1, cutoff=0.8)
    if misspelt and misspelt[0].startswith(CONFIG_NAMESPACE):
        return problems  # already reported, with the right key
    hint = f" (is {misspelt[0]} a misspelling of it?)" if misspelt else ""
    what = (
        f"no {CONFIG_KEY} key{hint}: declare the spec there, or let every stack of the "
        f"project use the defaults with {EMPTY_SPEC_DECLARATION}"
    )
    return [*problems, Problem(file_name, what)]


def _did_you_mean(key: str) -> str:
    # The names after the namespace: the shared prefix would make any key look close.
    name, spec_name = key.removeprefix(CONFIG_NAMESPACE), CONFIG_KEY.removeprefix(CONFIG_NAMESPACE)
    if difflib.get_close_matches(name, [spec_name], n=1):
        return f" (did you mean {CONFIG_KEY}?)"
    return f": the baseline reads only {CONFIG_KEY}"


def spec_from_stack_file(stack_file: StackFile) -> Spec:
    """The spec of a stack file, or of the project's value for it; see config_key_problems."""
    declared = CONFIG_KEY in stack_file.project_defaults
    problems = config_key_problems(stack_file.config, stack_file.path.name, spec_declared=declared)
    if problems:
        raise SpecError(problems)
    document = stack_file.config.get(CONFIG_KEY, stack_file.project_defaults.get(CONFIG_KEY))
    try:
        return parse_spec(
            document,
            aws_region=stack_file.config.get("aws:region"),
            secrets_decrypted=False,
        )
    except SpecError as error:
        raise SpecError(_in_file(p, stack_file.path.name) for p in error.problems) from None


def load_spec(project_dir: Path, stack: str) -> Spec:
    return spec_from_stack_file(load_stack_file(project_dir, stack))


def spec_from_pulumi_config() -> Spec:
    """The spec of the running Pulumi program's stack, as the engine decrypted it."""
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    problems = config_key_problems(_running_config_keys(), stack_file)
    if problems:
        raise SpecError(problems)
    try:
        document = pulumi.Config("security-baseline").get_object("baseline")
    except pulumi.ConfigTypeError:
        raise SpecError([Problem("baseline", "is not a JSON object")]) from None
    spec = parse_spec(
        document, aws_region=pulumi.Config("aws").get("region"), secrets_decrypted=True
    )
    if _holds_secret(spec) and not pulumi.runtime.is_config_secret(CONFIG_KEY):
        what = "holds secret values, but the config key is not a Pulumi secret: set them with "
        what += "pulumi config set --secret --path"
        raise SpecError([Problem("baseline", what)])
    return spec


def _running_config_keys() -> list[str]:
    """Every config key the engine gave the program (project-level values included)."""
    given = {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return list(given)


def _in_file(problem: Problem, file_name: str) -> Problem:
    if problem.where.startswith("baseline"):
        return problem
    return Problem(file_name, f"{problem.where}: {problem.what}")


def _holds_secret(value: object) -> bool:
    if isinstance(value, Secret):
        return True
    if is_dataclass(value):
        return any(_holds_secret(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, Mapping):
        return any(_holds_secret(v) for v in value.values())
    return isinstance(value, tuple) and any(_holds_secret(v) for v in value)


def _build_spec(document: Mapping[str, Any]) -> Spec:
    """Each capability's section, parsed in the registry's order, into the typed spec."""
    sections: dict[str, Any] = {
        capability.name: capability.parse(document.get(capability.name), document)
        for capability in CAPABILITIES
    }
    return Spec(**sections)
