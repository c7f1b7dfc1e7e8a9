"""User-input problems: every command reports them as `error: <where>: <what>`, exit 2."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    where: str
    what: str

    def __str__(self) -> str:
        # One line, and nothing a terminal acts on: input may put any character in either.
        return f"error: {self.where}: {self.what}".translate(_SHOWN_ESCAPED)


class SpecError(Exception):
    """Every problem found, sorted by where (list indices in numeric order)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=_natural_order))
        super().__init__("\n".join(str(p) for p in self.problems))


# C0 and C1 control characters, DEL and Unicode's line and paragraph separators, as escapes.
_SHOWN_ESCAPED = {
    code: ascii(chr(code))[1:-1] for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}


def _natural_order(problem: Problem) -> tuple[object, ...]:
    parts = re.split(r"(\d+)", problem.where)
    return (*((int(p), "") if p.isdigit() else (0, p) for p in parts), problem.what)
