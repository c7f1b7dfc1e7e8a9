"""What waits for every capability: steps that `baseline.stack.build` runs once, after the last.

A component that others grant access to (the security account's topics admit the roles that
publish) declares its policies before those roles exist, as Outputs that wait. The wait ends in
its completion step, which the component registers here when it is made: so it cannot be
forgotten, and a grant or a step that comes too late fails at once instead of leaving the
program waiting for ever. When a capability fails, the steps are told so: what waited fails
with that error, so that the program reports it rather than waiting for a completion that will
never come (the Pulumi runtime waits for every pending registration before it reports).
"""

from __future__ import annotations

from collections.abc import Callable

# A step gets None when every capability has built, or the error that stopped them.
CompletionStep = Callable[[BaseException | None], None]


class CompletedError(RuntimeError):
    """Something asked to wait for the completion after it had run."""


class Completion:
    """Steps to run once every capability has built, in the order they were added."""

    def __init__(self) -> None:
        self._steps: list[CompletionStep] = []
        self._done = False

    @property
    def done(self) -> bool:
        return self._done

    def add(self, step: CompletionStep) -> None:
        if self._done:
            raise CompletedError(
                "the baseline is complete: add completion steps while the capabilities build"
            )
        self._steps.append(step)

    def run(self) -> None:
        """Every capability has built: end what waited for them."""
        self._finish(None)

    def abandon(self, error: BaseException) -> None:
        """A capability failed with `error`: what waited fails with it too."""
        self._finish(error)

    def _finish(self, error: BaseException | None) -> None:
        if self._done:
            raise CompletedError("the baseline is complete already")
        self._done = True
        for step in self._steps:
            step(error)
