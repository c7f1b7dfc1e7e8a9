"""`make mutation`: mutation testing of the security-relevant modules with cosmic-ray.

Each target is a few modules and the tests that exercise them: a mutant runs only those.
Everything happens in a copy of the repository (.mutation/tree), never in the work tree,
and each mutant's tests run in a fork of a server that has the libraries already imported
(forkserver.py), so that a mutant costs its tests, not pytest's start-up. Prints the
surviving mutants (their diffs) and a count per target. Not part of `make test` or CI.

    python -m mutation.run [--jobs N] [--resume] [--only TARGET ...]
    python -m mutation.run --summary     # the counts of the last run, from its sessions
"""

from __future__ import annotations

import argparse
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / ".mutation"
SESSIONS = WORK / "sessions"
MACIE = "baseline/capabilities/macie/functions/macie_remediation"
IMPORTER = "baseline/capabilities/scanner_findings/functions/findings_import"
MACIE_TESTS = tuple(
    f"tests/capabilities/macie/test_macie_remediation_{name}.py"
    for name in ("finding_handler", "approval_handler", "remediator")
)
IMPORT_TESTS = tuple(
    f"tests/capabilities/scanner_findings/test_findings_import{suffix}.py"
    for suffix in ("_parsers", "_events", "_securityhub", "", "_lambda")
)
SPEC_TESTS = ("tests/test_spec_sections.py", "tests/test_spec.py", "tests/test_spec_shapes.py")
# Operators whose mutants are rarely meaningful here: arithmetic swaps other than + and -
# (string formatting and concatenation make them crash at once), and operators that need
# per-project arguments.
EXCLUDED_OPERATORS = (
    r"core/ReplaceBinaryOperator_(?!Add_Sub|Sub_Add).*",
    r"core/VariableReplacer",
    r"core/VariableInserter",
)


@dataclass(frozen=True)
class Target:
    name: str
    modules: tuple[str, ...]
    tests: tuple[str, ...]


def _policy(name: str, *extra_tests: str) -> Target:
    return Target(
        f"policies/{name}",
        (f"policies/{name}.py",),
        (f"tests/test_policies_{name}.py", *extra_tests),
    )


def _section(name: str, tests: tuple[str, ...] = ()) -> Target:
    module = f"baseline/capabilities/{name}/section.py"
    return Target(f"sections/{name}", (module,), (*SPEC_TESTS, *tests))


TARGETS: tuple[Target, ...] = (
    Target("macie/finding_handler", (f"{MACIE}/finding_handler.py",), MACIE_TESTS[:1]),
    Target("macie/approval_handler", (f"{MACIE}/approval_handler.py",), MACIE_TESTS[1:2]),
    Target(
        "macie/remediator",
        (f"{MACIE}/remediator.py", f"{MACIE}/quarantine_copy.py"),
        MACIE_TESTS[2:],
    ),
    Target(
        "macie/shared",
        (f"{MACIE}/remediation_common.py", f"{MACIE}/slack_review.py"),
        MACIE_TESTS,
    ),
    Target(
        "findings_import/parsers",
        tuple(
            f"{IMPORTER}/importer/{name}.py"
            for name in ("sarif", "zap", "sonarqube", "dependency_check", "shape", "text", "model")
        ),
        IMPORT_TESTS[:1],
    ),
    Target(
        "findings_import/securityhub",
        (f"{IMPORTER}/importer/asff.py", f"{IMPORTER}/importer/securityhub.py"),
        (*IMPORT_TESTS[2:4], IMPORT_TESTS[0]),
    ),
    Target(
        "findings_import/service",
        (
            f"{IMPORTER}/handler.py",
            f"{IMPORTER}/importer/service.py",
            f"{IMPORTER}/importer/events.py",
        ),
        (*IMPORT_TESTS[1:2], *IMPORT_TESTS[3:]),
    ),
    _policy("s3", "tests/test_policies_documents.py"),
    _policy("documents", "tests/test_policies_iam.py", "tests/test_policies_kms.py"),
    _policy("iam"),
    _policy("iam_grammar"),
    _policy("iam_actions"),
    _policy("kms"),
    _policy("sns"),
    _policy("ec2"),
    _policy("cloudtrail"),
    _policy("guardduty"),
    _policy("securityhub"),
    _policy("macie"),
    _policy("awsconfig"),
    _policy("codebuild"),
    _policy("tags"),
    Target(
        "policies/shared",
        ("policies/helpers.py", "policies/metadata.py", "policies/catalog.py"),
        ("tests/test_policies_pack.py", "tests/test_policies_s3.py", "tests/test_policies_iam.py"),
    ),
    Target(
        "sections/_checks",
        ("baseline/schema_rules.py",),
        (
            *SPEC_TESTS,
            "tests/capabilities/macie/test_macie.py",
            "tests/capabilities/guardduty/test_guardduty.py",
        ),
    ),
    _section("accounts"),
    _section("regions"),
    _section("tags"),
    _section("kms", ("tests/components/test_kms.py",)),
    _section("cloudtrail", ("tests/capabilities/cloudtrail/test_cloudtrail.py",)),
    _section("log_archive", ("tests/capabilities/log_archive/test_log_archive.py",)),
    _section("quarantine", ("tests/capabilities/quarantine/test_quarantine.py",)),
    _section("notifications", ("tests/capabilities/notifications/test_notifications.py",)),
    _section("guardduty", ("tests/capabilities/guardduty/test_guardduty.py",)),
    _section("securityhub", ("tests/capabilities/securityhub/test_securityhub.py",)),
    _section("macie", ("tests/capabilities/macie/test_macie.py",)),
    _section("config", ("tests/capabilities/config/test_config.py",)),
    _section("alerts", ("tests/capabilities/alerts/test_alerts.py",)),
    _section("firewall_manager", ("tests/capabilities/firewall_manager/test_firewall.py",)),
    _section("guardrails", ("tests/capabilities/guardrails/test_guardrails.py",)),
    _section("scanner_findings", ("tests/capabilities/scanner_findings/test_scanner_findings.py",)),
)


