"""Plans, and policy verdicts over them, remembered for one test session.

`baseline preview`, `preflight` and `report` run a project's program in a subprocess
(`baseline.preview.engine.plan_project`), then each policy pack in its analyzer plugin. The
same program files, stack file, account and mode give the same plan; the same packs and configs
over the same plan give the same verdict. So the first test to plan a project runs the real
`plan_project`, and the next ones take its plan from here; the same for a pack's verdict over a
plan that came from here. A failure (ProgramError, PolicyPackError) is never kept: each test
that expects one gets it from a real run. The program and pack processes that those runs start
are forked from a warm interpreter (tests/warm_fork.py); packs over a plan that did not come
from here (the analyzer's own tests) start as real subprocesses.

The xdist workers of one run share plans (as JSON) and verdicts (pickled) through files in the
run's own temporary directory. Nothing outlives the run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from baseline.preview import analyzer, engine, plugin
from baseline.preview.analyzer import AnalysisResult
from baseline.preview.mocks import DEFAULT_ACCOUNT
from baseline.preview.model import Plan
from baseline.preview.runner import plan_from_json, plan_to_json
from baseline.project import StackFile
from tests.warm_fork import WarmForks

# Directories no program reads its code or config from: caches, virtualenvs, build output.
_SKIPPED_DIRS = frozenset({"__pycache__", "build", "dist", "venv", "node_modules"})
_PlanFunction = Callable[..., Plan]
_AnalyzeFunction = Callable[..., tuple[Plan, AnalysisResult]]


class _FileDigests:
    """SHA-256 of files, computed again only when a file's size, mtime or inode changes."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int, int], str]] = {}

    def of(self, path: str, stat: os.stat_result) -> str:
        signature = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        known = self._known.get(path)
        if known is None or known[0] != signature:
            with open(path, "rb") as file:
                known = (signature, hashlib.sha256(file.read()).hexdigest())
            self._known[path] = known
        return known[1]

    def tree(self, root: Path) -> str:
        """One digest of every file below `root` (names and contents), in a stable order."""
        digest = hashlib.sha256()
        for relative, file_digest in sorted(self._walk(str(root), "")):
            digest.update(f"{relative}\0{file_digest}\n".encode())
        return digest.hexdigest()

    def _walk(self, directory: str, prefix: str) -> Iterator[tuple[str, str]]:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith(".") and entry.name not in _SKIPPED_DIRS:
                    yield from self._walk(entry.path, relative + "/")
            elif entry.is_file():
                yield relative, self.of(entry.path, entry.stat())
            else:  # a fifo, a device, a dangling link: its name is all that can be read
                yield relative, "not a regular file"


class PlanMemo:
    """`plan_project` remembered by project directory, files, stack, mode and account."""

    def __init__(self, shared_dir: Path) -> None:
        self._shared_dir = shared_dir
        self._digests = _FileDigests()
        self._texts: dict[str, str] = {}
        # id(plan) -> (plan, digest of its JSON) for every plan handed out: its verdicts' key.
        self._handed_out: dict[int, tuple[Plan, str]] = {}
        self._verdicts: dict[tuple[Any, ...], AnalysisResult] = {}

    def plan_key(self, stack: StackFile, preview: bool, account: str) -> str:
        pulumi_env = sorted((k, v) for k, v in os.environ.items() if k.startswith("PULUMI_"))
        parts = [
            str(stack.project_dir.resolve()),
            stack.stack,
            # Resolved: `baseline preview` in the project names it `Pulumi.<stack>.yaml`.
            str(stack.path.resolve()),
            str(preview),
            account,
            sys.executable,
            json.dumps(pulumi_env),
            self._digests.tree(stack.project_dir),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def plan_project(
        self,
        real: _PlanFunction,
        stack: StackFile,
        *,
        preview: bool = True,
        account: str = DEFAULT_ACCOUNT,
    ) -> Plan:
        key = self.plan_key(stack, preview, account)
        text = self._texts.get(key)
        if text is None:
            text = self._shared_text(key, lambda: real(stack, preview=preview, account=account))
            self._texts[key] = text
        plan = plan_from_json(json.loads(text))  # a fresh copy: a caller may change its dicts
        self._handed_out[id(plan)] = (plan, hashlib.sha256(text.encode()).hexdigest())
        return plan

    def _shared_text(self, key: str, build: Callable[[], Plan]) -> str:
        """The plan's JSON from the run's shared directory, built here if no worker has yet."""
        path = self._shared_dir / f"{key}.json"
        with locked(self._shared_dir / f"{key}.lock"):
            if path.exists():
                return path.read_text()
            text = json.dumps(plan_to_json(build()))
            partial = path.with_suffix(".partial")
            partial.write_text(text)
            partial.replace(path)
            return text

    def analyze_alongside(
        self,
        real: _AnalyzeFunction,
        forked: _AnalyzeFunction,
        make_plan: Callable[[], Plan],
        pack_dirs: Sequence[Path],
        config_files: Sequence[Path],
        *,
        project: str,
        stack: str,
    ) -> tuple[Plan, AnalysisResult]:
        plan = make_plan()
        handed_out = self._handed_out.get(id(plan))
        if handed_out is None or handed_out[0] is not plan:
            return real(lambda: plan, pack_dirs, config_files, project, stack)
        key = (
            handed_out[1],
            tuple((str(Path(d).resolve()), self._digests.tree(Path(d))) for d in pack_dirs),
            tuple((str(Path(f).resolve()), self._config_digest(Path(f))) for f in config_files),
            project,
            stack,
        )
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._shared_verdict(
                hashlib.sha256(repr(key).encode()).hexdigest(),
                lambda: forked(lambda: plan, pack_dirs, config_files, project, stack)[1],
            )
            self._verdicts[key] = verdict
        return plan, verdict

    def _shared_verdict(self, name: str, run: Callable[[], AnalysisResult]) -> AnalysisResult:
        """The verdict from the run's shared directory, found here if no worker has yet."""
        path = self._shared_dir / f"{name}.verdict"
        with locked(self._shared_dir / f"{name}.lock"):
            if path.exists():
                verdict: AnalysisResult = pickle.loads(path.read_bytes())
                return verdict
            verdict = run()
            partial = path.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(verdict))
            partial.replace(path)
            return verdict

    def _config_digest(self, path: Path) -> str:
        try:
            return self._digests.of(str(path), path.stat())
        except OSError:
            return "unreadable"


