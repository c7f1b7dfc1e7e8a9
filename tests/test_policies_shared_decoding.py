"""The pack's shared-decoding servicer answers as pulumi-policy's own, request for request.

Every fixture project that breaks the pack is planned offline; each of its resources goes
through `Analyze` and the whole plan through `AnalyzeStack` of both servicers, configured alike:
the responses must be equal message for message. The plugin, started as the Pulumi CLI starts
it, serves with the shared servicer and answers the same over gRPC.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from baseline.preview.analyzer import open_packs
from baseline.preview.encoding import PlanEncoder
from baseline.preview.model import Plan
from baseline.preview.packconfig import (
    configure_request,
    initial_config,
    load_config_file,
    policy_info,
    reconcile,
)
from baseline.preview.runner import run_inline
from baseline.project import load_stack_file, program_config, python_program
from tests.plan_memo import planned_project
from tests.policy_harness import PACK, POLICIES_DIR, servicer, to_struct, urn_of

# isort: split

import shared_decoding
from catalog import ALL_POLICIES
from metadata import TypedResourcePolicy
from pulumi_policy import policy as sdk

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
BREAKING = (
    "noncompliant",
    "pack-gaps",
    "kms-lockout",
    "org-pack-recorder",
    "singleton",
    "sns-publisher",
    "shield-subscription",
)


def _plan(directory: Path, stack_name: str = "dev") -> Plan:
    stack = load_stack_file(directory, stack_name)
    config, secret_keys = program_config(stack)
    main = python_program(stack)
    return run_inline(
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project=stack.project,
        stack=stack.stack,
        config=config,
        secret_keys=secret_keys,
        preview=True,  # unknown values too: the "can't run during preview" advisories
    )


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {name: _plan(PROJECTS / name) for name in BREAKING}


@pytest.fixture(scope="module")
def prod_plan() -> Plan:
    """The repository's own prod stack, as `make bench` and CI preview it (`baseline preview`'s
    plan, made once for the test run: tests/plan_memo.py)."""
    return planned_project(load_stack_file(POLICIES_DIR.parent, "prod"), preview=True)


def _configured(servicer_class: Any, config_file: Path, policies: list[Policy]) -> Any:
    """A servicer configured as the engine configures a pack from `config_file`."""
    service = servicer_class(PACK, "0.0.1", policies, EnforcementLevel.MANDATORY)
    info = service.GetAnalyzerInfo(None, None)
    infos = tuple(policy_info(policy) for policy in info.policies)
    config = reconcile(infos, initial_config(info), load_config_file(config_file))
    service.Configure(configure_request(config_file, config), None)
    return service


def _requests(plan: Plan) -> Iterator[tuple[str, Any]]:
    encoder = PlanEncoder(plan.resources)
    for resource in plan.resources:
        yield "Analyze", encoder.analyze_request(resource, resource.inputs)
    yield (
        "AnalyzeStack",
        analyzer_pb2.AnalyzeStackRequest(
            resources=[encoder.stack_resource(r, r.outputs or r.inputs) for r in plan.resources]
        ),
    )


@pytest.mark.parametrize("config", ["dev", "prod"])
def test_every_answer_over_the_breaking_projects_is_the_sdks(
    plans: dict[str, Plan], config: str
) -> None:
    config_file = POLICIES_DIR / "config" / f"{config}.json"
    expected_service = _configured(sdk._PolicyAnalyzerServicer, config_file, ALL_POLICIES)
    shared_service = _configured(shared_decoding.SharedDecodingServicer, config_file, ALL_POLICIES)
    diagnostics: set[str] = set()
    for plan in plans.values():
        for method, request in _requests(plan):
            expected = getattr(expected_service, method)(request, None)
            assert getattr(shared_service, method)(request, None) == expected, (method, request)
            diagnostics.update(d.policyName for d in expected.diagnostics)
    # Not a comparison of empty answers: the projects break many policies, some during preview.
    assert len(diagnostics) >= 15, diagnostics


def test_the_sdk_path_and_the_shared_path_agree_over_the_prod_plan(prod_plan: Plan) -> None:
    """The SDK's own servicer is what the pack falls back to on another pulumi-policy."""
    config_file = POLICIES_DIR / "config" / "prod.json"
    sdk_path = _configured(sdk._PolicyAnalyzerServicer, config_file, ALL_POLICIES)
    shared_path = _configured(shared_decoding.SharedDecodingServicer, config_file, ALL_POLICIES)
    answered = []
    for method, request in _requests(prod_plan):
        expected = getattr(sdk_path, method)(request, None)
        assert getattr(shared_path, method)(request, None) == expected, (method, request)
        answered.append((method, expected))
    assert len(answered) == len(prod_plan.resources) + 1 > 400
    # Prod breaks no policy; its one finding is the advisory reminder that Shield Advanced is
    # subscribed outside the stack (fms-shield-advanced-subscription: "existing").
    diagnostics = {(d.policyName, d.enforcementLevel) for _, a in answered for d in a.diagnostics}
    assert diagnostics == {
        ("fms-shield-advanced-subscription-outside-stack", analyzer_pb2.ADVISORY)
    }


def _async_report(args: ResourceValidationArgs, report: ReportViolation) -> Any:
    async def later() -> None:
        report("reported from a coroutine", None)

    return later()


