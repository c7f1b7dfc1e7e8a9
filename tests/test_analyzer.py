"""Policy packs run through their analyzer plugins over gRPC, as the Pulumi CLI runs them."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.runtime.proto import analyzer_pb2

from baseline.preview import analyzer
from baseline.preview.analyzer import PolicyPack, PolicyPackError, analyze, open_packs, run_policies
from baseline.preview.encoding import (
    RESOURCE_REFERENCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    engine_properties,
)
from baseline.preview.model import Plan, PlannedResource, Violation
from baseline.preview.plugin import PackProject, pack_python
from baseline.problems import SpecError

PACKS = Path(__file__).parent / "fixtures" / "packs"
BASIC = PACKS / "basic"
SECOND = PACKS / "second"

STACK_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:aws::main"
KEY_URN = "urn:pulumi:dev::proj::aws:kms/key:Key::logs"
BUCKET_URN = "urn:pulumi:dev::proj::aws:s3/bucket:Bucket::data"
PROBE_URN = "urn:pulumi:dev::proj::fixture:index:Probe::probe"


def secret(value: object) -> dict[str, object]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def key(**inputs: object) -> PlannedResource:
    return PlannedResource(
        urn=KEY_URN,
        type="aws:kms/key:Key",
        name="logs",
        custom=True,
        parent=STACK_URN,
        inputs={"enableKeyRotation": True, "deletionWindowInDays": 30, **inputs},
    )


def bucket(**inputs: object) -> PlannedResource:
    return PlannedResource(
        urn=BUCKET_URN, type="aws:s3/bucket:Bucket", name="data", custom=True, inputs=inputs
    )


def plan_of(*resources: PlannedResource) -> Plan:
    stack = PlannedResource(
        urn=STACK_URN, type="pulumi:pulumi:Stack", name="proj-dev", custom=False
    )
    return Plan("proj", "dev", (stack, *resources), {}, 0.0)


def write_config(tmp_path: Path, config: object) -> Path:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def basic_pack() -> Iterator[PolicyPack]:
    with open_packs([BASIC], "proj", "dev") as packs:
        yield packs[0]


def run(pack: PolicyPack, plan: Plan, config_file: Path | None = None) -> list[Violation]:
    pack.configure(config_file)
    violations, _ = run_policies(plan, [pack])
    return list(violations)


def test_compliant_resources_give_no_violation(basic_pack: PolicyPack) -> None:
    assert run(basic_pack, plan_of(key(), bucket(forceDestroy=False))) == []


def test_non_compliant_key_is_a_mandatory_violation(basic_pack: PolicyPack) -> None:
    [violation] = run(basic_pack, plan_of(key(enableKeyRotation=False)))

    assert violation.pack == "fixture-basic"
    assert violation.policy == "kms-key-rotation"
    assert violation.enforcement == "mandatory"
    assert violation.urn == KEY_URN
    assert violation.severity == "high"
    assert violation.description == "KMS keys rotate and keep a long deletion window."
    assert violation.message == f"{violation.description}\nKey rotation is disabled."


def test_policy_level_default_overrides_the_pack_default(basic_pack: PolicyPack) -> None:
    [violation] = run(basic_pack, plan_of(bucket(forceDestroy=True)))

    assert (violation.policy, violation.enforcement) == ("bucket-no-force-destroy", "advisory")


def test_schema_default_threshold_reaches_the_policy(basic_pack: PolicyPack) -> None:
    [violation] = run(basic_pack, plan_of(key(deletionWindowInDays=10)))

    assert violation.message.endswith("Deletion window 10 days is below 30.")


def test_config_file_sets_enforcement_and_threshold(basic_pack: PolicyPack, tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        {"kms-key-rotation": {"enforcementLevel": "advisory", "minimumDeletionWindowDays": 7}},
    )

    violations = run(
        basic_pack, plan_of(key(enableKeyRotation=False, deletionWindowInDays=7)), config
    )

    assert [(v.policy, v.enforcement) for v in violations] == [("kms-key-rotation", "advisory")]
    assert violations[0].message.endswith("Key rotation is disabled.")


def test_config_file_all_then_policy_specific(basic_pack: PolicyPack, tmp_path: Path) -> None:
    config = write_config(tmp_path, {"all": "mandatory", "kms-key-rotation": "disabled"})

    violations = run(
        basic_pack, plan_of(key(enableKeyRotation=False), bucket(forceDestroy=True)), config
    )

    assert [(v.policy, v.enforcement) for v in violations] == [
        ("bucket-no-force-destroy", "mandatory")
    ]
    assert basic_pack.info.enforcement["kms-key-rotation"] == "disabled"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"kms-key-rotation": {"minimumDeletionWindowDays": 3}},
            "validating policy config: fixture-basic 1.2.3  kms-key-rotation: "
            "minimumDeletionWindowDays: 3 is less than the minimum of 7",
        ),
        (
            {"kms-key-rotation": {"minimumDeletionWindowDays": "thirty"}},
            "kms-key-rotation: minimumDeletionWindowDays: 'thirty' is not of type 'integer'",
        ),
        ({"kms-key-rotation": "strict"}, '"strict" is not a valid enforcement level'),
        ({"kms-key-rotation": {"enforcementLevel": ""}}, '"" is not a valid enforcement level'),
        ({"kms-key-rotation": 5}, "parsing 'kms-key-rotation': 5 is not a valid value"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_config_is_a_user_error_naming_the_file(
    basic_pack: PolicyPack, tmp_path: Path, config: object, expected: str
) -> None:
    path = write_config(tmp_path, config)

    with pytest.raises(PolicyPackError) as raised:
        basic_pack.configure(path)

    assert raised.value.where == path
    assert expected in raised.value.what


def test_a_config_entry_for_a_policy_the_pack_lacks_is_an_error_with_a_did_you_mean(
    basic_pack: PolicyPack, tmp_path: Path
) -> None:
    path = write_config(
        tmp_path, {"all": "advisory", "kms-key-rotaton": "mandatory", "no-such-policy": {"x": 1}}
    )

    with pytest.raises(SpecError) as raised:
        basic_pack.configure(path)

    assert [str(problem) for problem in raised.value.problems] == [
        f"error: {path}: kms-key-rotaton: no such policy in fixture-basic 1.2.3 "
        "(did you mean kms-key-rotation?)",
        f"error: {path}: no-such-policy: no such policy in fixture-basic 1.2.3",
    ]


def test_stack_policy_sees_parent_dependencies_property_dependencies_provider(
    basic_pack: PolicyPack,
) -> None:
    provider = PlannedResource(
        urn=PROVIDER_URN, type="pulumi:providers:aws", name="main", custom=True, id="p-1"
    )
    probe = PlannedResource(
        urn=PROBE_URN,
        type="fixture:index:Probe",
        name="probe",
        custom=True,
        parent=KEY_URN,
        provider=f"{PROVIDER_URN}::p-1",
        dependencies=(BUCKET_URN, KEY_URN),
        property_dependencies={"bucket": (BUCKET_URN,), "unused": ()},
        inputs={"size": 1},
        outputs={
            "size": 30,
            "token": secret("s3cr3t"),
            "bucket": {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": BUCKET_URN, "id": "data-1a2b"},
            "__defaults": ["size"],
        },
    )

    violations = run(basic_pack, plan_of(provider, key(), bucket(), probe))

    seen = json.loads(violations[0].message.split("\n", 1)[1])
    assert violations[0].urn == PROBE_URN
    assert seen == {
        "name": "probe",
        "parent": KEY_URN,
        "dependencies": [BUCKET_URN, KEY_URN],
        "propertyDependencies": {"bucket": [BUCKET_URN]},
        "provider": PROVIDER_URN,
        # Struct numbers are doubles; secrets arrive as their value; references as the id.
        "props": {"size": 30.0, "token": "s3cr3t", "bucket": "data-1a2b"},
    }
    # A stack violation without a URN is filed under the root stack, as the engine does.
    assert (violations[1].urn, violations[1].message.split("\n")[1]) == (
        STACK_URN,
        "5 resources in the stack",
    )


def test_secret_input_reaches_the_policy_as_its_value(basic_pack: PolicyPack) -> None:
    assert run(basic_pack, plan_of(key(enableKeyRotation=secret(True)))) == []

    [violation] = run(basic_pack, plan_of(key(enableKeyRotation=secret(False))))
    assert violation.message.endswith("Key rotation is disabled.")


def test_unknown_input_is_pulumis_advisory_not_a_pass_or_crash(basic_pack: PolicyPack) -> None:
    [violation] = run(basic_pack, plan_of(key(enableKeyRotation=UNKNOWN)))

    assert violation.enforcement == "advisory"
    assert violation.urn == KEY_URN
    assert violation.message == (
        "can't run policy 'kms-key-rotation' from policy pack 'fixture-basic@v0.0.1' during"
        " preview: string value at .enableKeyRotation can't be known during preview"
    )


def test_remediate_level_rewrites_inputs_before_analysis(
    basic_pack: PolicyPack, tmp_path: Path
) -> None:
    plan = plan_of(bucket(forceDestroy=True))
    basic_pack.configure(write_config(tmp_path, {"bucket-no-force-destroy": "remediate"}))

    violations, remediations = run_policies(plan, [basic_pack])

    assert violations == ()
    assert [(r.pack, r.policy, r.urn) for r in remediations] == [
        ("fixture-basic", "bucket-no-force-destroy", BUCKET_URN)
    ]


def test_a_violation_that_survives_remediation_is_mandatory(
    basic_pack: PolicyPack, tmp_path: Path
) -> None:
    # kms-key-rotation has no remediation: at the remediate level its violation stays, and the
    # engine then blocks the update, as for a mandatory one.
    basic_pack.configure(write_config(tmp_path, {"kms-key-rotation": "remediate"}))

    violations, remediations = run_policies(plan_of(key(enableKeyRotation=False)), [basic_pack])

    assert [(v.policy, v.enforcement, v.urn) for v in violations] == [
        ("kms-key-rotation", "mandatory", KEY_URN)
    ]
    assert remediations == ()


def test_a_remediate_level_diagnostic_from_any_sdk_is_reported_mandatory(
    basic_pack: PolicyPack,
) -> None:
    # The Python SDK rewrites the level itself; a pack in another language may send REMEDIATE.
    diagnostic = analyzer_pb2.AnalyzeDiagnostic(
        policyName="kms-key-rotation",
        policyPackName="fixture-basic",
        enforcementLevel=analyzer_pb2.REMEDIATE,
        urn=KEY_URN,
        message="Key rotation is disabled.",
    )

    [violation] = analyzer._violations(basic_pack, [diagnostic], lambda urn: urn)

    assert (violation.policy, violation.enforcement) == ("kms-key-rotation", "mandatory")


def test_engine_encoding_flattens_references_and_drops_internal_keys() -> None:
    properties = {
        "__defaults": [],
        "key": {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": KEY_URN, "id": "k-1"},
        "pending": {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": KEY_URN, "id": ""},
        "component": {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": STACK_URN},
        "nested": [
            {
                "__meta": 1,
                "token": secret(
                    {"key": {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": KEY_URN, "id": "k-1"}}
                ),
            }
        ],
    }

    assert engine_properties(properties) == {
        "key": "k-1",
        "pending": UNKNOWN,
        "component": STACK_URN,
        "nested": [{"token": secret({"key": "k-1"})}],
    }


def test_two_packs_with_their_own_config_files(tmp_path: Path) -> None:
    basic_config = write_config(tmp_path, {"bucket-no-force-destroy": "mandatory"})
    second_config = tmp_path / "second.json"
    second_config.write_text('{"no-buckets": {"enforcementLevel": "mandatory"}}')

    result = analyze(
        plan_of(key(), bucket(forceDestroy=True)), [BASIC, SECOND], [basic_config, second_config]
    )

    assert [(v.pack, v.policy, v.enforcement) for v in result.violations] == [
        ("fixture-basic", "bucket-no-force-destroy", "mandatory"),
        ("fixture-second", "no-buckets", "mandatory"),
    ]
    assert [(p.name, p.version) for p in result.packs] == [
        ("fixture-basic", "1.2.3"),
        ("fixture-second", "0.0.1"),
    ]
    assert 0 < result.policy_seconds < 30


def test_config_files_must_pair_with_packs() -> None:
    with pytest.raises(ValueError, match="one policy pack config per policy pack"):
        analyze(plan_of(), [BASIC, SECOND], [PACKS / "one.json"])


def test_a_crashing_policy_is_a_policy_pack_error() -> None:
    crash = PlannedResource(
        urn="urn:pulumi:dev::proj::fixture:index:Crash::c",
        type="fixture:index:Crash",
        name="c",
        custom=True,
    )

    with pytest.raises(PolicyPackError) as raised:
        analyze(plan_of(crash), [SECOND])

    assert raised.value.where == SECOND
    assert "failed in Analyze" in raised.value.what
    assert "this policy has a bug" in raised.value.what


@pytest.mark.parametrize(
    ("pack", "expected"),
    [
        # Its PulumiPolicy.yaml names a virtualenv that does not exist: this interpreter runs it.
        ("broken", ["exited with code 1", "RuntimeError: the pack cannot load its policies"]),
        ("chatty", ["printed 'loading policies...' instead of its port"]),
        ("engine_logger", ["warning: about to fail on purpose", "the pack logged before failing"]),
    ],
)
def test_a_pack_that_cannot_start_is_a_user_error(
    pack: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = record_plugin_pids(monkeypatch)

    with pytest.raises(PolicyPackError) as raised:
        analyze(plan_of(key()), [PACKS / pack])

    assert raised.value.where == PACKS / pack
    for text in expected:
        assert text in raised.value.what
    assert_gone(pids)


def test_no_plugin_process_outlives_analyze(monkeypatch: pytest.MonkeyPatch) -> None:
    pids = record_plugin_pids(monkeypatch)

    analyze(plan_of(key()), [BASIC, SECOND])

    assert len(pids) == 2
    assert_gone(pids)


def test_missing_manifest_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyPackError, match=r"cannot read PulumiPolicy\.yaml"):
        analyze(plan_of(), [tmp_path])


def test_pack_python_prefers_the_packs_existing_virtualenv(tmp_path: Path) -> None:
    project = PackProject(tmp_path, "python", {"virtualenv": "venv"})
    assert pack_python(project) == Path(sys.executable)

    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    assert pack_python(project) == python


def test_a_relative_pack_directory_gets_an_absolute_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin starts in the pack's directory: a relative interpreter path would not exist
    there (`policies/venv/bin/python` from inside `policies/`)."""
    (tmp_path / "policies" / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "policies" / "venv" / "bin" / "python").touch()
    monkeypatch.chdir(tmp_path)
    project = PackProject(Path("policies"), "python", {"virtualenv": "venv"})
    assert pack_python(project) == tmp_path / "policies" / "venv" / "bin" / "python"


def record_plugin_pids(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pids: list[int] = []

    class RecordingPlugin(analyzer.AnalyzerPlugin):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            pids.append(self.process.pid)

    monkeypatch.setattr(analyzer, "AnalyzerPlugin", RecordingPlugin)
    return pids


def assert_gone(pids: list[int]) -> None:
    for pid in pids:
        # Reaped, not a zombie: a zombie would still accept signal 0.
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
