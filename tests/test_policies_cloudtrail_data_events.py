"""cloudtrail-s3-data-events: trails record S3 object-level writes (CIS 3.8) and reads (3.9)."""

import pytest

from tests.policy_harness import validate_resource
from tests.test_stack import of_type, planned

# isort: split

import cloudtrail_data_events

POLICY = cloudtrail_data_events.POLICIES[0]
TRAIL = "aws:cloudtrail/trail:Trail"
MANAGEMENT = {
    "name": "Management events",
    "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}],
}
WRITES = "the trail records no S3 object-level writes of every bucket (CIS 3.8)"
READS = "the trail records no S3 object-level reads of every bucket (CIS 3.9)"


def data(*extra: dict) -> dict:
    return {
        "name": "S3",
        "fieldSelectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            *extra,
        ],
    }


def problems(props: dict) -> list[str]:
    return [m.split(":")[0] for m in validate_resource(POLICY, TRAIL, props)]


def test_advanced_selectors_for_every_bucket_but_the_trails_own_pass() -> None:
    own = {"field": "resources.ARN", "notStartsWiths": ["arn:aws:s3:::trail-bucket/"]}

    assert problems({"advancedEventSelectors": [MANAGEMENT, data(own)]}) == []


@pytest.mark.parametrize(
    ("read_only", "missing"),
    [(["false"], [READS]), (["true"], [WRITES])],
)
def test_a_read_only_field_records_one_kind_only(read_only: list, missing: list) -> None:
    selectors = [MANAGEMENT, data({"field": "readOnly", "equals": read_only})]

    assert problems({"advancedEventSelectors": selectors}) == missing


def test_a_trail_without_data_events_fails_for_both() -> None:
    assert problems({"isMultiRegionTrail": True}) == [WRITES, READS]


def test_some_buckets_only_are_not_every_bucket() -> None:
    some = {"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::data-lake/"]}

    assert problems({"advancedEventSelectors": [MANAGEMENT, data(some)]}) == [WRITES, READS]


def test_data_selectors_without_a_management_selector_lose_management_events() -> None:
    [message] = validate_resource(POLICY, TRAIL, {"advancedEventSelectors": [data()]})

    assert message.startswith("advanced_event_selectors select no Management events")


def test_basic_selectors_of_all_buckets_pass_and_of_one_bucket_fail() -> None:
    def basic(values: list[str], kind: str = "All") -> dict:
        resources = [{"type": "AWS::S3::Object", "values": values}]
        return {"eventSelectors": [{"readWriteType": kind, "dataResources": resources}]}

    assert problems(basic(["arn:aws:s3"])) == []
    assert problems(basic(["arn:aws:s3:::"], "WriteOnly")) == [READS]
    assert problems(basic(["arn:aws:s3:::one-bucket/"])) == [WRITES, READS]


def test_the_prod_trail_passes_and_the_dev_trail_does_not() -> None:
    def trail_props(stack: str) -> dict:
        (trail,) = of_type(planned(stack, False), TRAIL)
        return {k: v for k, v in trail.inputs.items() if k.endswith("Selectors")}

    assert problems(trail_props("prod")) == []
    assert problems(trail_props("dev")) == [WRITES, READS]
