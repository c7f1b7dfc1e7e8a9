"""`check_with` callables the sections' cerberus schemas share.

Cerberus calls each with the field's name, its value and its error callback; a check reports
through that callback, so its problems come out with the others, one line each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cerberus import errors as cerberus_errors

from baseline.regions import region_problem

ErrorCallback = Callable[..., None]
Check = Callable[[Any, Any, ErrorCallback], None]


def matches(pattern: str, description: str) -> Check:
    """The whole string matches `pattern`; the problem says what it must be."""
    regex = re.compile(pattern)

    def check(field: Any, value: Any, error: ErrorCallback) -> None:
        if isinstance(value, str) and not regex.fullmatch(value):
            error(field, f"must be {description}, got {value!r}")

    return check


def aws_region(field: Any, value: Any, error: ErrorCallback) -> None:
    problem = region_problem(value)
    if problem:
        error(field, problem)


def not_blank(field: Any, value: Any, error: ErrorCallback) -> None:
    if isinstance(value, str) and not value.strip():
        error(field, "must not be blank")


def no_duplicates(field: Any, value: Any, error: ErrorCallback) -> None:
    if isinstance(value, list):
        for item in {item for item in value if isinstance(item, str) and value.count(item) > 1}:
            error(field, f"{item!r} is listed twice")


def unique(key: str, what: str) -> Check:
    """No two mappings of a list share the value of `key`."""

    def check(field: Any, value: Any, error: ErrorCallback) -> None:
        names = [item.get(key) for item in value if isinstance(item, Mapping)]
        for name in sorted({n for n in names if isinstance(n, str) and names.count(n) > 1}):
            error(field, f"two {what} have the {key} {name!r}")

    return check


def nested_error(error: ErrorCallback, path: Sequence[str | int], message: str) -> None:
    """Report `message` at `path` below the section.

    For checks attached to a section itself, at the root of the spec, whose field name is the
    first element of `path`: cerberus then takes `path` as the problem's full location.
    """
    custom = cerberus_errors.CUSTOM.code
    error([cerberus_errors.ValidationError(tuple(path), (), custom, None, None, None, (message,))])


def mappings(value: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The (index, item) pairs of `value[key]` that are mappings (checks also see invalid input)."""
    items = value.get(key) if isinstance(value, Mapping) else None
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, Mapping)]
