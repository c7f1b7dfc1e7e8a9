"""Start a policy pack's analyzer plugin the way the Pulumi CLI does, and stop it cleanly.

The CLI runs a Python pack through its `pulumi-analyzer-policy-python` shim, which is
`python -u -m pulumi.policy <engine-address> .` in the pack's directory (with the
`virtualenv` runtime option's interpreter when there is one). The pack's `PolicyPack(...)`
serves the Analyzer gRPC service on 127.0.0.1, prints the port on stdout and sleeps forever.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent import futures
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
import yaml
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 5.0
_POLL_SECONDS = 0.005
_TAIL_CHARS = 4000
# How Python reports a missing module: an import in the pack, or `-m pulumi.policy` itself.
_MISSING_MODULE = re.compile(r"No module named '?([\w.]+)'?")
_PORT_LINE_BYTES = 256
# The CLI raises gRPC's 4 MiB message limit to 400 MiB: AnalyzeStack carries the whole stack.
_MAX_MESSAGE_BYTES = 400 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
]


class PolicyPackError(Exception):
    """A policy pack or its config cannot be used as given: a user error, not a crash.

    `where` is the pack directory or the config file; `what` says what is wrong in one line
    or a short block (it may end with the plugin's stderr tail).
    """

    def __init__(self, where: Path, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


@dataclass(frozen=True)
class PackProject:
    """What `PulumiPolicy.yaml` says about a pack."""

    directory: Path
    runtime: str
    options: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""


def load_pack_project(pack_dir: Path) -> PackProject:
    """Read `PulumiPolicy.yaml`; a missing or malformed file is the user's error."""
    manifest = pack_dir / "PulumiPolicy.yaml"
    try:
        document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PolicyPackError(pack_dir, f"cannot read PulumiPolicy.yaml: {error}") from error
    if not isinstance(document, dict):
        raise PolicyPackError(pack_dir, "PulumiPolicy.yaml must be a mapping")
    runtime = document.get("runtime")
    options: Mapping[str, Any] = {}
    if isinstance(runtime, dict):
        options = runtime.get("options") or {}
        runtime = runtime.get("name")
    if runtime != "python":
        raise PolicyPackError(pack_dir, f"runtime {runtime!r} is not supported: only python packs")
    return PackProject(pack_dir, "python", options, str(document.get("version") or ""))


def pack_python(project: PackProject) -> Path:
    """The interpreter the shim would use: the pack's `virtualenv` when it exists.

    The CLI stops when the named virtualenv is missing; offline, the packs' requirements are
    installed in this tool's own environment, so that interpreter stands in.
    """
    virtualenv = project.options.get("virtualenv")
    if isinstance(virtualenv, str) and virtualenv:
        # Absolute: the plugin starts in the pack's directory, where a relative path to its
        # interpreter no longer leads anywhere. Not resolved: that would leave the virtualenv.
        python = project.directory.absolute() / virtualenv / "bin" / "python"
        if python.exists():
            return python
    return Path(sys.executable)


_LOG_SEVERITIES = {
    engine_pb2.DEBUG: "debug",
    engine_pb2.INFO: "info",
    engine_pb2.WARNING: "warning",
    engine_pb2.ERROR: "error",
}


class EngineLog(engine_pb2_grpc.EngineServicer):
    """The engine endpoint every plugin is given; it keeps what packs log through it."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def Log(self, request: engine_pb2.LogRequest, context: Any) -> empty_pb2.Empty:
        severity = _LOG_SEVERITIES.get(request.severity, "info")
        self.messages.append(f"{severity}: {request.message}")
        return empty_pb2.Empty()


class EngineServer:
    """A minimal in-process Engine gRPC server, standing in for the CLI's engine host."""

    def __init__(self) -> None:
        self.log = EngineLog()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), options=GRPC_OPTIONS)
        engine_pb2_grpc.add_EngineServicer_to_server(self.log, self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.address = f"127.0.0.1:{port}"

    def stop(self) -> None:
        self._server.stop(grace=None)


def stack_environment(project: str, stack: str) -> dict[str, str]:
    """What the CLI tells a policy plugin about the stack it analyzes: a preview of it."""
    return {"PULUMI_PROJECT": project, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true"}


def _plugin_environment(python: Path, stack_env: Mapping[str, str]) -> dict[str, str]:
    env = {**os.environ, **stack_env}
    if python != Path(sys.executable):
        # What the shim does when it runs a virtualenv's interpreter.
        env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
        env.pop("PYTHONHOME", None)
    return env


class AnalyzerPlugin:
    """One running policy pack process and the channel to its Analyzer service.

    Its stdout and stderr go to files rather than pipes: the plugin outlives the handshake
    and a pack that prints a lot must never block on a full pipe.
    """

    def __init__(
        self, project: PackProject, engine: EngineServer, stack_env: Mapping[str, str]
    ) -> None:
        self.project = project
        self._engine = engine
        self.engine_address = engine.address
        # Both files live as long as the process; close() closes them.
        self._files = ExitStack()
        self._stdout: IO[bytes] = self._files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        self._stderr: IO[bytes] = self._files.enter_context(tempfile.TemporaryFile())  # noqa: SIM115
        python = pack_python(project)
        self.process = subprocess.Popen(
            [str(python), "-u", "-m", "pulumi.policy", engine.address, "."],
            cwd=project.directory,
            env=_plugin_environment(python, stack_env),
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=self._stderr,
            start_new_session=True,
        )
        self._channel: grpc.Channel | None = None

    def connect(self, timeout: float = START_TIMEOUT_SECONDS) -> analyzer_pb2_grpc.AnalyzerStub:
        """Wait for the port line on stdout and open one channel to it."""
        port = self._read_port(time.monotonic() + timeout)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=GRPC_OPTIONS)
        return analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _read_port(self, deadline: float) -> int:
        while True:
            first_line = _first_line(self._stdout)
            if first_line is not None:
                if first_line.strip().isdigit():
                    return int(first_line)
                raise self.failure(f"printed {first_line.strip()[:200]!r} instead of its port")
            if self.process.poll() is not None:
                raise self.failure(f"exited with code {self.process.returncode} before serving")
            if time.monotonic() > deadline:
                raise self.failure("did not print its port in time")
            time.sleep(_POLL_SECONDS)

    def failure(self, what: str) -> PolicyPackError:
        """A PolicyPackError that carries what the pack said on stderr and to the engine.

        A pack that cannot import a module is missing its requirements: one line says which
        module and what to install, rather than the traceback.
        """
        tail = _tail(self._stderr)
        missing = _MISSING_MODULE.findall(tail)
        if missing:
            return PolicyPackError(
                self.project.directory,
                f"policy pack cannot import {missing[-1]}: {self._install_hint()}",
            )
        details = [*self._engine.log.messages, tail]
        said = "\n".join(text for text in details if text.strip())
        suffix = f"\n{said}" if said else ""
        return PolicyPackError(self.project.directory, f"policy pack {what}{suffix}")

    def _install_hint(self) -> str:
        requirements = self.project.directory / "requirements.txt"
        if not requirements.is_file():
            return "install the modules it imports where it runs"
        python = pack_python(self.project)
        if python == Path(sys.executable):
            return f"install its requirements where baseline runs: pip install -r {requirements}"
        shown = python.relative_to(Path.cwd()) if python.is_relative_to(Path.cwd()) else python
        pip = f"{shown} -m pip"
        return f"install its requirements in its virtualenv: {pip} install -r {requirements}"

    def close(self) -> None:
        """Stop the plugin's whole process group and reap it; safe to call twice.

        The pack sleeps forever once it serves, so it is terminated, never awaited. The group is
        signalled only while its leader is unreaped, when its id cannot belong to anyone else.
        """
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self.process.returncode is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._files.close()


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _first_line(stream: IO[bytes]) -> str | None:
    """The first line written so far, or None while it is still incomplete."""
    content = os.pread(stream.fileno(), _PORT_LINE_BYTES, 0)
    newline = content.find(b"\n")
    if newline < 0 and len(content) < _PORT_LINE_BYTES:
        return None
    return content[: newline if newline >= 0 else None].decode("utf-8", errors="replace")


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - _TAIL_CHARS))
    return stream.read().decode("utf-8", errors="replace").strip()
