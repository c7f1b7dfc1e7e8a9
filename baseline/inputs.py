"""Files a user names on the command line, read within limits (docs/input-limits.md).

Whatever a file holds, reading it ends in a value or in a `SpecError` naming the file: never
a traceback, a hang (a FIFO, a device) or memory exhaustion (a huge file, an alias bomb,
deep nesting, an integer too long to print).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from baseline.problems import Problem, SpecError

# A stack's files are small; the prod stack's is under 10 KB.
MAX_STACK_FILE_BYTES = 1024 * 1024
# `baseline audit --json` of a large organization: thousands of results of a few hundred bytes.
MAX_AUDIT_FILE_BYTES = 16 * 1024 * 1024
# A policy pack's config: a few KB of enforcement levels and settings per policy.
MAX_POLICY_CONFIG_BYTES = 1024 * 1024
# Nesting of YAML or JSON values. The spec is at most 8 deep; Python's parsers recurse.
MAX_NESTING = 100
_READ_CHUNK = 64 * 1024


def read_text(path: Path, limit: int, where: str, missing: str = "no such file") -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes."""
    try:
        # O_NONBLOCK: opening a FIFO nobody writes to would wait forever.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SpecError([Problem(where, missing)]) from None
    except OSError as error:
        raise SpecError([Problem(where, f"cannot read it: {error.strerror}")]) from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise SpecError([Problem(where, "cannot read it: not a regular file")])
        data = _read_at_most(descriptor, limit, where)
    finally:
        os.close(descriptor)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SpecError([Problem(where, f"cannot read it: not UTF-8 ({error.reason})")]) from None


def _read_at_most(descriptor: int, limit: int, where: str) -> bytes:
    chunks, size = [], 0
    while chunk := os.read(descriptor, min(_READ_CHUNK, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise SpecError([Problem(where, f"larger than the limit of {limit:,} bytes")])
    return b"".join(chunks)


def load_json(text: str, where: str) -> Any:
    """The JSON value of `text`; SpecError for invalid JSON, deep nesting or huge integers."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError([Problem(where, f"not JSON: {error}")]) from None
    except RecursionError:
        raise SpecError([Problem(where, f"nested deeper than {MAX_NESTING} levels")]) from None
    except ValueError:
        # The one other ValueError: Python refuses integers of more than 4,300 digits.
        what = "holds an integer too long to read (more than 4,300 digits)"
        raise SpecError([Problem(where, what)]) from None
    if _depth_exceeds(value, MAX_NESTING):
        raise SpecError([Problem(where, f"nested deeper than {MAX_NESTING} levels")])
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    level, current = 0, [value]
    while current:
        level += 1
        if level > limit:
            return True
        current = [
            child
            for item in current
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
        ]
    return False
