"""Programs, policy packs and benchmark workers forked from a warm interpreter instead of
started cold.

`baseline preview` starts two kinds of Python process: the program (`python -m
baseline.preview.runner`, through `subprocess.run` in `baseline.preview.engine`) and each policy
pack's plugin (`python -u -m pulumi.policy`, through `subprocess.Popen` in
`baseline.preview.plugin`); `make bench` starts a third, its phases (`python -m
benchmarks.worker`, through `subprocess.run` in `benchmarks.measure`), which start the first
two. A cold interpreter spends most of a small run importing the same third-party modules:
pulumi, the pulumi_aws modules the program uses (building their classes), pulumi_policy,
grpc. Here one server process per test run keeps them imported and forks a child for
each command; the child takes the command's working directory, environment, arguments,
`sys.path[0]`, standard streams, session and address-space limit, runs the module's `__main__`
as `-m` would, and exits with the status the interpreter would give. The commands a child
starts itself (a benchmark phase's program and pack) are answered the same way. The code under
test runs unchanged: only the `subprocess` calls it makes are answered here. One difference
shows: a forked command's own commands are the server's children, not its own, so its
`RUSAGE_CHILDREN` (the benchmarks' peak memory of a phase's child) stays empty.

A command is forked only when the child would import what a cold interpreter imports: the same
interpreter, and no module the server holds shadowed by a file of the working directory
(which `-m` puts first on `sys.path`). Anything else runs in a real subprocess. The server
learns: when a child exits, it imports the third-party modules (under site-packages) that the
child had loaded, so that the next child finds them loaded too. Of this repository it holds the
preview's runner and the library programs import (`baseline.stack`, and with it `components`),
whose files any child not shadowing them would import; never a previewed project's or a pack's
own modules.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import IO, Any

PROGRAM = "baseline.preview.runner"
PLUGIN = "pulumi.policy"
BENCHMARK_PHASE = "benchmarks.worker"
# The modules `subprocess.run` and `subprocess.Popen` commands may run in a fork, with the flags
# their callers give the interpreter.
RUN_MODULES = frozenset({PROGRAM, BENCHMARK_PHASE})
POPEN_MODULES = frozenset({PLUGIN})

# The server: one request per line on a worker's connection, one line back with the child's pid.
# When a child exits, SIGCHLD's handler reaps it and writes its exit status (negative: the signal
# that ended it) to the file the request named; what it learned is imported before the next fork.
_SERVER = r"""
import gc, importlib, io, json, os, resource, runpy, selectors, signal, socket, sys, sysconfig
import traceback

SITE = tuple(
    os.path.realpath(sysconfig.get_paths()[key]) + os.sep for key in ("purelib", "platlib")
)
waiting = {}  # pid -> (status file, learned file)
to_learn = set()

def top_levels():
    found = {}
    for name, module in list(sys.modules.items()):
        if "." in name or module is None:
            continue
        where = getattr(module, "__file__", None)
        paths = ([where] if where else []) + list(getattr(module, "__path__", []) or [])
        found[name] = [os.path.realpath(path) for path in paths]
    return found

def reap(signum, frame):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        status_file, learned_file = waiting.pop(pid, (None, None))
        if status_file is None:
            continue
        try:  # before the status: the caller may remove the file once it has the status
            with open(learned_file) as file:
                to_learn.update(json.load(file))
        except (OSError, ValueError):
            pass
        partial = status_file + ".partial"
        with open(partial, "w") as file:
            file.write(str(os.waitstatus_to_exitcode(status)))
        os.replace(partial, status_file)

def learn():
    # Parents first, each loaded whole before its children, as a program's use of
    # `aws.guardduty.Detector` loads them (reading any attribute ends a lazy module's wait).
    names = sorted(to_learn, key=lambda name: (name.count("."), name))
    to_learn.clear()
    for name in names:
        try:
            getattr(sys.modules.get(name) or importlib.import_module(name), "__all__", None)
        except Exception:
            pass

def route_own_commands(address):
    # The commands the child starts (a benchmark phase's program and pack) are forked too.
    from baseline.preview import engine, plugin
    from tests.warm_fork import WarmForks

    routing = WarmForks(address).serving(engine, plugin)
    routing.__enter__()
    return routing  # kept until the child exits: collecting it would put `subprocess` back

def child(request):
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
        if request["new_session"]:
            os.setsid()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the server's sockets are not the command's
        if request["unbuffered"]:  # -u
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        resource.setrlimit(resource.RLIMIT_AS, tuple(request["rlimit_as"]))
        sys.argv = [request["module"], *request["arguments"]]
        sys.path[0] = os.getcwd()
        routing = route_own_commands(request["address"])  # noqa: F841
        code = run_main(request["module"])
        learned = sorted(
            name for name, module in list(sys.modules.items())
            if type(module).__name__ != "_LazyModule"  # pulumi's: not loaded until first used
            and (getattr(module, "__file__", None) or "").startswith(SITE)
        )
        with open(request["learned"], "w") as file:
            json.dump(learned, file)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