@dataclass(frozen=True)
class Worker:
    """A copy of the repository that cosmic-ray mutates, and the fork server running in it."""

    tree: Path
    socket: Path


def copy_tree(tree: Path) -> None:
    """The repository's files (tracked and new, not ignored) into `tree`, afresh."""
    shutil.rmtree(tree, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)


@contextmanager
def started(index: int) -> Iterator[Worker]:
    worker = Worker(WORK / f"worker-{index}", WORK / f"worker-{index}.sock")
    copy_tree(worker.tree)
    worker.socket.unlink(missing_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "mutation.forkserver", str(worker.socket), str(worker.tree)],
        cwd=worker.tree,
    )
    try:
        while not worker.socket.exists():
            time.sleep(0.1)
        yield worker
    finally:
        server.terminate()
        server.wait()


def test_command(worker: Worker, target: Target, timeout_seconds: float) -> list[str]:
    client = str(worker.tree / "mutation" / "client.py")
    return [sys.executable, client, str(worker.socket), str(timeout_seconds), *target.tests]


def write_config(worker: Worker, target: Target, timeout_seconds: float, path: Path) -> None:
    command = " ".join(test_command(worker, target, timeout_seconds))
    modules = ", ".join(f'"{module}"' for module in target.modules)
    excluded = ", ".join(f"'{pattern}'" for pattern in EXCLUDED_OPERATORS)
    path.write_text(
        "[cosmic-ray]\n"
        f"module-path = [{modules}]\n"
        f"timeout = {timeout_seconds + 30}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n",
        encoding="utf-8",
    )


def session_of(target: Target) -> Path:
    return SESSIONS / f"{target.name.replace('/', '-')}.sqlite"


def run_target(worker: Worker, target: Target, resume: bool) -> None:
    session = session_of(target)
    config = session.with_suffix(".toml")
    counts = outcomes(session)
    if resume and not counts["missing"] and not counts["pending"]:
        return
    began = time.monotonic()
    baseline = subprocess.run(test_command(worker, target, 600), cwd=worker.tree, check=False)
    if baseline.returncode != 0:
        print(f"{target.name}: the tests fail without mutations; skipped", flush=True)
        return
    # Generous: a mutant that makes the tests loop is killed; one that slows them is not.
    timeout = max(60.0, 5 * (time.monotonic() - began))
    write_config(worker, target, timeout, config)
    tools = Path(sys.executable).parent
    commands = [[tools / "cosmic-ray", "exec", config, session]]
    if not (resume and not counts["missing"]):
        session.unlink(missing_ok=True)
        commands[:0] = [
            [tools / "cosmic-ray", "init", config, session],
            [tools / "cr-filter-operators", session, config],
        ]
    for command in commands:
        subprocess.run([str(part) for part in command], cwd=worker.tree, check=True)
    report = [str(tools / "cr-report"), "--surviving-only", "--show-diff", str(session)]
    subprocess.run(report, cwd=worker.tree, check=True)


def outcomes(session: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not session.exists():
        return Counter(missing=1)
    with use_db(str(session), WorkDB.Mode.open) as db:
        for _, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                counts["skipped"] += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                counts["survived"] += 1
            elif result.test_outcome == TestOutcome.KILLED:
                counts["killed"] += 1
            else:
                counts["incompetent"] += 1
        counts["pending"] = len(db.pending_work_items)
    return counts


def run_all(targets: list[Target], jobs: int, resume: bool) -> None:
    """Each target on the first free worker; a worker mutates only its own copy."""
    SESSIONS.mkdir(parents=True, exist_ok=True)
    todo: queue.Queue[Target] = queue.Queue()
    for target in targets:
        todo.put(target)

    def work(index: int) -> None:
        with started(index) as worker:
            while True:
                try:
                    target = todo.get_nowait()
                except queue.Empty:
                    return
                run_target(worker, target, resume)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def print_summary(targets: list[Target]) -> None:
    print(f"\n{'target':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6}")
    for target in targets:
        counts = outcomes(session_of(target))
        if counts["missing"]:
            print(f"{target.name:<28} {'not run':>8}")
            continue
        other = counts["incompetent"] + counts["pending"]
        total = counts["killed"] + counts["survived"] + other
        print(
            f"{target.name:<28} {total:>8} {counts['killed']:>7} {counts['survived']:>9} {other:>6}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation.run")
    names = [target.name for target in TARGETS]
    parser.add_argument("--only", nargs="+", choices=names, metavar="TARGET", help=", ".join(names))
    parser.add_argument("--jobs", type=int, default=1, help="workers, each with its own copy")
    parser.add_argument("--summary", action="store_true", help="only print the last counts")
    parser.add_argument(
        "--resume", action="store_true", help="keep finished targets, finish interrupted ones"
    )
    args = parser.parse_args(argv)
    by_name = {target.name: target for target in TARGETS}
    chosen = [by_name[name] for name in args.only or names]
    if not args.summary:
        run_all(chosen, max(1, args.jobs), args.resume)
    print_summary(chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
