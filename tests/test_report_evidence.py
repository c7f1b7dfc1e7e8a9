"""Evidence per policy from a preview, per check from an audit file, and controls' statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baseline.audit.coverage.runner import SERVICES as COVERAGE_SERVICES
from baseline.audit.model import CheckResult
from baseline.audit.model import Status as AuditStatus
from baseline.audit.render import audit_json
from baseline.audit.runner import all_checks
from baseline.preview.analyzer import PackInfo
from baseline.preview.model import Plan, PlannedResource, Violation
from baseline.problems import SpecError
from baseline.report.audits import load_audit
from baseline.report.evidence import Preview, check_sources, policy_sources
from baseline.report.mapping import ComplianceMapping
from baseline.report.model import POLICY, Item, Source, Status, combined, frameworks_of

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "report" / "audit_drifted.json"
KNOWN_CHECKS = {check.id for check in all_checks()}
KNOWN_SERVICES = {service.name for service in COVERAGE_SERVICES}
TRAIL = "aws:cloudtrail/trail:Trail"
KEY = "aws:kms/key:Key"
STACK_URN = "urn:pulumi:prod::app::pulumi:pulumi:Stack::app-prod"
MAPPING = ComplianceMapping(
    frameworks={"fw": {"name": "Framework", "version": "1", "specification": "https://x"}},
    policies={
        "trail-validation": {"fw": ["1.1"]},
        "key-rotation": {"fw": ["1.1", "2"]},
        "codebuild-creds": {"fw": ["2"]},
        "tags": {"fw": ["3"]},
        "gone": {"fw": ["3"]},
        "off": {"fw": ["3"]},
    },
    checks={"kms.key-rotation": {"fw": ["2"]}},
    resource_types={
        "trail-validation": [TRAIL],
        "key-rotation": [KEY],
        "codebuild-creds": ["aws:codebuild/project:Project"],
        "tags": ["*"],
        "gone": [TRAIL],
        "off": [TRAIL],
    },
)


def planned(type_: str, name: str, custom: bool = True) -> PlannedResource:
    return PlannedResource(f"urn:pulumi:prod::app::{type_}::{name}", type_, name, custom)


TRAIL_RESOURCE = planned(TRAIL, "trail")
KEYS = [planned(KEY, "logs-key"), planned(KEY, "topics-key")]
PLAN = Plan(
    "app",
    "prod",
    (
        planned("pulumi:providers:aws", "default", custom=True),
        planned("security-baseline:kms:ManagedKey", "logs", custom=False),
        TRAIL_RESOURCE,
        *KEYS,
    ),
    {},
    0.0,
)
PACK = PackInfo(
    "pack",
    "1.0.0",
    Path("policies"),
    (),
    {
        "trail-validation": "mandatory",
        "key-rotation": "mandatory",
        "codebuild-creds": "mandatory",
        "tags": "advisory",
        "off": "disabled",
    },
)


def violation(
    policy: str, urn: str, message: str, enforcement: str = "mandatory", description: str = ""
) -> Violation:
    return Violation("pack", policy, enforcement, urn, message, description)


SOURCES = policy_sources(
    MAPPING,
    Preview(
        PLAN,
        PACK,
        (
            violation(
                "key-rotation",
                KEYS[1].urn,
                "Keys must rotate. (CIS 3.6)\nenableKeyRotation is not true.",
                description="Keys must rotate. (CIS 3.6)",
            ),
            violation(
                "tags",
                STACK_URN,
                "can't run policy 'tags' from policy pack 'pack@v1.0.0' during preview: unknown",
                "advisory",
            ),
        ),
    ),
)


def test_a_policy_without_violations_passes_with_each_covered_resource_as_evidence():
    source = SOURCES["trail-validation"]
    assert source.status is Status.PASS
    assert source.items == (
        Item(Status.PASS, "trail (aws:cloudtrail/trail:Trail)", "no violation"),
    )
    assert source.description == "mandatory policy of pack 1.0.0"


def test_a_violation_fails_its_resource_and_the_others_still_pass():
    source = SOURCES["key-rotation"]
    assert source.status is Status.FAIL
    assert source.items == (
        Item(
            Status.FAIL,
            "topics-key (aws:kms/key:Key)",
            "mandatory violation: enableKeyRotation is not true.",
        ),
        Item(Status.PASS, "logs-key (aws:kms/key:Key)", "no violation"),
    )


def test_every_resource_policies_cover_only_cloud_resources_and_unknowns_are_not_evaluated():
    source = SOURCES["tags"]
    subjects = [item.subject for item in source.items]
    assert subjects == [
        "the stack",
        "trail (aws:cloudtrail/trail:Trail)",
        "logs-key (aws:kms/key:Key)",
        "topics-key (aws:kms/key:Key)",
    ]
    assert source.items[0].status is Status.NOT_EVALUATED
    assert source.status is Status.PASS


@pytest.mark.parametrize(
    ("policy", "note"),
    [
        ("codebuild-creds", "no resource of type aws:codebuild/project:Project in the plan"),
        ("gone", "the policy pack pack has no such policy"),
        ("off", "disabled by the policy pack config"),
    ],
)
def test_policies_without_evidence_say_why(policy, note):
    source = SOURCES[policy]
    assert source.status is Status.NOT_EVALUATED
    assert source.items == ()
    assert source.note == note


def test_a_control_is_its_worst_evidence_and_not_evaluated_only_without_any():
    assert combined([Status.PASS, Status.NOT_EVALUATED]) is Status.PASS
    assert combined([Status.PASS, Status.ERROR]) is Status.ERROR
    assert combined([Status.ERROR, Status.FAIL, Status.PASS]) is Status.FAIL
    assert combined([]) is Status.NOT_EVALUATED
    checks = {"kms.key-rotation": Source("audit check", "kms.key-rotation", note="not run")}
    [framework] = frameworks_of(MAPPING, SOURCES, checks)
    statuses = {control.id: control.status for control in framework.controls}
    assert statuses == {"1.1": Status.FAIL, "2": Status.FAIL, "3": Status.PASS}
    two = next(control for control in framework.controls if control.id == "2")
    assert [(s.kind, s.name) for s in two.sources] == [
        (POLICY, "key-rotation"),
        (POLICY, "codebuild-creds"),
        ("audit check", "kms.key-rotation"),
    ]
    assert framework.counts() == {
        Status.PASS: 1,
        Status.FAIL: 2,
        Status.ERROR: 0,
        Status.NOT_EVALUATED: 0,
        Status.NOT_IMPLEMENTED: 0,
    }


def test_the_fixture_has_the_audit_json_shape():
    document = json.loads(FIXTURE.read_text())
    result = CheckResult("macie.enabled", AuditStatus.PASS, "us-east-1", "r", "why")
    assert set(document) == set(audit_json("s", "p", "a", [result]))
    assert all(set(entry) == set(result.to_json()) for entry in document["results"])


def test_audit_results_become_each_checks_evidence():
    audit = load_audit(FIXTURE, KNOWN_CHECKS, KNOWN_SERVICES)
    assert (audit.stack, audit.project, audit.account) == (
        "dev",
        "security-baseline",
        "123456789012",
    )
    descriptions = {check.id: check.description for check in all_checks()}
    sources = check_sources(descriptions, audit.results)
    assert set(sources) == KNOWN_CHECKS
    validation = sources["cloudtrail.log-file-validation"]
    assert validation.status is Status.FAIL
    assert validation.description == descriptions["cloudtrail.log-file-validation"]
    [item] = validation.items
    assert item.subject.endswith(":trail/security-baseline in us-east-1")
    assert item.detail.startswith("log file validation is off")
    assert len(sources["guardduty.detector-enabled"].items) == 2
    assert sources["securityhub.standards"].status is Status.ERROR
    skipped = sources["shield.subscription-active"]
    assert skipped.status is Status.NOT_EVALUATED
    assert skipped.items[0].detail.startswith("skipped: ")
    assert sources["macie.enabled"].note == "no result in the audit"


def audit_problems(tmp_path: Path, content: str) -> list[str]:
    path = tmp_path / "audit.json"
    path.write_text(content)
    with pytest.raises(SpecError) as raised:
        load_audit(path, KNOWN_CHECKS, KNOWN_SERVICES)
    return [str(problem).removeprefix(f"error: {path}: ") for problem in raised.value.problems]


def test_a_file_that_is_not_json_is_one_problem(tmp_path):
    [problem] = audit_problems(tmp_path, "STATUS  CHECK\nPASS  macie.enabled\n")
    assert problem.startswith("not JSON: ")


def test_a_json_document_that_is_not_an_audit_is_one_problem(tmp_path):
    assert audit_problems(tmp_path, '{"resources": []}') == [
        "not a `baseline audit --json` document: no results list"
    ]


def test_every_bad_result_is_named_by_its_index(tmp_path):
    entry = {"id": "macie.enabled", "status": "PASS", "region": "r", "resource": "x", "reason": "y"}
    document = {
        "stack": "dev",
        "project": "p",
        "account": 7,
        "results": [entry, {**entry, "id": "nope"}, {**entry, "status": "MAYBE"}, "PASS"],
    }
    assert audit_problems(tmp_path, json.dumps(document)) == [
        "account: must be a string",
        "results[1]: unknown audit check 'nope'",
        "results[2]: status 'MAYBE' is not one of PASS, FAIL, ERROR, SKIP",
        "results[3]: must be an object with string fields id, status, region, resource, reason",
    ]
