"""Where a program declared each resource, from the stack trace the SDK sends at registration.

The Pulumi SDK sends `sourcePosition` (the innermost frame outside the SDK) and `stackTrace`
with every RegisterResourceRequest; the engine records the position in state as
`project:///<path relative to the project>#<line>`. Here the position is the innermost frame
in the project's own code: for a resource a component creates, the line of the component's
library when the library is part of the project, otherwise the project's line that declared
the component. Code scanning shows an alert there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from baseline.preview.model import Plan

PROJECT_SCHEME = "project:///"
# Frames of installed packages and of this offline engine are never the program's own code.
_INSTALLED = {"site-packages", "dist-packages"}
_ENGINE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class SourceLocation:
    """A file, relative to the repository root (POSIX separators), and a 1-based line."""

    uri: str
    line: int


class ProgramPositions:
    """Picks the program's own frame out of a registration's stack trace."""

    def __init__(self, project_dir: Path) -> None:
        self._root = project_dir.resolve()
        # A program's frames come from a few dozen files: each URI is judged once.
        self._in_project = functools.cache(self._judge)

    def position(self, request: Any) -> str:
        """`project:///<path>#<line>` of the innermost frame in the project, or ""."""
        frames = [frame.pc for frame in request.stackTrace.frames if frame.HasField("pc")]
        if not frames and request.HasField("sourcePosition"):
            frames = [request.sourcePosition]
        for pc in frames:
            relative = self._in_project(pc.uri)
            if relative is not None and pc.line > 0:
                return f"{PROJECT_SCHEME}{relative}#{pc.line}"
        return ""

    def _judge(self, uri: str) -> str | None:
        """The project-relative path of a frame's file, None outside the project's code."""
        path = _resolved(unquote(urlparse(uri).path))
        if path is None or _INSTALLED & set(path.parts) or path.is_relative_to(_ENGINE_DIR):
            return None
        return path.relative_to(self._root).as_posix() if path.is_relative_to(self._root) else None


@functools.cache
def _resolved(path: str) -> Path | None:
    return Path(path).resolve() if path else None


def parse_position(position: str) -> tuple[str, int] | None:
    """(`path relative to the project`, line) of a `project:///<path>#<line>` position."""
    if not position.startswith(PROJECT_SCHEME) or "#" not in position:
        return None
    path, _, line = position[len(PROJECT_SCHEME) :].rpartition("#")
    line = line.split(",", 1)[0]
    return (path, int(line)) if path and line.isdigit() and int(line) > 0 else None


def repository_root(start: Path) -> Path:
    """The nearest directory at or above `start` holding `.git` (a clone or a worktree), else
    `start`: code scanning takes paths relative to the repository's root."""
    start = start.resolve()
    return next((d for d in (start, *start.parents) if (d / ".git").exists()), start)


def source_locator(
    plan: Plan, project_dir: Path, program: Path, stack_file: Path
) -> Callable[[str], SourceLocation]:
    """URN -> where code scanning shows its alert, relative to the repository root.

    A resource at the line that declared it; the stack itself, and anything the program did
    not declare, at the program's first line; the engine's default providers, which the stack's
    config sets up, at the stack file's first line.
    """
    root = repository_root(project_dir)
    positions: Mapping[str, str] = {r.urn: r.source_position for r in plan.resources}

    def relative(path: Path) -> str:
        path = path.resolve()
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_uri()

    def locate(urn: str) -> SourceLocation:
        parsed = parse_position(positions.get(urn, ""))
        if parsed is not None:
            return SourceLocation(relative(project_dir / parsed[0]), parsed[1])
        if "::pulumi:providers:" in urn and urn.rsplit("::", 1)[-1].startswith("default"):
            return SourceLocation(relative(stack_file), 1)
        return SourceLocation(relative(program), 1)

    return locate
