"""`resolved_apply` resolves nested Outputs as Output.from_input does, with fewer Outputs."""

from __future__ import annotations

import json
from typing import Any

import pulumi

from baseline.preview.model import SECRET_SIG, SIG_KEY, UNKNOWN
from components.nested_outputs import nested_outputs, resolved_apply
from tests.components_harness import by_urn, only, plan_of


def _topic_with_policy(policy: Any) -> None:
    pulumi.CustomResource("aws:sns/topic:Topic", "topic", {"policy": policy})


def _program(build: Any) -> Any:
    def program() -> None:
        key = pulumi.CustomResource("aws:kms/key:Key", "key", {"description": "k"})
        source = pulumi.CustomResource("aws:s3/bucket:Bucket", "bucket", {"bucket": "b"})
        _topic_with_policy(build(key, source))

    return program


def _document(key: pulumi.CustomResource, bucket: pulumi.CustomResource) -> dict[str, Any]:
    key_arn = pulumi.Output.from_input(key.urn).apply(lambda urn: f"arn-of:{urn.rsplit('::')[-1]}")
    return {
        "Statement": [
            {"Resource": [key_arn, "literal"], "Condition": {"Bool": {"x": "true"}}},
            (bucket.urn, {"nested": [bucket.urn]}),
        ]
    }


def test_nested_outputs_are_found_in_dicts_lists_and_tuples_in_order() -> None:
    first, second = pulumi.Output.from_input("a"), pulumi.Output.from_input("b")
    value = {"x": [first, {"y": (1, second)}], "z": "plain"}
    assert nested_outputs(value) == [first, second]
    assert nested_outputs({"only": ["plain", 1]}) == []


def test_value_and_dependencies_match_from_input() -> None:
    def mine(key: Any, bucket: Any) -> Any:
        return resolved_apply(_document(key, bucket), lambda d: json.dumps(d, sort_keys=True))

    def sdks(key: Any, bucket: Any) -> Any:
        document = pulumi.Output.from_input(_document(key, bucket))
        return document.apply(lambda d: json.dumps(d, sort_keys=True))

    ours, theirs = plan_of(_program(mine)), plan_of(_program(sdks))
    topic, expected = only(ours, "aws:sns/topic:Topic"), only(theirs, "aws:sns/topic:Topic")
    assert topic.inputs == expected.inputs
    assert json.loads(topic.inputs["policy"])["Statement"][0]["Resource"] == [
        "arn-of:key",
        "literal",
    ]
    assert set(topic.property_dependencies["policy"]) == set(
        expected.property_dependencies["policy"]
    )
    assert {by_urn(ours, urn).name for urn in topic.property_dependencies["policy"]} == {
        "key",
        "bucket",
    }


def test_an_output_holding_outputs_is_resolved_through() -> None:
    def build(key: Any, bucket: Any) -> Any:
        holder = pulumi.Output.from_input("x").apply(lambda _: [key.urn, {"b": bucket.urn}])
        return resolved_apply(holder, json.dumps)

    topic = only(plan_of(_program(build)), "aws:sns/topic:Topic")
    resolved = json.loads(topic.inputs["policy"])
    assert resolved[0].endswith("::key") and resolved[1]["b"].endswith("::bucket")


def test_a_secret_leaf_makes_the_result_secret() -> None:
    def build(key: Any, bucket: Any) -> Any:
        return resolved_apply({"s": pulumi.Output.secret("hidden")}, json.dumps)

    topic = only(plan_of(_program(build)), "aws:sns/topic:Topic")
    assert topic.inputs["policy"][SIG_KEY] == SECRET_SIG
    assert json.loads(topic.inputs["policy"]["value"]) == {"s": "hidden"}


def test_an_unknown_leaf_leaves_the_result_unknown_during_preview() -> None:
    def program() -> None:
        # An output the mocks do not compute is unknown during preview, as on AWS.
        key = pulumi.CustomResource("aws:kms/key:Key", "key", {"laterKnown": None})
        later: pulumi.Output[str] = key.laterKnown  # type: ignore[attr-defined]
        _topic_with_policy(resolved_apply({"v": later, "plain": "x"}, json.dumps))

    planned = only(plan_of(program, preview=True), "aws:sns/topic:Topic")
    assert planned.inputs.get("policy") in (None, UNKNOWN)


def test_a_value_without_outputs_is_passed_as_it_is() -> None:
    def build(key: Any, bucket: Any) -> Any:
        return resolved_apply({"Version": "2012-10-17"}, json.dumps)

    topic = only(plan_of(_program(build)), "aws:sns/topic:Topic")
    assert json.loads(topic.inputs["policy"]) == {"Version": "2012-10-17"}
