"""`baseline audit --json` files as one body of evidence.

`baseline report --audit A --audit B ...` reads each file and merges them: the runs of
older versions, one per account, or audits of some regions each, or a re-run after a fix.
All must audit the same stack of the same project. Results are keyed by (account, check,
region, resource), coverage entries by (account, service, region); when two files hold the
same key:
- a definite answer (PASS or FAIL; COVERED or MISSING) beats one that is not (ERROR, SKIP):
  an audit that could not look does not overrule one that did;
- otherwise the file given later on the command line wins: give them oldest first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from baseline.audit.coverage.model import Coverage, CoverageStatus
from baseline.audit.model import CheckResult
from baseline.audit.model import Status as AuditStatus
from baseline.inputs import MAX_AUDIT_FILE_BYTES, load_json, read_text
from baseline.problems import Problem, SpecError

RESULT_FIELDS = ("id", "status", "region", "resource", "reason")
COVERAGE_FIELDS = ("account", "name", "region", "service", "status", "reason")
HEADING = ("stack", "project", "account")
DEFINITE = frozenset(
    {AuditStatus.PASS, AuditStatus.FAIL, CoverageStatus.COVERED, CoverageStatus.MISSING}
)

_Entry = TypeVar("_Entry", CheckResult, Coverage)


@dataclass(frozen=True)
class AuditDocument:
    stack: str
    project: str
    # The account whose credentials ran the audit.
    account: str
    results: tuple[CheckResult, ...]
    coverage: tuple[Coverage, ...] = ()


@dataclass(frozen=True)
class Audits:
    """Every file's evidence, merged."""

    stack: str
    project: str
    accounts: tuple[str, ...]
    files: tuple[str, ...]
    results: tuple[CheckResult, ...]
    coverage: tuple[Coverage, ...]


def load_audits(
    paths: Sequence[Path], known_checks: Iterable[str], known_services: Iterable[str]
) -> Audits:
    checks, services = set(known_checks), set(known_services)
    documents = [load_audit(path, checks, services) for path in paths]
    first = documents[0]
    problems = [
        Problem(
            str(path),
            f"audits stack {d.stack} of project {d.project}, but {paths[0]} audits stack "
            f"{first.stack} of project {first.project}: merge audits of one stack",
        )
        for path, d in zip(paths, documents, strict=True)
        if (d.stack, d.project) != (first.stack, first.project)
    ]
    if problems:
        raise SpecError(problems)
    return Audits(
        stack=first.stack,
        project=first.project,
        accounts=tuple(dict.fromkeys(d.account for d in documents)),
        files=tuple(path.name for path in paths),
        results=merged((d.results for d in documents), _result_key),
        coverage=merged((d.coverage for d in documents), _coverage_key),
    )


def merged(
    documents: Iterable[Sequence[_Entry]], key: Callable[[_Entry], Hashable]
) -> tuple[_Entry, ...]:
    """The entries of every document, one per key, by the rules of this module."""
    chosen: dict[Hashable, _Entry] = {}
    for entries in documents:
        for entry in entries:
            known = chosen.get(key(entry))
            if known is None or entry.status in DEFINITE or known.status not in DEFINITE:
                chosen[key(entry)] = entry
    return tuple(chosen.values())


def _result_key(result: CheckResult) -> Hashable:
    return (result.account, result.check_id, result.region, result.resource)


def _coverage_key(entry: Coverage) -> Hashable:
    return (entry.account, entry.service, entry.region)


def load_audit(path: Path, known_checks: set[str], known_services: set[str]) -> AuditDocument:
    """Read one `baseline audit --json` file; SpecError naming the file and what is wrong."""
    where = str(path)
    text = read_text(path, MAX_AUDIT_FILE_BYTES, where, "cannot read the audit file: no such file")
    document = load_json(text, where)
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        what = "not a `baseline audit --json` document: no results list"
        raise SpecError([Problem(where, what)])
    heading = {key: document.get(key) for key in HEADING}
    problems = [
        f"{key}: must be a string" for key, value in heading.items() if not isinstance(value, str)
    ]
    account = str(heading["account"])
    results = _entries(
        document["results"], "results", problems, lambda e: _result(e, known_checks, account)
    )
    coverage_list = document.get("coverage", [])
    if not isinstance(coverage_list, list):
        problems.append("coverage: must be a list")
        coverage_list = []
    coverage = _entries(coverage_list, "coverage", problems, lambda e: _coverage(e, known_services))
    if problems:
        raise SpecError(Problem(where, what) for what in problems)
    return AuditDocument(str(heading["stack"]), str(heading["project"]), account, results, coverage)


def _entries(
    entries: list[Any],
    name: str,
    problems: list[str],
    parse: Callable[[Any], tuple[_Entry | None, list[str]]],
) -> tuple[_Entry, ...]:
    parsed = []
    for index, entry in enumerate(entries):
        value, found = parse(entry)
        problems.extend(f"{name}[{index}]: {what}" for what in found)
        if value is not None:
            parsed.append(value)
    return tuple(parsed)


def _has_strings(entry: Any, fields: Sequence[str]) -> bool:
    return isinstance(entry, dict) and all(isinstance(entry.get(f), str) for f in fields)


def _result(entry: Any, known: set[str], account: str) -> tuple[CheckResult | None, list[str]]:
    if not _has_strings(entry, RESULT_FIELDS):
        return None, [f"must be an object with string fields {', '.join(RESULT_FIELDS)}"]
    problems = []
    if entry["id"] not in known:
        problems.append(f"unknown audit check {entry['id']!r}")
    if entry["status"] not in AuditStatus.__members__:
        statuses = ", ".join(AuditStatus.__members__)
        problems.append(f"status {entry['status']!r} is not one of {statuses}")
    if problems:
        return None, problems
    return CheckResult(
        entry["id"],
        AuditStatus(entry["status"]),
        entry["region"],
        entry["resource"],
        entry["reason"],
        # Audits before one run read several accounts name none: the file's account.
        account=str(entry.get("account") or account),
    ), []


def _coverage(entry: Any, known: set[str]) -> tuple[Coverage | None, list[str]]:
    if not _has_strings(entry, COVERAGE_FIELDS):
        return None, [f"must be an object with string fields {', '.join(COVERAGE_FIELDS)}"]
    problems = []
    if entry["service"] not in known:
        problems.append(f"unknown service {entry['service']!r}")
    if entry["status"] not in CoverageStatus.__members__:
        statuses = ", ".join(CoverageStatus.__members__)
        problems.append(f"status {entry['status']!r} is not one of {statuses}")
    if problems:
        return None, problems
    values = {field: entry[field] for field in COVERAGE_FIELDS}
    return Coverage(**{**values, "status": CoverageStatus(entry["status"])}), []