def run_main(module):
    # `python -m module`'s exit status, as the interpreter computes it.
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        if exit_.code is None or isinstance(exit_.code, int):
            return exit_.code or 0
        print(exit_.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    return 0

def fork(request):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
    learn()
    gc.collect()
    gc.freeze()  # a child's collections then leave the shared pages alone
    pid = os.fork()
    if pid == 0:
        child(request)
    waiting[pid] = (request["status"], request["learned"])
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
    return {"pid": pid, "modules": top_levels()}

def send(connection, message):
    connection.sendall((json.dumps(message) + "\n").encode())

def serve(path):
    # One connection per test worker, one request per line; it runs until its stdin closes.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(0, selectors.EVENT_READ)
    pending = {}
    signal.signal(signal.SIGCHLD, reap)
    sys.stdout.write("ready\n")  # connections wait in the backlog while the imports run
    sys.stdout.flush()
    for module in ("baseline.preview.runner", "baseline.preview.engine", "baseline.preview.plugin",
                   "baseline.stack", "tests.warm_fork"):
        importlib.import_module(module)
    while True:
        for key, _ in selector.select():
            if key.fileobj == 0:
                if not os.read(0, 1024):
                    os._exit(0)  # an orderly exit would take seconds over this heap
            elif key.fileobj is listener:
                connection, _ = listener.accept()
                selector.register(connection, selectors.EVENT_READ)
                pending[connection] = b""
                send(connection, {"executable": sys.executable, "modules": top_levels()})
            else:
                connection = key.fileobj
                data = connection.recv(1 << 16)
                if not data:
                    selector.unregister(connection)
                    connection.close()
                    del pending[connection]
                    continue
                pending[connection] += data
                while b"\n" in pending[connection]:
                    line, pending[connection] = pending[connection].split(b"\n", 1)
                    send(connection, fork(json.loads(line)))

serve(sys.argv[1])
"""

_POLL_SECONDS = 0.005


class ForkedProcess:
    """The `subprocess.Popen` interface `baseline.preview.plugin` uses, for a forked child."""

    def __init__(self, args: Sequence[str], pid: int, status_file: Path, scratch: Path) -> None:
        self.args = list(args)
        self.pid = pid
        self.returncode: int | None = None
        self._status_file = status_file
        self._scratch = scratch

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = int(self._status_file.read_text())
            except FileNotFoundError:
                return None
            _remove_tree(self._scratch)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        exited = _exit_watch(self.pid)
        try:
            while self.poll() is None:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0)
                if exited is not None:  # wakes at the exit; the server's status follows it
                    if select.select([exited], [], [], remaining)[0]:
                        os.close(exited)
                        exited = None
                else:
                    time.sleep(
                        _POLL_SECONDS if remaining is None else min(_POLL_SECONDS, remaining)
                    )
        finally:
            if exited is not None:
                os.close(exited)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


class WarmServer:
    """The server process, for every worker of a test run: started once, by the run's first
    process; workers connect to `address`."""

    def __init__(self, repo: Path) -> None:
        self._directory = Path(tempfile.mkdtemp(prefix="warm-fork-"))
        self.address = str(self._directory / "socket")
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, self.address],
            cwd=repo,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        assert self._process.stdout.readline() == b"ready\n"

    def close(self) -> None:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()
        Path(self.address).unlink(missing_ok=True)
        self._directory.rmdir()


class WarmForks:
    """A worker's connection to the warm server, made on its first command."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._connection: socket.socket | None = None
        self._pending = b""
        self._modules: dict[str, list[str]] = {}

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def serving(self, *modules: ModuleType) -> Iterator[None]:
        """The `subprocess.run` and `subprocess.Popen` of `modules` (`baseline.preview.engine`,
        `baseline.preview.plugin`, `benchmarks.measure`) answered by forks where those run the
        same code."""
        answered = SimpleNamespace(
            run=self.run,
            Popen=self.popen,
            DEVNULL=subprocess.DEVNULL,
            TimeoutExpired=subprocess.TimeoutExpired,
        )
        replaced = [(module, module.subprocess) for module in modules]
        for module in modules:
            module.subprocess = answered  # type: ignore[attr-defined]
        try:
            yield
        finally:
            for module, real in replaced:
                module.subprocess = real  # type: ignore[attr-defined]

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        capture_output: bool,
        text: bool,
        timeout: float | None,
        check: bool,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`subprocess.run` with the arguments `plan_project` and `run_worker` give it."""
        module = self._forkable(args, Path(cwd), ["-m"], RUN_MODULES)
        if not (capture_output and text and not check) or module is None:
            return subprocess.run(
                args,
                cwd=cwd,
                capture_output=capture_output,
                text=text,
                timeout=timeout,
                check=check,
                env=env,
            )
        with tempfile.TemporaryDirectory(prefix="warm-fork-output-") as output:
            outputs = {name: Path(output, name) for name in ("stdout", "stderr")}
            scratch = Path(tempfile.mkdtemp(prefix="warm-fork-"))
            process = self._start(
                args, Path(cwd), scratch, outputs, unbuffered=False, session=False, env=env
            )
            try:
                returncode = process.wait(timeout)
            except BaseException:  # a timeout, or an interruption: stop it as subprocess.run does
                process.kill()
                process.wait()
                raise
            stdout, stderr = (outputs[name].read_text() for name in ("stdout", "stderr"))
        return subprocess.CompletedProcess(list(args), returncode, stdout, stderr)

    def popen(
        self,
        args: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        stdin: int,
        stdout: IO[bytes],
        stderr: IO[bytes],
        start_new_session: bool,
    ) -> ForkedProcess | subprocess.Popen[bytes]:
        """`subprocess.Popen` with the arguments `AnalyzerPlugin` gives it."""
        module = self._forkable(args, Path(cwd), ["-u", "-m"], POPEN_MODULES)
        if module is None or stdin != subprocess.DEVNULL:
            return subprocess.Popen(
                args,
                cwd=cwd,
                env=env,
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                start_new_session=start_new_session,
            )
        # The child writes to the very files the plugin reads, reopened through /proc.
        streams = {
            name: Path(f"/proc/{os.getpid()}/fd/{stream.fileno()}")
            for name, stream in (("stdout", stdout), ("stderr", stderr))
        }
        scratch = Path(tempfile.mkdtemp(prefix="warm-fork-"))
        return self._start(
            args, Path(cwd), scratch, streams, unbuffered=True, session=start_new_session, env=env
        )

    def _forkable(
        self, args: Sequence[str], cwd: Path, flags: list[str], modules: frozenset[str]
    ) -> str | None:
        """The module `args` runs, when a fork runs it as a cold interpreter would."""
        if list(args[: len(flags) + 1]) != [sys.executable, *flags]:
            return None
        module = args[len(flags) + 1] if len(args) > len(flags) + 1 else None
        if module not in modules:
            return None
        if not cwd.is_dir():  # Popen's own error, from a real one
            return None
        self._connect()
        if any(self._shadows(entry) for entry in _entries(cwd)):
            return None
        return module

    def _shadows(self, entry: Path) -> bool:
        """Whether `-m` would import `entry` where the server holds another module of its name."""
        name = entry.name.removesuffix(".py")
        if name == "__main__":  # the program or pack itself, which is run by path
            return False
        held = self._modules.get(name)
        if held is None or not (entry.is_dir() or entry.suffix == ".py"):
            return False
        return os.path.realpath(entry) not in held

    def _start(
        self,
        args: Sequence[str],
        cwd: Path,
        scratch: Path,
        streams: Mapping[str, Path],
        *,
        unbuffered: bool,
        session: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> ForkedProcess:
        module_index = list(args).index("-m") + 1
        status_file = scratch / "status"
        request = {
            "module": args[module_index],
            "arguments": list(args[module_index + 1 :]),
            "cwd": os.path.abspath(cwd),
            "env": dict(os.environ if env is None else env),
            "rlimit_as": list(resource.getrlimit(resource.RLIMIT_AS)),
            "stdout": str(streams["stdout"]),
            "stderr": str(streams["stderr"]),
            "unbuffered": unbuffered,
            "new_session": session,
            "status": str(status_file),
            "learned": str(scratch / "learned.json"),
            "address": self._address,
        }
        assert self._connection is not None
        self._connection.sendall((json.dumps(request) + "\n").encode())
        answer = self._read()
        self._modules = answer["modules"]
        return ForkedProcess(args, int(answer["pid"]), status_file, scratch)

    def _connect(self) -> None:
        if self._connection is not None:
            return
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._connection.connect(self._address)
        hello = self._read()
        assert hello["executable"] == sys.executable, hello
        self._modules = hello["modules"]

    def _read(self) -> dict[str, Any]:
        assert self._connection is not None
        while b"\n" not in self._pending:
            chunk = self._connection.recv(1 << 16)
            if not chunk:
                raise RuntimeError("the warm fork server stopped")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        answer: dict[str, Any] = json.loads(line)
        return answer


def _entries(directory: Path) -> list[Path]:
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def _exit_watch(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` exits (None: it is gone already)."""
    try:
        return os.pidfd_open(pid)
    except (ProcessLookupError, OSError):
        return None


def _remove_tree(directory: Path) -> None:
    for entry in directory.iterdir():
        entry.unlink()
    directory.rmdir()
