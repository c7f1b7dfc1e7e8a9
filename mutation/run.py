"""`make mutation`: mutation testing of the security-relevant modules with cosmic-ray.

Each target is a few modules and the tests that exercise them: a mutant runs only those.
Everything happens in a copy of the repository (.mutation/tree), never in the work tree,
and each mutant's tests run in a fork of a server that has the libraries already imported
(forkserver.py), so that a mutant costs its tests, not pytest's start-up. Prints the
surviving mutants (their diffs) and a count per target. Not part of `make test` or CI.

    python -m mutation.run [--only TARGET ...]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

REPO = Path(__file__).resolve().parent.parent
WORK = REPO / ".mutation"
TREE = WORK / "tree"
SOCKET = WORK / "forkserver.sock"
MACIE = "components/functions/macie_remediation"
IMPORTER = "components/functions/findings_import"
MACIE_TESTS = tuple(
    f"tests/test_macie_remediation_{name}.py"
    for name in ("finding_handler", "approval_handler", "remediator")
)
IMPORT_TESTS = tuple(
    f"tests/test_findings_import{suffix}.py"
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
    return Target(f"sections/{name}", (f"baseline/sections/{name}.py",), (*SPEC_TESTS, *tests))


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
    Target("findings_import", (f"{IMPORTER}/handler.py", f"{IMPORTER}/importer"), IMPORT_TESTS),
    _policy("s3", "tests/test_policies_documents.py"),
    _policy("documents", "tests/test_policies_iam.py", "tests/test_policies_kms.py"),
    _policy("iam"),
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
    _section("_checks", ("tests/test_macie.py", "tests/test_guardduty.py")),
    _section("accounts"),
    _section("regions"),
    _section("tags"),
    _section("kms", ("tests/test_kms.py",)),
    _section("cloudtrail", ("tests/test_cloudtrail.py",)),
    _section("log_archive", ("tests/test_log_archive.py",)),
    _section("quarantine", ("tests/test_quarantine.py",)),
    _section("notifications", ("tests/test_notifications.py",)),
    _section("guardduty", ("tests/test_guardduty.py",)),
    _section("securityhub", ("tests/test_securityhub.py",)),
    _section("macie", ("tests/test_macie.py",)),
    _section("config", ("tests/test_config.py",)),
    _section("alerts", ("tests/test_alerts.py",)),
    _section("firewall_manager", ("tests/test_firewall.py",)),
    _section("guardrails", ("tests/test_guardrails.py",)),
    _section("scanner_findings", ("tests/test_scanner_findings.py",)),
)


def copy_tree() -> None:
    """The repository's files (tracked and new, not ignored) into TREE, afresh."""
    shutil.rmtree(TREE, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (TREE / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, TREE / name)


def test_command(target: Target, timeout_seconds: float) -> list[str]:
    client = str(TREE / "mutation" / "client.py")
    return [sys.executable, client, str(SOCKET), str(timeout_seconds), *target.tests]


def write_config(target: Target, timeout_seconds: float, path: Path) -> None:
    command = " ".join(test_command(target, timeout_seconds))
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


def run_target(target: Target) -> Counter[str]:
    slug = target.name.replace("/", "-")
    config, session = WORK / f"{slug}.toml", WORK / f"{slug}.sqlite"
    started = time.monotonic()
    baseline = subprocess.run(test_command(target, 600), cwd=TREE, check=False)
    if baseline.returncode != 0:
        print(f"{target.name}: the tests fail without mutations; skipped", flush=True)
        return Counter(broken=1)
    # Generous: a mutant that makes the tests loop is killed; one that slows them is not.
    timeout = max(60.0, 5 * (time.monotonic() - started))
    write_config(target, timeout, config)
    session.unlink(missing_ok=True)
    tools = Path(sys.executable).parent
    for command in (
        [tools / "cosmic-ray", "init", config, session],
        [tools / "cr-filter-operators", session, config],
        [tools / "cosmic-ray", "exec", config, session],
    ):
        subprocess.run([str(part) for part in command], cwd=TREE, check=True)
    report = [str(tools / "cr-report"), "--surviving-only", "--show-diff", str(session)]
    subprocess.run(report, cwd=TREE, check=True)
    return outcomes(session)


def outcomes(session: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation.run")
    names = [target.name for target in TARGETS]
    parser.add_argument("--only", nargs="+", choices=names, metavar="TARGET", help=", ".join(names))
    chosen = parser.parse_args(argv).only or names
    copy_tree()
    SOCKET.unlink(missing_ok=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "mutation.forkserver", str(SOCKET), str(TREE)], cwd=TREE
    )
    try:
        while not SOCKET.exists():
            time.sleep(0.1)
        results = {t.name: run_target(t) for t in TARGETS if t.name in chosen}
    finally:
        server.terminate()
        server.wait()
    print(f"\n{'target':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6}")
    for name, counts in results.items():
        other = counts["incompetent"] + counts["pending"] + counts["broken"]
        total = counts["killed"] + counts["survived"] + other
        print(f"{name:<28} {total:>8} {counts['killed']:>7} {counts['survived']:>9} {other:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
