"""The `baseline` command line run in this process, as `python -m baseline` would run it.

`run_cli` calls `baseline.cli.main` with the arguments, working directory and environment a
subprocess would get, and returns what `subprocess.run` returns: the exit code, stdout and
stderr. It saves a new interpreter and its imports (pulumi, grpc, boto3: over a second) per
command. What the command starts itself (the program's process, each policy pack's plugin)
still runs in its own process.

An exception escaping `main` is raised here, where a subprocess would print a traceback and
exit 1: either way the test fails. `timeout` and `memory_cap` bound the call as a subprocess's
timeout and RLIMIT_AS would (hostile input must not hang or blow up). Tests about the process
itself (the installed entry point, another interpreter) run it in a subprocess.
"""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from baseline.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Completed:
    """The fields of `subprocess.CompletedProcess` the tests read."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _working_directory(directory: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    """Exactly `env` as the environment for the call (None: this process's, unchanged)."""
    if env is None:
        yield
        return
    before = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def _exit_code(code: object, stderr: io.StringIO) -> int:
    """The process's exit status for `SystemExit(code)`, as the interpreter computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


class CommandTimeoutError(Exception):
    """The command ran longer than its timeout: a subprocess would have been killed."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the call after `seconds` (SIGALRM: tests run in the main thread)."""
    if seconds is None:
        yield
        return
    assert threading.current_thread() is threading.main_thread()

    def expire(signum: int, frame: object) -> None:
        raise CommandTimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()


@contextlib.contextmanager
def _memory_limit(extra_bytes: int | None) -> Iterator[None]:
    """At most `extra_bytes` more address space for the call (MemoryError beyond): the bound a
    subprocess's RLIMIT_AS gives, over what this process holds already."""
    if extra_bytes is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space_bytes() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_cli(
    *args: str | Path,
    cwd: Path = REPO,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    memory_cap: int | None = None,
) -> Completed:
    """`baseline ARGS...` in `cwd` with `env`; its exit code and what it printed."""
    argv = tuple(map(str, args))
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        _working_directory(cwd),
        _environment(env),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
        _memory_limit(memory_cap),
        _time_limit(timeout),
    ):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse: usage errors, --help, --version
            code = _exit_code(exit_.code, stderr)
    return Completed(argv, code, stdout.getvalue(), stderr.getvalue())
