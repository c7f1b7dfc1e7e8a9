"""The floors of `make bench`: the replay registers the very plan it replays; the figures are
medians, ratios and slopes as documented. Times themselves are never asserted."""

from __future__ import annotations

import gc
from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest

from baseline.preview.model import SECRET_SIG, SIG_KEY, Plan
from baseline.preview.runner import run_inline
from benchmarks.floor import FloorMeasurement, Pair
from benchmarks.floor_report import FloorResults, floor_section, floor_slopes
from benchmarks.replay import collector_settings, differences, provider_modules, replay_program
from components.buckets import SecureBucket, SecureBucketArgs

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _program() -> None:
    provider = aws.Provider("audit", region="eu-west-1")
    bucket = SecureBucket(
        "logs",
        SecureBucketArgs(kms_key_arn=KEY_ARN),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    aws.ssm.Parameter(
        "token",
        type="SecureString",
        value=pulumi.Output.secret("not-a-real-token"),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[bucket]),
    )
    pulumi.export("bucket", bucket.bucket)


@pytest.fixture(scope="module")
def original() -> tuple[Plan, list[str]]:
    plan = run_inline(_program, project="floor", stack="test", preview=True)
    return plan, provider_modules()


def _replayed(plan: Plan, modules: list[str]) -> Plan:
    program = replay_program(plan, modules, collector_settings())
    return run_inline(program, project="floor", stack="test", preview=True)


def test_the_replay_registers_the_very_plan_it_replays(original: tuple[Plan, list[str]]) -> None:
    plan, modules = original
    types = {resource.type for resource in plan.resources}
    # Not a trivial plan: a component, its children, an explicit provider and a secret input.
    assert {"security-baseline:buckets:SecureBucket", "pulumi:providers:aws"} <= types
    assert "pulumi_aws.s3" in modules
    replayed = _replayed(plan, modules)
    assert differences(plan, replayed) == []
    assert replayed.stack_outputs == plan.stack_outputs
    token = next(r for r in replayed.resources if r.name == "token")
    assert token.inputs["value"][SIG_KEY] == SECRET_SIG  # still a secret


def test_the_replay_runs_under_the_collector_settings_the_program_left(
    original: tuple[Plan, list[str]],
) -> None:
    plan, modules = original
    session = gc.get_threshold()
    program = replay_program(plan, modules, {"threshold": [12_345, 7, 3], "frozen": False})
    try:
        run_inline(program, project="floor", stack="test", preview=True)
        assert gc.get_threshold() == (12_345, 7, 3)
    finally:
        gc.set_threshold(*session)


def test_differences_name_what_the_replay_got_wrong(original: tuple[Plan, list[str]]) -> None:
    plan, _ = original
    bucket = next(r for r in plan.resources if r.type == "aws:s3/bucket:Bucket")
    changed = replace(bucket, inputs={**bucket.inputs, "forceDestroy": True})
    other = replace(
        plan,
        resources=tuple(changed if r is bucket else r for r in plan.resources if r.name != "token"),
    )
    found = differences(plan, other)
    assert f"registered differently: {bucket.urn}" in found
    assert any(line.startswith("missing from the replay:") and "token" in line for line in found)
    assert len(found) == 2


def test_pairs_take_medians_and_the_median_of_the_rounds_ratios() -> None:
    pair = Pair.of([(1.0, 2.0), (2.0, 2.0), (1.0, 3.0)])
    assert pair.floor_seconds == 1.0
    assert pair.project_seconds == 2.0
    # Round by round: 2.0, 1.0 and 3.0, whatever the medians of the seconds.
    assert pair.ratio == 2.0
    assert pair.rounds == 3


def _measured(
    resources: int, program: tuple[float, float], policy: tuple[float, float]
) -> FloorMeasurement:
    return FloorMeasurement(
        resources,
        Pair(program[0], program[1], program[1] / program[0], 5),
        Pair(policy[0], policy[1], policy[1] / policy[0], 5),
    )


def test_slopes_are_the_cost_of_each_added_resource_beside_its_floor() -> None:
    small = _measured(100, (0.3, 0.5), (0.5, 0.8))
    large = _measured(1000, (1.2, 3.2), (0.68, 1.07))
    (slope,) = floor_slopes([("app 100", small), ("app 1000", large)])
    assert (slope.start, slope.end) == ("app 100", "app 1000")
    assert slope.program_floor_ms == pytest.approx(1.0)
    assert slope.program_ms == pytest.approx(3.0)
    assert slope.noop_pack_ms == pytest.approx(0.2)
    assert slope.pack_ms == pytest.approx(0.3)


def test_the_prod_ratios_are_judged_against_the_issue_target() -> None:
    prod = _measured(470, (3.0, 3.6), (0.5, 0.9))
    text = "\n".join(floor_section(FloorResults(prod, ())))
    assert "| prod | 470 | 3.00 | 3.60 | 1.20 | 0.50 | 0.90 | 1.80 | 5 |" in text
    assert "- prod program within 1.5x its floor: 1.20x, met" in text
    assert "- prod pack within 1.5x the no-op pack: 1.80x, NOT met" in text
