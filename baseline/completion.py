"""What waits for every capability: steps that `baseline.stack.build` runs once, after the last.

A component that others grant access to (the security account's topics admit the roles that
publish) declares its policies before those roles exist, as Outputs that wait. The wait ends in
its completion step, which the component registers here when it is made: so it cannot be
forgotten, and a grant or a step that comes too late fails at once instead of leaving the
program waiting for ever.
"""

from __future__ import annotations

from collections.abc import Callable


class CompletedError(RuntimeError):
    """Something asked to wait for the completion after it had run."""


class Completion:
    """Steps to run once every capability has built, in the order they were added."""

    def __init__(self) -> None:
        self._steps: list[Callable[[], None]] = []
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def add(self, step: Callable[[], None]) -> None:
        if self._done:
            raise CompletedError(
                "the baseline is complete: add completion steps while the capabilities build"
            )
        self._steps.append(step)

    def run(self) -> None:
        if self._done:
            raise CompletedError("the baseline is complete already")
        self._done = True
        for step in self._steps:
            step()
