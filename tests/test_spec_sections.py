"""Checks of the spec's sections that span items: duplicates, exclusive keys, name limits.

Each runs through `parse_spec`, as `baseline validate` does, and names the exact problem.
"""

from __future__ import annotations

from typing import Any

import pytest

from baseline.problems import Problem, SpecError
from baseline.spec import Spec
from baseline.spec_loader import parse_spec

# GuardDuty CreateFilter Name: 3 to 64 of A-Za-z0-9 . _ - (botocore: min 3, max 64).
GUARDDUTY_MAX_NAME = 64
# The spec's own limit on Macie identifier and job names (AWS allows 128 and 500).
MACIE_MAX_NAME = 64
SUFFIX = "abcdefghijklmnopqrstuvwxyz0123456789" * 2


def parse(document: dict[str, Any]) -> Spec:
    return parse_spec(document, aws_region="us-east-1")


def problems(document: dict[str, Any]) -> list[Problem]:
    with pytest.raises(SpecError) as raised:
        parse(document)
    return list(raised.value.problems)


def suppression_filter(name: str) -> dict[str, Any]:
    return {"name": name, "criteria": [{"field": "severity", "less_than": 4}]}


def identifier(name: str) -> dict[str, Any]:
    return {"name": name, "regex": r"EMP-\d{6}"}


def job(name: str, **changes: Any) -> dict[str, Any]:
    criteria = {"includes": [{"property": "S3_BUCKET_NAME", "values": ["data-"]}]}
    return {"name": name, "type": "ONE_TIME", "bucket_criteria": criteria, **changes}


def test_two_guardduty_suppression_filters_may_not_share_a_name() -> None:
    document = {
        "guardduty": {"suppression_filters": [suppression_filter(n) for n in ["aaa", "bbb", "aaa"]]}
    }

    assert problems(document) == [
        Problem(
            "baseline.guardduty.suppression_filters", "two suppression filters have the name 'aaa'"
        )
    ]


def test_two_macie_identifiers_or_jobs_may_not_share_a_name() -> None:
    document = {
        "macie": {
            "custom_data_identifiers": [identifier("emp"), identifier("emp")],
            "classification_jobs": [job("weekly"), job("daily"), job("weekly")],
        }
    }

    assert problems(document) == [
        Problem(
            "baseline.macie.classification_jobs", "two classification jobs have the name 'weekly'"
        ),
        Problem(
            "baseline.macie.custom_data_identifiers",
            "two custom data identifiers have the name 'emp'",
        ),
    ]


def test_a_job_may_not_list_an_identifier_twice() -> None:
    document = {
        "macie": {
            "custom_data_identifiers": [identifier("emp")],
            "classification_jobs": [job("j", custom_data_identifiers=["emp", "emp"])],
        }
    }

    assert problems(document) == [
        Problem(
            "baseline.macie.classification_jobs[0].custom_data_identifiers", "'emp' is listed twice"
        )
    ]


CONDITIONS = "baseline.macie.classification_jobs[0].bucket_criteria.includes[0]"


@pytest.mark.parametrize(
    ("condition", "what"),
    [
        ({"comparator": "EQ"}, "needs either property (with values) or tags"),
        (
            {"property": "S3_BUCKET_NAME", "values": ["data-"], "tags": {"team": "data"}},
            "needs either property (with values) or tags",
        ),
        ({"property": "S3_BUCKET_NAME"}, "values: required with property"),
        (
            {"tags": {"team": "data"}, "comparator": "STARTS_WITH"},
            "comparator: tags compare with EQ or NE",
        ),
    ],
)
def test_a_bucket_condition_has_exactly_one_of_property_or_tags(
    condition: dict[str, Any], what: str
) -> None:
    document = {
        "macie": {"classification_jobs": [job("j", bucket_criteria={"includes": [condition]})]}
    }

    assert problems(document) == [Problem(CONDITIONS, what)]


@pytest.mark.parametrize(
    "condition",
    [
        {"property": "S3_BUCKET_NAME", "values": ["data-"]},
        {"tags": {"team": "data"}, "comparator": "NE"},
    ],
)
def test_a_bucket_condition_with_one_kind_passes(condition: dict[str, Any]) -> None:
    document = {
        "macie": {"classification_jobs": [job("j", bucket_criteria={"excludes": [condition]})]}
    }

    assert len(parse(document).macie.classification_jobs) == 1


@pytest.mark.parametrize("criteria", [{}, {"includes": [], "excludes": []}])
def test_empty_bucket_criteria_are_a_problem(criteria: dict[str, Any]) -> None:
    document = {"macie": {"classification_jobs": [job("j", bucket_criteria=criteria)]}}

    assert problems(document) == [
        Problem(
            "baseline.macie.classification_jobs[0].bucket_criteria",
            "needs at least one condition in includes or excludes",
        )
    ]


def test_guardduty_filter_names_are_3_to_64_characters() -> None:
    longest = ("f" + SUFFIX)[:GUARDDUTY_MAX_NAME]
    accepted = parse({"guardduty": {"suppression_filters": [suppression_filter(longest)]}})
    assert [f.name for f in accepted.guardduty.suppression_filters] == [longest]

    for name in ("ab", longest + "x"):
        document = {"guardduty": {"suppression_filters": [suppression_filter(name)]}}
        assert problems(document) == [
            Problem(
                "baseline.guardduty.suppression_filters[0].name",
                f"must be 3 to 64 letters, digits, _ . or -, got {name!r}",
            )
        ]


def test_macie_names_are_at_most_64_characters() -> None:
    longest = ("m" + SUFFIX)[:MACIE_MAX_NAME]
    accepted = parse(
        {
            "macie": {
                "custom_data_identifiers": [identifier(longest)],
                "classification_jobs": [job(longest)],
            }
        }
    )
    assert [i.name for i in accepted.macie.custom_data_identifiers] == [longest]
    assert [j.name for j in accepted.macie.classification_jobs] == [longest]

    too_long = longest + "x"
    document = {
        "macie": {
            "custom_data_identifiers": [identifier(too_long)],
            "classification_jobs": [job(too_long)],
        }
    }
    what = f"must be 1 to 64 letters, digits, _ . or -, got {too_long!r}"
    assert problems(document) == [
        Problem("baseline.macie.classification_jobs[0].name", what),
        Problem("baseline.macie.custom_data_identifiers[0].name", what),
    ]
