"""A value of the wrong shape anywhere in a spec: a named problem at its place, never a crash.

Each case says what it gives: a problem naming the wrong shape at that path, or, where the
spec gives the value a meaning (null means the default), that meaning.
"""

import copy
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baseline.problems import Problem, SpecError
from baseline.project import load_stack_file
from baseline.schema import format_path
from baseline.spec_loader import CONFIG_KEY, parse_spec

ROOT = Path(__file__).parent.parent
PROD = load_stack_file(ROOT, "prod").config[CONFIG_KEY]
# Each path gets one of these, in turn: a null, a list where anything else was, a mapping.
WRONG_SHAPES: tuple[Any, ...] = (None, [None, "x"], {"unexpected": [1]}, 7)

Path_ = tuple[str | int, ...]


def paths(value: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every place of the document; lists only through their first item (same rules)."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list) and value:
        yield from paths(value[0], (*prefix, 0))


def replaced(document: Any, path: Path_, new: Any) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


def removed(document: Any, path: Path_) -> Any:
    changed = copy.deepcopy(document)
    target = changed
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return changed


def shape_for(path: Path_) -> Any:
    """The wrong shape a path gets: fixed by the path alone, so new keys shift no other case."""
    return WRONG_SHAPES[zlib.crc32(".".join(map(str, path)).encode()) % len(WRONG_SHAPES)]


CASES = [pytest.param(path, shape_for(path), id=".".join(map(str, path))) for path in paths(PROD)]

# Where the schema has a default, null means the default: the same spec as without the key.
NULL_MEANS_DEFAULT = {
    "baseline.accounts.security.role_name",
    "baseline.cloudtrail",
    "baseline.cloudtrail.name",
    "baseline.cloudtrail.cloudwatch_logs",
    "baseline.cloudtrail.cloudwatch_logs.retention_days",
    "baseline.cloudtrail.s3_data_events.write",
    "baseline.quarantine",
    "baseline.guardduty",
    "baseline.guardduty.protections.ebs_malware_protection",
    "baseline.securityhub.disabled_controls",
    "baseline.macie.remediation.min_severity",
    "baseline.config",
    "baseline.config.conformance_packs",
    "baseline.scanner_findings.report_retention_days",
    "baseline.organization_policies",
    "baseline.organization_policies.exempt_principals",
}
# What a wrong shape gives: its own type named, or, for a mapping, its unknown key.
SHAPE_PROBLEM = re.compile(
    r"must have a value, got null"
    r"|must be (a|an) [^,]+, got (null \(None\)|list|mapping|integer \(7\))(: quote it)?"
    r"|must be a mapping, got (list|integer) \(not shown: the path takes a secret\)"
    r"|unknown key"
    r"|must be a Pulumi secret \(pulumi config set --secret --path .*\)"
    r"|must be a quoted string \('012345678901'\): as a YAML integer a leading zero would be lost"
)
# Cases whose wrong shape is well-typed but breaks a rule of the spec, maybe at another path.
RULE_PROBLEMS = {
    "baseline.macie.remediation.source_bucket_patterns": Problem(
        "baseline.macie.classification_jobs[0].buckets[0].names[0]",
        "'acme-data-lake-raw' is not among macie.remediation source_buckets or "
        "source_bucket_patterns: its findings could not be quarantined",
    ),
}


def problems_of(document: Any) -> tuple[Problem, ...]:
    with pytest.raises(SpecError) as raised:
        parse_spec(document, aws_region="us-east-1")
    return raised.value.problems


def _within(where: str, owner: str) -> bool:
    return where == owner or where.startswith((f"{owner}.", f"{owner}["))


@pytest.mark.parametrize(("path", "wrong"), CASES)
def test_each_wrong_shape_gives_its_problem_or_its_documented_meaning(
    path: Path_, wrong: Any
) -> None:
    where = format_path(path)
    document = replaced(PROD, path, wrong)
    if wrong is None and where in NULL_MEANS_DEFAULT:
        assert parse_spec(document, aws_region="us-east-1") == parse_spec(
            removed(PROD, path), aws_region="us-east-1"
        )
        return
    problems = problems_of(document)
    expected = RULE_PROBLEMS.get(where)
    if expected:
        assert expected in problems
        return
    # A `{secure: ...}` value is one secret: its problems are the secret's. Problems elsewhere
    # may follow (a job naming an identifier that is now gone), but the shape's is here.
    owner = where.removesuffix(".secure")
    here = [p for p in problems if _within(p.where, owner)]
    assert any(SHAPE_PROBLEM.fullmatch(p.what) for p in here), problems


def test_the_cases_cover_the_whole_prod_spec() -> None:
    assert {path[0] for path in paths(PROD)} == set(PROD)


def test_the_documented_meanings_are_all_still_cases() -> None:
    nulls = {format_path(path) for path in paths(PROD) if shape_for(path) is None}
    assert nulls >= NULL_MEANS_DEFAULT
    assert {format_path(path) for path in paths(PROD)} >= set(RULE_PROBLEMS)
