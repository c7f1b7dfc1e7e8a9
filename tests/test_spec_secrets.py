"""No problem ever prints a value at a path of the spec that takes a secret.

The paths come from the schema (`secret: True` rules), not from a list here: a new secret
field is covered as soon as the schema marks it. Each path, and each path that contains it,
gets values of every wrong shape that carry a recognizable secret.
"""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

import pytest

from baseline.problems import SpecError
from baseline.project import load_stack_file
from baseline.schema import SECRET_PATHS, SecretPath, format_path
from baseline.spec_loader import CONFIG_KEY, parse_spec

ROOT = Path(__file__).parent.parent
PROD = load_stack_file(ROOT, "prod").config[CONFIG_KEY]
SECRET = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
WRONG_SHAPES: tuple[Any, ...] = (
    SECRET,
    [SECRET],
    {"value": SECRET},
    {SECRET: "x"},
    [{"secure": SECRET, "extra": SECRET}],
    {"secure": [SECRET]},
)


def concrete(path: SecretPath) -> tuple[str | int, ...]:
    """A real path for a schema path: the first key of a mapping, the first item of a list."""
    parts: list[str | int] = []
    for step in path:
        parts.append(step if isinstance(step, str) else 0 if step.name == "INDEX" else "pager")
    return tuple(parts)


def with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(PROD)
    target: Any = document
    for step, following in itertools.pairwise(path):
        if isinstance(target, dict) and not isinstance(target.get(step), dict | list):
            target[step] = [] if isinstance(following, int) else {}
        elif isinstance(target, list) and len(target) <= int(step):
            target.append([] if isinstance(following, int) else {})
        target = target[step]
    if isinstance(target, list) and len(target) <= int(path[-1]):
        target.append(value)
    else:
        target[path[-1]] = value
    return document


CASES = [
    pytest.param(
        path[:depth], shape, decrypted, id=f"{format_path(path[:depth])}-{index}-{decrypted}"
    )
    for path in map(concrete, SECRET_PATHS)
    for depth in range(1, len(path) + 1)
    for index, shape in enumerate(WRONG_SHAPES)
    for decrypted in (False, True)
]


def test_the_schema_marks_every_secret_the_spec_takes() -> None:
    shown = {format_path(concrete(path)) for path in SECRET_PATHS}

    assert shown == {
        "baseline.macie.remediation.slack.signing_secret",
        "baseline.macie.remediation.slack.webhook_url",
        "baseline.notifications.topics.pager.https_endpoints[0]",
    }


@pytest.mark.parametrize(("path", "value", "decrypted"), CASES)
def test_a_wrong_value_where_a_secret_goes_is_never_printed(
    path: tuple[str | int, ...], value: Any, decrypted: bool
) -> None:
    document = with_value(path, value)

    with pytest.raises(SpecError) as raised:
        parse_spec(document, aws_region="us-east-1", secrets_decrypted=decrypted)

    printed = "\n".join(str(problem) for problem in raised.value.problems)
    assert printed.startswith("error: ")
    assert "hooks.slack.com" not in printed


def test_the_problem_still_says_what_is_wrong() -> None:
    path = ("notifications", "topics", "pager", "https_endpoints")

    with pytest.raises(SpecError) as raised:
        parse_spec(with_value(path, SECRET), aws_region="us-east-1")

    assert [str(problem) for problem in raised.value.problems] == [
        "error: baseline.notifications.topics.pager.https_endpoints: must be a list, "
        "got string (not shown: the path takes a secret)"
    ]


def test_values_elsewhere_are_still_shown() -> None:
    with pytest.raises(SpecError) as raised:
        parse_spec(with_value(("notifications", "min_severity"), "LOUD"), aws_region="us-east-1")

    assert "got 'LOUD'" in str(raised.value)
