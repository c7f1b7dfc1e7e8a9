"""Which IAM actions exist: iam_actions.json, generated from parliament's IAM data by
`make iam-actions` (tools/iam_actions.py), read once and only when a document is linted.

An action is `prefix:name`, where name may hold the wildcards `*`, `?` and `[...]` and both
parts are compared case-insensitively, as IAM and parliament compare them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "iam_actions.json"
_WILDCARDS = frozenset("*?[")


@dataclass(frozen=True)
class ActionIndex:
    names: dict[str, frozenset[str]]  # prefix -> lower-case action names
    prefixes_without_actions: frozenset[str]  # prefixes of services that list no action

    def unknown_prefix(self, prefix: str) -> bool:
        return prefix != "*" and prefix.lower() not in self.names

    def matches(self, prefix: str, name: str) -> bool:
        """Whether `name` (a pattern) matches an action of `prefix` (`*`: of any service)."""
        pattern = name.lower()
        if prefix == "*":
            return any(_match(names, pattern) for names in self.names.values())
        key = prefix.lower()
        # parliament's expand_action accepts `prefix:*` for a service that lists no action.
        if pattern == "*" and key in self.prefixes_without_actions:
            return True
        return _match(self.names.get(key, frozenset()), pattern)


def _match(names: frozenset[str], pattern: str) -> bool:
    if _WILDCARDS.isdisjoint(pattern):
        return pattern in names
    return any(fnmatchcase(name, pattern) for name in names)


@cache
def action_index() -> ActionIndex:
    services = json.loads(_DATA.read_text())["services"]
    names: dict[str, set[str]] = {}
    empty: set[str] = set()
    for prefix, actions in services:
        names.setdefault(prefix, set()).update(action.lower() for action in actions)
        if not actions:
            empty.add(prefix)
    return ActionIndex({p: frozenset(a) for p, a in names.items()}, frozenset(empty))
