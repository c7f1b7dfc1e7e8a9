"""User-input problems: every command reports them as `error: <where>: <what>`, exit 2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    where: str
    what: str

    def __str__(self) -> str:
        return f"error: {self.where}: {self.what}"


class SpecError(Exception):
    """Every problem found, sorted by where (list indices in numeric order)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=_natural_order))
        super().__init__("\n".join(str(p) for p in self.problems))


def _natural_order(problem: Problem) -> tuple[object, ...]:
    parts = re.split(r"(\d+)", problem.where)
    return (*((int(p), "") if p.isdigit() else (0, p) for p in parts), problem.what)