def _report_parents(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource in args.resources:
        parent = resource.parent.name if resource.parent else "-"
        report(f"{resource.name} under {parent}", resource.urn)


def _sdk_corners() -> list[Policy]:
    """Policies that take every path of the SDK's servicer."""

    def typed(name: str, validate: Any) -> Policy:
        policy = ResourceValidationPolicy(name=name, description=name, validate=validate)
        policy.resource_types = frozenset({"aws:s3/bucket:Bucket"})  # type: ignore[attr-defined]
        return policy

    return [
        ResourceValidationPolicy(
            name="not-applicable",
            description="says so",
            validate=lambda args, report: args.not_applicable("no such thing here"),
        ),
        ResourceValidationPolicy(name="coroutine", description="async", validate=_async_report),
        ResourceValidationPolicy(
            name="remediate-only", description="fixes", remediate=lambda args: None
        ),
        ResourceValidationPolicy(
            name="remediating",
            description="reports at remediate level",
            validate=lambda args, report: report("still wrong", None),
            enforcement_level=EnforcementLevel.REMEDIATE,
        ),
        ResourceValidationPolicy(
            name="disabled",
            description="off",
            validate=lambda args, report: report("never", None),
            enforcement_level=EnforcementLevel.DISABLED,
        ),
        ResourceValidationPolicy(
            name="reads-unknown",
            description="preview",
            validate=lambda args, report: report(str(args.props["later"]), None),
        ),
        typed("bucket-only", lambda args, report: None),
        StackValidationPolicy(
            name="stack-not-applicable",
            description="n/a",
            validate=lambda args, report: args.not_applicable("nothing to see"),
        ),
        StackValidationPolicy(
            name="stack-reports", description="names the parent", validate=_report_parents
        ),
    ]


def test_the_sdks_corner_cases_get_the_sdks_answers() -> None:
    policies = _sdk_corners()
    expected_service = servicer(policies)
    shared_service = shared_decoding.SharedDecodingServicer(
        PACK, "0.0.1", policies, EnforcementLevel.MANDATORY
    )
    queue = urn_of("aws:sqs/queue:Queue", "q")
    request = analyzer_pb2.AnalyzeRequest(
        type="aws:sqs/queue:Queue",
        urn=queue,
        name="q",
        properties=to_struct({"later": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}),
    )
    expected = expected_service.Analyze(request, None)
    assert shared_service.Analyze(request, None) == expected
    assert {d.policyName for d in expected.diagnostics} == {
        "coroutine",
        "remediating",
        "reads-unknown",
    }
    assert {n.policy_name for n in expected.not_applicable} == {"not-applicable", "remediate-only"}
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(type="pulumi:pulumi:Stack", urn="root", name="root"),
            analyzer_pb2.AnalyzerResource(
                type="aws:sqs/queue:Queue", urn=queue, name="q", parent="root"
            ),
        ]
    )
    expected = expected_service.AnalyzeStack(stack, None)
    assert shared_service.AnalyzeStack(stack, None) == expected
    assert [d.message.splitlines()[-1] for d in expected.diagnostics] == [
        "root under -",
        "q under root",
    ]


def test_typed_policies_skip_other_types_as_their_validation_would() -> None:
    policy = next(p for p in ALL_POLICIES if p.name == "kms-key-rotation")
    assert isinstance(policy, TypedResourcePolicy)
    assert policy.resource_types == frozenset({"aws:kms/key:Key"})
    assert shared_decoding.evaluates(policy, "aws:kms/key:Key")
    assert not shared_decoding.evaluates(policy, "aws:s3/bucket:Bucket")
    every_type = next(p for p in ALL_POLICIES if p.name == "tags-no-sensitive-data")
    assert isinstance(every_type, TypedResourcePolicy) and every_type.resource_types is None
    assert shared_decoding.evaluates(every_type, "aws:anything/at:All")


def test_install_serves_with_the_shared_servicer_on_the_pinned_sdk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sdk, "_PolicyAnalyzerServicer", sdk._PolicyAnalyzerServicer)
    assert shared_decoding.install() is True
    assert sdk._PolicyAnalyzerServicer is shared_decoding.SharedDecodingServicer


def test_install_changes_nothing_on_another_sdk_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = sdk._PolicyAnalyzerServicer
    monkeypatch.setattr(sdk, "_PolicyAnalyzerServicer", original)
    monkeypatch.setattr(shared_decoding, "VERSION", "1.22.0")
    assert shared_decoding.install() is False
    assert sdk._PolicyAnalyzerServicer is original
    assert "pulumi-policy 1.22.0 is not 1.21.0" in capsys.readouterr().err


def test_the_plugin_answers_over_grpc_as_the_sdk_does(plans: dict[str, Plan]) -> None:
    """The pack started as the CLI starts it (`python -m pulumi.policy`, its __main__)."""
    config_file = POLICIES_DIR / "config" / "prod.json"
    expected_service = _configured(sdk._PolicyAnalyzerServicer, config_file, ALL_POLICIES)
    plan = plans["pack-gaps"]
    with open_packs([POLICIES_DIR], plan.project, plan.stack, [config_file]) as (pack,):
        for method, request in _requests(plan):
            expected = getattr(expected_service, method)(request, None)
            assert pack.call(method, request) == expected, method
