"""CloudFormation templates carried by resources (StackSets): which resources they create.

Templates come as JSON or YAML; YAML's short-form intrinsics (`!Ref X`, `!Equals [...]`) are
read as their long forms (`{"Ref": "X"}`, `{"Fn::Equals": [...]}`). PyYAML is a requirement
of the pulumi SDK, so the pack has it without a requirement of its own.

A resource with a `Condition` is created where the condition holds. Conditions over the
stack's parameters (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition) are evaluated with the
values the StackSet gives them, else their defaults (CloudFormation User Guide: Conditions);
one that depends on where the stack lands (AWS::Region, AWS::AccountId) holds somewhere, so it
counts as holding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml

# A value a condition cannot know in advance: it differs between the stack instances.
_VARIES = object()


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that reads CloudFormation's short-form intrinsic functions (libyaml's
    parser when PyYAML has it: a tenth of the pure-Python parser's time)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _intrinsic)


def load_template(body: str) -> Mapping[str, Any] | None:
    """The template as an object, or None when it is neither JSON nor YAML of an object."""
    try:
        # _TemplateLoader is a SafeLoader: it builds plain data only.
        loaded = (
            json.loads(body) if body.lstrip().startswith("{") else yaml.load(body, _TemplateLoader)
        )
    except (json.JSONDecodeError, yaml.YAMLError):
        return None
    return loaded if isinstance(loaded, Mapping) else None


def creates(template: Mapping[str, Any], resource_type: str, parameters: Mapping[str, Any]) -> bool:
    """Whether a stack of `template` with `parameters` creates a `resource_type` somewhere."""
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return False
    evaluator = _Conditions(template, parameters)
    return any(
        isinstance(r, Mapping)
        and r.get("Type") == resource_type
        and evaluator.holds(r.get("Condition"))
        for r in resources.values()
    )


class _Conditions:
    def __init__(self, template: Mapping[str, Any], parameters: Mapping[str, Any]) -> None:
        conditions = template.get("Conditions")
        self._conditions = conditions if isinstance(conditions, Mapping) else {}
        declared = template.get("Parameters")
        defaults = {
            name: spec["Default"]
            for name, spec in (declared.items() if isinstance(declared, Mapping) else [])
            if isinstance(spec, Mapping) and "Default" in spec
        }
        self._parameters = {**defaults, **parameters}

    def holds(self, name: Any) -> bool:
        if name is None:
            return True
        result = self._evaluate({"Condition": name}, depth=0)
        return result is _VARIES or bool(result)

    def _evaluate(self, expression: Any, depth: int) -> Any:
        if depth > 50:  # a condition that refers to itself
            return _VARIES
        if not isinstance(expression, Mapping) or len(expression) != 1:
            return expression
        ((function, argument),) = expression.items()
        if function == "Condition":
            return self._evaluate(self._conditions.get(argument), depth + 1)
        if function == "Ref":
            return self._parameters.get(argument, _VARIES)
        operands = (
            [self._evaluate(a, depth + 1) for a in argument] if isinstance(argument, list) else []
        )
        if function == "Fn::Equals" and len(operands) == 2:
            if _VARIES in operands:
                return _VARIES
            return str(operands[0]) == str(operands[1])
        if function == "Fn::Not" and len(operands) == 1:
            return _VARIES if operands[0] is _VARIES else not operands[0]
        if function in ("Fn::And", "Fn::Or"):
            return _combine(function, operands)
        return _VARIES


def _combine(function: str, operands: list[Any]) -> Any:
    decided = [bool(o) for o in operands if o is not _VARIES]
    if function == "Fn::And":
        return False if not all(decided) else (_VARIES if len(decided) < len(operands) else True)
    return True if any(decided) else (_VARIES if len(decided) < len(operands) else False)
