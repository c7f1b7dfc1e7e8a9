"""The test command cosmic-ray runs for each mutant:
`python mutation/client.py SOCKET TIMEOUT_SECONDS TEST...`.

It asks the fork server (forkserver.py) to run pytest on the given tests and exits with
pytest's exit code. Standard library only, so that it starts in milliseconds.
"""

from __future__ import annotations

import json
import socket
import sys


def main(argv: list[str]) -> int:
    socket_path, timeout_seconds, *pytest_args = argv
    request = {"args": pytest_args, "timeout": float(timeout_seconds)}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.connect(socket_path)
        connection.sendall(json.dumps(request).encode() + b"\n")
        reply = connection.makefile("rb").readline()
    return int(reply or b"3")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
