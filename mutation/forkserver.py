"""Run pytest for each mutant in a fork of a process that has already imported the libraries.

Starting pytest with pulumi, boto3 and moto takes seconds; a mutant's tests take a fraction
of that. The server imports the third-party libraries once (never the project's modules,
which the child must read from disk after cosmic-ray has mutated them), then forks a child
per request that runs `pytest.main` and exits with its code.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

# Libraries the tests import; the project's own packages are deliberately absent.
PRELOAD = (
    "yaml",
    "cerberus",
    "boto3",
    "botocore.stub",
    "moto",
    "grpc",
    "pulumi",
    "pulumi.runtime",
    "pulumi_aws",
    "pulumi_policy",
    "parliament",
    "hypothesis",
)
EXIT_TIMED_OUT = 124


def serve(socket_path: Path, root: Path) -> None:
    os.chdir(root)
    sys.path.insert(0, str(root))
    # A mutant may be written within the same second as the original: never trust a .pyc.
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in PRELOAD:
        importlib.import_module(name)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(socket_path))
        server.listen()
        while True:
            connection, _ = server.accept()
            with connection:
                request = json.loads(connection.makefile("rb").readline())
                code = _run_forked(server, request["args"], request["timeout"])
                # cosmic-ray may have given up on the client already.
                with contextlib.suppress(OSError):
                    connection.sendall(f"{code}\n".encode())


def _run_forked(server: socket.socket, args: list[str], timeout_seconds: float) -> int:
    pid = os.fork()
    if pid == 0:
        server.close()
        os.setsid()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os._exit(int(pytest.main(["-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist", *args])))
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    # The child leads its own session: kill it and whatever it started.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return EXIT_TIMED_OUT


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]))
