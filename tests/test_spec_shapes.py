"""Any value of the wrong shape anywhere in a spec is a reported problem, never a crash."""

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baseline.problems import SpecError
from baseline.project import load_stack_file
from baseline.spec import CONFIG_KEY, parse_spec

ROOT = Path(__file__).parent.parent
PROD = load_stack_file(ROOT, "prod").config[CONFIG_KEY]
# Each path gets one of these, in turn: a null, a list where anything else was, a mapping.
WRONG_SHAPES: tuple[Any, ...] = (None, [None, "x"], {"unexpected": [1]}, 7)

Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every place of the document; lists only through their first item (same rules)."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list) and value:
        yield from paths(value[0], (*prefix, 0))


def replaced(document: Any, path: Path_, new: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


PATHS = list(paths(PROD))
CASES = [
    pytest.param(path, WRONG_SHAPES[index % len(WRONG_SHAPES)], id=".".join(map(str, path)))
    for index, path in enumerate(PATHS)
]


@pytest.mark.parametrize(("path", "wrong"), CASES)
def test_a_wrong_shape_is_a_problem_not_a_crash(path: Path_, wrong: Any) -> None:
    try:
        parse_spec(replaced(PROD, path, wrong), aws_region="us-east-1")
    except SpecError as error:
        assert error.problems
        assert all(str(p).startswith("error: ") for p in error.problems)


def test_the_cases_cover_the_whole_prod_spec() -> None:
    assert {path[0] for path in PATHS} == set(PROD)
