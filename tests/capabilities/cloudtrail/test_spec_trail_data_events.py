"""`cloudtrail.s3_data_events`: off by default (it costs), on in prod."""

from baseline.spec_loader import load_spec, parse_spec
from tests.paths import REPO
from tests.test_spec import problems_of


def test_data_events_are_off_by_default_and_on_in_prod() -> None:
    events = parse_spec({}, aws_region="us-east-1").cloudtrail.s3_data_events
    assert (events.write, events.read) == (False, False)

    prod = load_spec(REPO, "prod").cloudtrail.s3_data_events
    assert (prod.write, prod.read) == (True, True)


def test_data_events_take_booleans_only() -> None:
    (problem,) = problems_of(
        {"cloudtrail": {"s3_data_events": {"write": "yes"}}}, aws_region="us-east-1"
    )

    assert problem.where == "baseline.cloudtrail.s3_data_events.write"
    assert problem.what == "must be a boolean, got string ('yes')"
