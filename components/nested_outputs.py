"""Apply a function to a structure once the Outputs nested in it have resolved, cheaply.

`pulumi.Output.from_input(value).apply(func)` builds an Output, an `Output.all` and a task for
every dict and list nested in `value` (a policy document has dozens), although only a few
leaves are Outputs. `resolved_apply` waits on those leaves alone; the result carries the same
dependencies, secrecy and unknown-ness as `from_input` gives it (that of the leaves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import pulumi

T = TypeVar("T")


def nested_outputs(value: Any) -> list[pulumi.Output[Any]]:
    """The Outputs in `value`, its dicts' values and its lists' and tuples' items, in order."""
    if isinstance(value, pulumi.Output):
        return [value]
    if isinstance(value, Mapping):
        return [output for item in value.values() for output in nested_outputs(item)]
    if isinstance(value, list | tuple):
        return [output for item in value for output in nested_outputs(item)]
    return []


def _substituted(value: Any, resolved: Iterator[Any]) -> Any:
    """`value` with its nested Outputs replaced, in `nested_outputs` order, by `resolved`."""
    if isinstance(value, pulumi.Output):
        return next(resolved)
    if isinstance(value, Mapping):
        return {key: _substituted(item, resolved) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_substituted(item, resolved) for item in value)
    if isinstance(value, list):
        return [_substituted(item, resolved) for item in value]
    return value


def resolved_apply(value: Any, func: Callable[[Any], T]) -> pulumi.Output[T]:
    """`func(value)` with every Output nested in `value` replaced by its value.

    An Output's value may itself hold Outputs (an `apply` that returned a list of them): they
    are resolved in turn before `func` runs.
    """
    if isinstance(value, pulumi.Output):
        # apply, not Output.all: `all` would rebuild the value's nested dicts as Outputs.
        return value.apply(lambda inner: resolved_apply(inner, func))
    outputs = nested_outputs(value)
    if not outputs:
        return pulumi.Output.all().apply(lambda _: func(value))
    return pulumi.Output.all(*outputs).apply(
        lambda values: resolved_apply(_substituted(value, iter(values)), func)
    )
