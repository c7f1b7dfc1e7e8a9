"""CloudTrail trails record S3 object-level writes and reads (CIS AWS Foundations 3.8, 3.9).

A trail selects events with basic `eventSelectors` or with `advancedEventSelectors` (never
both: CloudTrail API Reference, PutEventSelectors). Object-level calls of every bucket are:
- basic: a data resource of type `AWS::S3::Object` whose values hold `arn:<partition>:s3` (all
  buckets; `arn:<partition>:s3:::` too), in a selector whose readWriteType covers writes or reads;
- advanced: a selector with eventCategory Data and resources.type AWS::S3::Object, without a
  positive filter on resources.ARN (exclusions, as of the trail's own bucket, are fine), whose
  readOnly field, when present, says "false" (writes) or "true" (reads).
A trail with advanced selectors records management events only if one selector asks for them
(CloudTrail user guide, "Filtering data events by using advanced event selectors"): one that
adds data events without it stops recording management events, which is reported too.

Advisory unless configured: data events cost $0.10 per 100,000 delivered, a choice per stack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from helpers import as_list, as_mapping, text
from metadata import resource_policy
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

TRAIL = "aws:cloudtrail/trail:Trail"
S3_OBJECT = "AWS::S3::Object"
ALL_BUCKETS = re.compile(r"arn:aws[a-z-]*:s3(:::)?")
POSITIVE_ARN_FILTERS = ("equals", "startsWiths", "endsWiths")


def _fields(selector: Any) -> dict[str, Mapping[str, Any]]:
    return {
        text(field, "field"): field
        for field in map(as_mapping, as_list(as_mapping(selector).get("fieldSelectors")))
    }


def _equals(field: Mapping[str, Any] | None) -> list[str]:
    return [str(value) for value in as_list((field or {}).get("equals"))]


def _advanced_coverage(selectors: list[Any]) -> tuple[set[str], bool]:
    """Which of "write", "read" the advanced selectors record for every bucket, and whether
    they keep management events."""
    covered: set[str] = set()
    management = False
    for selector in selectors:
        fields = _fields(selector)
        category = _equals(fields.get("eventCategory"))
        management |= "Management" in category
        arn = fields.get("resources.ARN") or {}
        if (
            "Data" not in category
            or S3_OBJECT not in _equals(fields.get("resources.type"))
            or any(as_list(arn.get(op)) for op in POSITIVE_ARN_FILTERS)
        ):
            continue
        read_only = _equals(fields.get("readOnly"))
        covered |= (
            {"write"}
            if read_only == ["false"]
            else {"read"}
            if read_only == ["true"]
            else {"write", "read"}
        )
    return covered, management


def _basic_coverage(selectors: list[Any]) -> set[str]:
    covered: set[str] = set()
    for selector in map(as_mapping, selectors):
        for resource in map(as_mapping, as_list(selector.get("dataResources"))):
            values = [str(v) for v in as_list(resource.get("values"))]
            if text(resource, "type") != S3_OBJECT or not any(map(ALL_BUCKETS.fullmatch, values)):
                continue
            kind = text(selector, "readWriteType", "All")
            covered |= {"All": {"write", "read"}, "WriteOnly": {"write"}, "ReadOnly": {"read"}}[
                kind
            ]
    return covered


def _validate_data_events(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != TRAIL:
        return
    advanced = as_list(args.props.get("advancedEventSelectors"))
    if advanced:
        covered, management = _advanced_coverage(advanced)
        if not management:
            report(
                "advanced_event_selectors select no Management events: the trail stops recording "
                "management events (add a selector whose field_selectors have field "
                "'eventCategory' equal to 'Management').",
                None,
            )
    else:
        covered = _basic_coverage(as_list(args.props.get("eventSelectors")))
    for kind, control in (("write", "3.8"), ("read", "3.9")):
        if kind not in covered:
            report(
                f"the trail records no S3 object-level {kind}s of every bucket (CIS {control}): "
                "select data events of AWS::S3::Object for all buckets.",
                None,
            )


POLICIES = [
    resource_policy(
        name="cloudtrail-s3-data-events",
        summary="CloudTrail trails should record S3 object-level writes and reads of every bucket.",
        validate=_validate_data_events,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Give the trail advanced_event_selectors: one with eventCategory Management, and one "
            "with eventCategory Data and resources.type AWS::S3::Object, excluding the trail's "
            "own bucket with resources.ARN NotStartsWith (S3DataEvents of the cloudtrail "
            "capability, spec cloudtrail.s3_data_events). Mind the cost: $0.10 per 100,000 events."
        ),
        enforcement_level=EnforcementLevel.ADVISORY,
    ),
]