@contextmanager
def locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _users() -> list[ModuleType]:
    """The commands' modules and the test harnesses. `plan_project` stays the real one in
    `engine` itself, where tests of the engine call it; `analyze` calls `analyze_alongside`
    through its own module."""
    return [
        module
        for name, module in list(sys.modules.items())
        if (name.startswith("baseline.") and name != engine.__name__)
        or (name.startswith("tests.") and name.endswith("_harness"))
    ]


# The memo's `plan_project` while a session runs (the real one otherwise).
_active: list[_PlanFunction] = []


def planned_project(stack: StackFile, *, preview: bool) -> Plan:
    """The plan of `stack`'s program as `baseline preview` makes it, shared by every test of the
    run that plans the same project (a real run outside a session)."""
    plan = _active[-1] if _active else engine.plan_project
    return plan(stack, preview=preview)


def install(memo: PlanMemo, forks: WarmForks) -> Callable[[], None]:
    """Route every module's `plan_project` and `analyze_alongside` through `memo`; the plans it
    has to make, and the packs it has to run over them, through `forks`.

    Returns the function that puts the real ones back.
    """
    real_plan = engine.plan_project
    real_analyze = analyzer.analyze_alongside

    def forked_plan(
        stack: StackFile, *, preview: bool = True, account: str = DEFAULT_ACCOUNT
    ) -> Plan:
        with forks.serving(engine):
            return real_plan(stack, preview=preview, account=account)

    def plan_project(
        stack: StackFile, *, preview: bool = True, account: str = DEFAULT_ACCOUNT
    ) -> Plan:
        return memo.plan_project(forked_plan, stack, preview=preview, account=account)

    def forked_analyze(
        make_plan: Callable[[], Plan],
        pack_dirs: Sequence[Path],
        config_files: Sequence[Path],
        project: str,
        stack: str,
    ) -> tuple[Plan, AnalysisResult]:
        with forks.serving(engine, plugin):
            return real_analyze(make_plan, pack_dirs, config_files, project, stack)

    def analyze_alongside(
        make_plan: Callable[[], Plan],
        pack_dirs: Sequence[Path],
        config_files: Sequence[Path],
        project: str,
        stack: str,
    ) -> tuple[Plan, AnalysisResult]:
        return memo.analyze_alongside(
            real_analyze,
            forked_analyze,
            make_plan,
            pack_dirs,
            config_files,
            project=project,
            stack=stack,
        )

    replaced: list[tuple[ModuleType, str, object]] = []
    for module in _users():
        for attribute, real, stand_in in (
            ("plan_project", real_plan, plan_project),
            ("analyze_alongside", real_analyze, analyze_alongside),
        ):
            if getattr(module, attribute, None) is real:
                replaced.append((module, attribute, real))
                setattr(module, attribute, stand_in)

    _active.append(plan_project)

    def restore() -> None:
        _active.remove(plan_project)
        for module, attribute, real in replaced:
            setattr(module, attribute, real)

    return restore


def shared_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of this run that every xdist worker of it sees (the run's own basetemp)."""
    base = tmp_path_factory.getbasetemp()
    run_dir = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory = run_dir / "plan-memo"
    directory.mkdir(exist_ok=True)
    return directory
