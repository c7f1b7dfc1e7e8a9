"""The declarative spec: schema, defaults, normalization and the stack files it comes from."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from baseline.problems import Problem
from baseline.project import load_stack_file
from baseline.spec import Account, Secret, Spec, SpecError
from baseline.spec_loader import load_spec, parse_spec, spec_from_pulumi_config

REPO = Path(__file__).resolve().parent.parent
SECURE = {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dA=="}
ORGANIZATION: dict[str, Any] = {
    "accounts": {
        "organization_id": "o-a1b2c3d4e5",
        "management": {"id": "012345678901"},
        "security": {"id": "222222222222", "role_name": "BaselineDeploy"},
        "log_archive": {"id": "333333333333", "role_name": "BaselineDeploy"},
    },
    "regions": {"home": "us-east-1", "enabled": ["us-east-1", "us-west-2", "eu-west-1"]},
    "tags": {"Environment": "prod", "Cost Center": "sec/ops"},
    "kms": {
        "deletion_window_days": 14,
        "administrators": ["arn:aws:iam::222222222222:role/KeyAdmins"],
        "users": ["arn:aws:iam::222222222222:role/Analysts", "arn:aws:iam::222222222222:root"],
    },
    "cloudtrail": {"name": "org-trail", "cloudwatch_logs": {"enabled": True}},
    "log_archive": {"retention_days": 2557, "glacier_transition_days": 30},
    "quarantine": {
        "remediation_role_arn": "arn:aws:iam::222222222222:role/service/Remediation",
        "object_lock": {"enabled": True, "mode": "COMPLIANCE", "days": 30},
    },
    "notifications": {
        "min_severity": "HIGH",
        "topics": {
            "alerts": {"emails": ["soc@example.com"], "https_endpoints": [SECURE]},
            "audit": {},
        },
    },
}


def problems_of(document: object, **kwargs: Any) -> tuple[Problem, ...]:
    with pytest.raises(SpecError) as raised:
        parse_spec(document, **kwargs)
    return raised.value.problems


def write_project(directory: Path, stack_yaml: str, stack: str = "dev") -> Path:
    (directory / "Pulumi.yaml").write_text("name: security-baseline\nruntime: python\n")
    (directory / f"Pulumi.{stack}.yaml").write_text(stack_yaml)
    return directory


# Valid specs


def test_minimal_spec_gets_the_secure_defaults() -> None:
    spec = parse_spec({}, aws_region="eu-central-1")

    assert spec.accounts is None and not spec.organization_mode
    assert spec.regions.home == "eu-central-1"
    assert spec.regions.enabled == ("eu-central-1",)
    assert dict(spec.tags) == {}
    assert spec.kms.deletion_window_days == 30
    assert spec.kms.administrators == () and spec.kms.users == ()
    assert spec.cloudtrail.enabled and spec.cloudtrail.name == "security-baseline"
    assert not spec.cloudtrail.cloudwatch_logs.enabled
    assert spec.cloudtrail.cloudwatch_logs.retention_days == 365
    assert (spec.log_archive.retention_days, spec.log_archive.glacier_transition_days) == (365, 90)
    assert spec.log_archive.access_logging
    assert spec.quarantine.remediation_role_arn is None
    assert spec.quarantine.security_admin_role_arn is None
    assert not spec.quarantine.object_lock.enabled
    assert spec.quarantine.object_lock.mode == "GOVERNANCE"
    assert spec.notifications.min_severity == "HIGH"
    assert spec.alerts.guardduty_min_severity == "HIGH"
    assert spec.alerts.securityhub_labels == ("HIGH", "CRITICAL")
    assert list(spec.notifications.topics) == ["security-alerts"]
    assert spec.notifications.topics["security-alerts"].emails == ()


def test_home_region_given_overrides_aws_region() -> None:
    spec = parse_spec({"regions": {"home": "us-west-2"}}, aws_region="us-east-1")

    assert spec.regions.enabled == ("us-west-2",)


def test_full_organization_spec() -> None:
    spec = parse_spec(ORGANIZATION)

    assert spec.organization_mode
    assert spec.accounts is not None
    assert spec.accounts.organization_id == "o-a1b2c3d4e5"
    assert spec.accounts.management == Account("012345678901", "OrganizationAccountAccessRole")
    assert spec.accounts.log_archive == Account("333333333333", "BaselineDeploy")
    assert spec.regions.enabled == ("us-east-1", "us-west-2", "eu-west-1")
    assert dict(spec.tags) == {"Environment": "prod", "Cost Center": "sec/ops"}
    assert spec.kms.deletion_window_days == 14
    assert spec.kms.users == (
        "arn:aws:iam::222222222222:role/Analysts",
        "arn:aws:iam::222222222222:root",
    )
    assert spec.cloudtrail.cloudwatch_logs.enabled
    assert spec.log_archive.glacier_transition_days == 30
    assert spec.quarantine.object_lock.mode == "COMPLIANCE"
    assert spec.alerts.securityhub_labels == ("HIGH", "CRITICAL")
    alerts = spec.notifications.topics["alerts"]
    assert alerts.emails == ("soc@example.com",)
    assert alerts.https_endpoints == (Secret("[secret]"),)
    assert spec.notifications.topics["audit"].https_endpoints == ()


def test_spec_is_immutable() -> None:
    spec = parse_spec(ORGANIZATION)

    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.kms.deletion_window_days = 7  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.tags["Environment"] = "dev"  # type: ignore[index]
    with pytest.raises(TypeError):
        spec.notifications.topics["new"] = spec.notifications.topics["audit"]  # type: ignore[index]
    assert isinstance(spec.regions.enabled, tuple)


def test_decrypted_secrets_are_kept_but_never_shown() -> None:
    document = {"notifications": {"topics": {"pager": {"https_endpoints": ["https://h/key"]}}}}

    spec = parse_spec(document, aws_region="us-east-1", secrets_decrypted=True)

    (endpoint,) = spec.notifications.topics["pager"].https_endpoints
    assert endpoint.value == "https://h/key"
    assert "https://h/key" not in repr(spec) and "https://h/key" not in str(endpoint)


def test_the_repository_stacks_are_valid() -> None:
    dev, prod = load_spec(REPO, "dev"), load_spec(REPO, "prod")

    assert not dev.organization_mode and dev.regions.enabled == ("us-east-1",)
    assert prod.organization_mode
    assert prod.regions.enabled == ("us-east-1", "us-west-2", "eu-west-1")
    assert prod.cloudtrail.cloudwatch_logs.enabled
    assert any(t.https_endpoints for t in prod.notifications.topics.values())


# Invalid specs: each names exactly where


def with_org(**changes: Any) -> dict[str, Any]:
    accounts = {**ORGANIZATION["accounts"], **changes}
    return {**ORGANIZATION, "accounts": accounts}


def without_account(role: str) -> dict[str, Any]:
    accounts = {key: value for key, value in ORGANIZATION["accounts"].items() if key != role}
    return {**ORGANIZATION, "accounts": accounts}


@pytest.mark.parametrize(
    ("document", "where", "what"),
    [
        ({"guard_duty": {}}, "baseline.guard_duty", "unknown key (did you mean guardduty?)"),
        ({"kms": {"rotation": True}}, "baseline.kms.rotation", "unknown key"),
        (
            {"kms": {"deletion_windw_days": 7}},
            "baseline.kms.deletion_windw_days",
            "unknown key (did you mean deletion_window_days?)",
        ),
        (
            {"notifications": {"topics": {"a": {"emial": []}}}},
            "baseline.notifications.topics.a.emial",
            "unknown key (did you mean emails?)",
        ),
        (
            {"cloudtrail": {"cloudwatch_logs": {"kms": 1}}},
            "baseline.cloudtrail.cloudwatch_logs.kms",
            "unknown key",
        ),
        ({"kms": []}, "baseline.kms", "must be a mapping, got list"),
        ({"cloudtrail": {"enabled": "yes"}}, "baseline.cloudtrail.enabled", "must be a boolean"),
        ({"kms": {"deletion_window_days": True}}, "baseline.kms.deletion_window_days", "boolean"),
        ({"kms": {"deletion_window_days": 6}}, "baseline.kms.deletion_window_days", "at least 7"),
        ({"kms": {"deletion_window_days": 31}}, "baseline.kms.deletion_window_days", "at most 30"),
        (
            {"kms": {"administrators": ["arn:aws:iam::1:role/x"]}},
            "baseline.kms.administrators[0]",
            "must be an IAM principal ARN",
        ),
        (
            {
                "kms": {"administrators": ["arn:aws:iam::222222222222:root"]}
                | {"users": ["arn:aws:iam::222222222222:role/a", "arn:aws:iam::222222222222:root"]}
            },
            "baseline.kms.users[1]",
            "also in administrators",
        ),
        (
            with_org(security={"id": "22222222222"}),
            "baseline.accounts.security.id",
            "must be a 12-digit AWS account id, got string ('22222222222')",
        ),
        (
            with_org(security={"id": "22222222222a"}),
            "baseline.accounts.security.id",
            "12-digit",
        ),
        (with_org(security={"id": 222222222222}), "baseline.accounts.security.id", "quoted"),
        (
            with_org(log_archive={"id": "222222222222"}),
            "baseline.accounts.log_archive.id",
            "same id as accounts.security.id",
        ),
        (with_org(organization_id="o-short"), "baseline.accounts.organization_id", "o-"),
        (
            with_org(security={"id": "222222222222", "role_name": "a b"}),
            "baseline.accounts.security.role_name",
            "IAM role name",
        ),
        (
            without_account("log_archive"),
            "baseline.accounts.log_archive",
            "required",
        ),
        ({"regions": {"home": "us-east-7"}}, "baseline.regions.home", "did you mean us-east-"),
        (
            {"regions": {"home": "us-east-1", "enabled": ["us-east-1", "mars-1"]}},
            "baseline.regions.enabled[1]",
            "unknown AWS region 'mars-1'",
        ),
        (
            {"regions": {"home": "us-east-1", "enabled": ["us-west-2"]}},
            "baseline.regions.enabled",
            "must include the home region us-east-1",
        ),
        (
            {"regions": {"home": "us-east-1", "enabled": ["us-east-1", "us-east-1"]}},
            "baseline.regions.enabled[1]",
            "listed twice",
        ),
        (
            {"regions": {"home": "us-east-1", "enabled": ["us-east-1", "cn-north-1"]}},
            "baseline.regions.enabled",
            "cn-north-1 not in the home region's partition aws",
        ),
        ({"tags": {"aws:team": "x"}}, 'baseline.tags["aws:team"]', "aws: prefix is reserved"),
        ({"tags": {"AWS:team": "x"}}, 'baseline.tags["AWS:team"]', "aws: prefix is reserved"),
        ({"tags": {"ManagedBy": "me"}}, "baseline.tags.ManagedBy", "reserved"),
        ({"tags": {"k" * 129: "x"}}, f"baseline.tags.{'k' * 129}", "1 to 128 characters"),
        ({"tags": {"Team": "v" * 257}}, "baseline.tags.Team", "at most 256"),
        ({"tags": {"Team": "a|b"}}, "baseline.tags.Team", "may hold letters"),
        ({"tags": {"Backup": False}}, "baseline.tags.Backup", "got boolean (false): quote it"),
        (
            {"cloudtrail": {"cloudwatch_logs": {"retention_days": 42}}},
            "baseline.cloudtrail.cloudwatch_logs.retention_days",
            "must be one of 1, 3, 5",
        ),
        ({"cloudtrail": {"name": "a..b"}}, "baseline.cloudtrail.name", "CloudTrail name"),
        (
            {"log_archive": {"retention_days": 60}},
            "baseline.log_archive.glacier_transition_days",
            "must be less than retention_days (60)",
        ),
        (
            {"quarantine": {"security_admin_role_arn": "arn:aws:iam::222222222222:user/bob"}},
            "baseline.quarantine.security_admin_role_arn",
            "IAM role ARN",
        ),
        (
            {"quarantine": {"object_lock": {"mode": "STRICT"}}},
            "baseline.quarantine.object_lock.mode",
            "one of GOVERNANCE, COMPLIANCE",
        ),
        (
            {"notifications": {"min_severity": "low"}},
            "baseline.notifications.min_severity",
            "'low'",
        ),
        ({"notifications": {"topics": {}}}, "baseline.notifications.topics", "at least 1"),
        (
            {"notifications": {"topics": {"Alerts": {}}}},
            "baseline.notifications.topics.Alerts",
            "topic name",
        ),
        (
            {"notifications": {"topics": {"alerts": {"emails": ["a@b.c", "soc@"]}}}},
            "baseline.notifications.topics.alerts.emails[1]",
            "must be an email address, got 'soc@'",
        ),
        (
            {"notifications": {"topics": {"alerts": {"https_endpoints": ["https://h/k"]}}}},
            "baseline.notifications.topics.alerts.https_endpoints[0]",
            "must be a Pulumi secret (pulumi config set --secret --path "
            "'security-baseline:baseline.notifications.topics.alerts.https_endpoints[0]'",
        ),
        (
            {"notifications": {"topics": {"alerts": {"https_endpoints": [{"secure": 1}]}}}},
            "baseline.notifications.topics.alerts.https_endpoints[0]",
            "must be a Pulumi secret",
        ),
        ([], "baseline", "must be a mapping"),
    ],
)
def test_invalid_spec_names_where(document: object, where: str, what: str) -> None:
    problems = problems_of(document, aws_region="us-east-1")

    assert [p.where for p in problems] == [where]
    assert what in problems[0].what


def test_home_region_is_required_without_aws_region() -> None:
    problems = problems_of({})

    assert problems == (
        Problem("baseline.regions.home", "required (or set aws:region in the stack config)"),
    )


def test_unknown_aws_region_is_reported_as_such() -> None:
    problems = problems_of({"regions": {"home": "us-east-1"}}, aws_region="moon-1")

    assert [p.where for p in problems] == ["aws:region"]


def test_all_problems_are_reported_at_once_sorted_by_path() -> None:
    document = {
        "guard_duty": {},
        "accounts": {
            "organization_id": "o-a1b2c3d4e5",
            "management": {"id": 12345678901},
            "security": {"id": "12345678901"},
            "log_archive": {"id": "123456789012", "role": "x"},
        },
        "regions": {"home": "us-east-1", "enabled": [f"us-east-{n}" for n in range(1, 12)]},
        "kms": {"deletion_window_days": "30"},
        "tags": {"aws:owner": "me"},
        "notifications": {"topics": {"alerts": {"emails": ["x"], "https_endpoints": ["h"]}}},
    }

    problems = problems_of(document, aws_region="us-east-1")

    assert [p.where for p in problems] == [
        "baseline.accounts.log_archive.role",
        "baseline.accounts.management.id",
        "baseline.accounts.security.id",
        "baseline.guard_duty",
        "baseline.kms.deletion_window_days",
        "baseline.notifications.topics.alerts.emails[0]",
        "baseline.notifications.topics.alerts.https_endpoints[0]",
        *(f"baseline.regions.enabled[{n}]" for n in range(2, 11)),
        'baseline.tags["aws:owner"]',
    ]
    assert str(problems[3]) == "error: baseline.guard_duty: unknown key (did you mean guardduty?)"


def test_parsing_twice_shares_no_state() -> None:
    first = parse_spec(
        {"kms": {"users": ["arn:aws:iam::222222222222:role/a"]}}, aws_region="us-east-1"
    )
    second = parse_spec({}, aws_region="us-east-1")

    assert first.kms.users and second.kms.users == ()


# Stack files


def test_stack_file_keeps_raw_config_with_qualified_keys(tmp_path: Path) -> None:
    yaml_text = "config:\n  aws:region: eu-west-1\n  baseline:\n    tags: {Team: a}\n"
    project = write_project(tmp_path, yaml_text)

    stack_file = load_stack_file(project, "dev")

    assert (stack_file.project, stack_file.stack) == ("security-baseline", "dev")
    assert stack_file.path == project / "Pulumi.dev.yaml"
    assert stack_file.config == {
        "aws:region": "eu-west-1",
        "security-baseline:baseline": {"tags": {"Team": "a"}},
    }
    assert load_spec(project, "dev").tags["Team"] == "a"


def test_stack_file_without_the_spec_key_is_an_error_naming_the_way_out(tmp_path: Path) -> None:
    project = write_project(tmp_path, "config:\n  aws:region: ap-south-1\n")

    with pytest.raises(SpecError) as raised:
        load_spec(project, "dev")

    (problem,) = raised.value.problems
    assert problem.where == "Pulumi.dev.yaml"
    assert problem.what.startswith("no security-baseline:baseline key: declare the spec there")
    assert "config: {security-baseline:baseline: {value: {}}} in Pulumi.yaml" in problem.what


def test_a_project_value_for_the_spec_key_lets_stacks_leave_it_out(tmp_path: Path) -> None:
    project = write_project(tmp_path, "config:\n  aws:region: ap-south-1\n")
    (project / "Pulumi.yaml").write_text(
        "name: security-baseline\nruntime: python\nconfig:\n  baseline:\n    value: {}\n"
    )

    spec = load_spec(project, "dev")

    assert spec.regions.home == "ap-south-1" and spec.kms.deletion_window_days == 30


@pytest.mark.parametrize(
    ("key", "what"),
    [
        (
            "security-baseline:baselines",
            "security-baseline:baselines: unknown key (did you mean security-baseline:baseline?)",
        ),
        (
            "security-baseline:tags",
            "security-baseline:tags: unknown key: the baseline reads only "
            "security-baseline:baseline",
        ),
        ("tags", "security-baseline:tags: unknown key"),
    ],
)
def test_any_other_key_of_the_namespace_is_an_error(tmp_path: Path, key: str, what: str) -> None:
    stack = f"config:\n  aws:region: us-east-1\n  security-baseline:baseline: {{}}\n  {key}: {{}}\n"

    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, stack), "dev")

    (problem,) = raised.value.problems
    assert (problem.where, problem.what[: len(what)]) == ("Pulumi.dev.yaml", what)


def test_a_misspelt_spec_key_alone_is_named_once(tmp_path: Path) -> None:
    stack = "config:\n  aws:region: us-east-1\n  security-baseline:baselines:\n    tags: {a: b}\n"

    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, stack), "dev")

    assert [str(p) for p in raised.value.problems] == [
        "error: Pulumi.dev.yaml: security-baseline:baselines: unknown key "
        "(did you mean security-baseline:baseline?)"
    ]


def test_a_misspelt_namespace_is_named_as_the_probable_spec(tmp_path: Path) -> None:
    stack = "config:\n  aws:region: us-east-1\n  security-baselin:baseline:\n    tags: {a: b}\n"

    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, stack), "dev")

    (problem,) = raised.value.problems
    assert problem.what.startswith(
        "no security-baseline:baseline key (is security-baselin:baseline a misspelling of it?)"
    )


def test_stack_file_reads_yaml_as_pulumi_does(tmp_path: Path) -> None:
    yaml_text = """\
config:
  aws:region: us-east-1
  security-baseline:baseline:
    tags: {Backup: no, Since: 2024-01-01}
    accounts:
      organization_id: o-a1b2c3d4e5
      management: {id: 012345678901}
      security: {id: "222222222222"}
      log_archive: {id: "333333333333"}
"""
    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, yaml_text), "dev")

    (problem,) = raised.value.problems
    assert problem.where == "baseline.accounts.management.id"
    assert "leading zero would be lost" in problem.what


def test_plaintext_secret_in_stack_file(tmp_path: Path) -> None:
    yaml_text = """\
config:
  aws:region: us-east-1
  security-baseline:baseline:
    notifications:
      topics:
        pager: {https_endpoints: [https://events.example.com/integration-key]}
"""
    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, yaml_text), "dev")

    wheres = [p.where for p in raised.value.problems]
    assert wheres == ["baseline.notifications.topics.pager.https_endpoints[0]"]


@pytest.mark.parametrize(
    ("yaml_text", "where", "what"),
    [
        (
            "config:\n  aws:region: us-east-\n  baseline: {regions: {home: us-east-1}}\n",
            "Pulumi.dev.yaml",
            "aws:region: unknown AWS region",
        ),
        ("config:\n  aws:region: us-east-1\n   bad: [\n", "Pulumi.dev.yaml:3:", "invalid YAML"),
        ("config: [a]\n", "Pulumi.dev.yaml", "config: must be a mapping"),
        ("- a\n", "Pulumi.dev.yaml", "must be a mapping"),
        ("config:\n  a:b: 1\n  a:b: 2\n", "Pulumi.dev.yaml:3:3", "duplicate key 'a:b'"),
        (
            "config:\n  baseline: {}\n  security-baseline:baseline: {}\n",
            "Pulumi.dev.yaml",
            "security-baseline:baseline, which is set twice",
        ),
    ],
)
def test_broken_stack_file_names_the_file(
    tmp_path: Path, yaml_text: str, where: str, what: str
) -> None:
    with pytest.raises(SpecError) as raised:
        load_spec(write_project(tmp_path, yaml_text), "dev")

    (problem,) = raised.value.problems
    assert problem.where.startswith(where)
    assert what in problem.what


def test_missing_stack_file(tmp_path: Path) -> None:
    write_project(tmp_path, "config: {}\n")

    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "prod")

    assert raised.value.problems == (
        Problem("Pulumi.prod.yaml", f"no such stack file in {tmp_path.resolve()}"),
    )


def test_missing_project_file(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")

    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "dev")

    assert [p.where for p in raised.value.problems] == ["Pulumi.yaml"]


@pytest.mark.parametrize("project_yaml", ["runtime: python\n", "name: [\n", "name: 3\n"])
def test_unusable_project_file(tmp_path: Path, project_yaml: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")

    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "dev")

    assert raised.value.problems[0].where.startswith("Pulumi.yaml")


def test_stack_name_cannot_leave_the_project(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "../dev")

    assert [p.where for p in raised.value.problems] == ["--stack"]


# Inside a Pulumi program


@pytest.fixture
def pulumi_config() -> Iterator[Any]:
    def set_config(config: dict[str, str], secret_keys: list[str]) -> None:
        pulumi.runtime.set_all_config(config, secret_keys)

    yield set_config
    pulumi.runtime.set_all_config({}, [])


def test_spec_from_pulumi_config(pulumi_config: Any) -> None:
    document = {"notifications": {"topics": {"pager": {"https_endpoints": ["https://h/k"]}}}}
    pulumi_config(
        {"security-baseline:baseline": json.dumps(document), "aws:region": "eu-west-1"},
        ["security-baseline:baseline"],
    )

    spec = spec_from_pulumi_config()

    assert isinstance(spec, Spec)
    assert spec.regions.home == "eu-west-1"
    assert spec.notifications.topics["pager"].https_endpoints == (Secret("https://h/k"),)


def test_pulumi_config_without_the_key_is_an_error(pulumi_config: Any) -> None:
    pulumi_config({"aws:region": "us-east-2"}, [])

    with pytest.raises(SpecError) as raised:
        spec_from_pulumi_config()

    (problem,) = raised.value.problems
    # The running stack's own file, whichever stack an earlier program of this process set.
    assert problem.where == f"Pulumi.{pulumi.get_stack()}.yaml"
    assert problem.what.startswith("no security-baseline:baseline key")


def test_pulumi_config_with_a_project_value_uses_it(pulumi_config: Any) -> None:
    # Pulumi gives the program the project-level value of Pulumi.yaml like any other key.
    pulumi_config({"aws:region": "us-east-2", "security-baseline:baseline": "{}"}, [])

    assert spec_from_pulumi_config().regions.enabled == ("us-east-2",)


def test_pulumi_config_with_a_misspelt_key_fails_the_program(pulumi_config: Any) -> None:
    config = {"aws:region": "us-east-2", "security-baseline:baseline": "{}"}
    pulumi_config({**config, "security-baseline:baselines": "{}"}, [])

    with pytest.raises(SpecError) as raised:
        spec_from_pulumi_config()

    assert [p.what for p in raised.value.problems] == [
        "security-baseline:baselines: unknown key (did you mean security-baseline:baseline?)"
    ]


def test_pulumi_config_with_secrets_must_be_secret(pulumi_config: Any) -> None:
    document = {"notifications": {"topics": {"pager": {"https_endpoints": ["https://h/k"]}}}}
    pulumi_config(
        {"security-baseline:baseline": json.dumps(document), "aws:region": "us-east-1"}, []
    )

    with pytest.raises(SpecError) as raised:
        spec_from_pulumi_config()

    assert [p.where for p in raised.value.problems] == ["baseline"]
    assert "not a Pulumi secret" in raised.value.problems[0].what


def test_pulumi_config_problems_use_spec_paths(pulumi_config: Any) -> None:
    pulumi_config({"security-baseline:baseline": '{"kms": {"x": 1}}'}, [])

    with pytest.raises(SpecError) as raised:
        spec_from_pulumi_config()

    assert [p.where for p in raised.value.problems] == ["baseline.kms.x", "baseline.regions.home"]


def test_pulumi_config_that_is_not_json(pulumi_config: Any) -> None:
    pulumi_config({"security-baseline:baseline": "{not json", "aws:region": "us-east-1"}, [])

    with pytest.raises(SpecError) as raised:
        spec_from_pulumi_config()

    assert raised.value.problems == (Problem("baseline", "is not a JSON object"),)


def test_alerts_go_to_the_first_topic_unless_named() -> None:
    spec = parse_spec(
        {"regions": {"home": "us-east-1"}, "notifications": {"topics": {"pager": {}, "mail": {}}}},
    )
    assert spec.alerts.topics.findings == spec.alerts.topics.ddos == "pager"
    assert spec.firewall_manager.notification_topic == "pager"


@pytest.mark.parametrize(
    ("document", "where", "what"),
    [
        (
            {"alerts": {"topics": {"tamper": "nowhere"}}},
            "baseline.alerts.topics.tamper",
            "'nowhere' is not one of notifications.topics",
        ),
        (
            {"firewall_manager": {"enabled": True}},
            "baseline.firewall_manager.enabled",
            "needs an organization",
        ),
        (
            {"guardrails": {"enabled": True, "organizational_units": ["ou-ab12-34cd56ef"]}},
            "baseline.guardrails.enabled",
            "needs an organization",
        ),
    ],
)
def test_sections_that_name_each_other_are_checked(document, where, what) -> None:
    problems = problems_of({"regions": {"home": "us-east-1"}, **document})
    assert [p.where for p in problems] == [where]
    assert what in problems[0].what


def test_guardrails_regions_must_be_enabled_regions() -> None:
    document = {
        **ORGANIZATION,
        "guardrails": {
            "enabled": True,
            "organizational_units": ["ou-ab12-34cd56ef"],
            "regions": ["ap-south-1"],
        },
    }
    problems = problems_of(document)
    assert "baseline.guardrails.regions[0]" in [p.where for p in problems]


@pytest.mark.parametrize(
    ("min_severity", "guardduty", "securityhub"),
    [
        ("INFORMATIONAL", "LOW", ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")),
        ("MEDIUM", "MEDIUM", ("MEDIUM", "HIGH", "CRITICAL")),
        ("CRITICAL", "CRITICAL", ("CRITICAL",)),
    ],
)
def test_notifications_min_severity_sets_the_alert_thresholds_left_out(
    min_severity: str, guardduty: str, securityhub: tuple[str, ...]
) -> None:
    spec = parse_spec(
        {"regions": {"home": "us-east-1"}, "notifications": {"min_severity": min_severity}}
    )
    assert spec.alerts.guardduty_min_severity == guardduty
    assert spec.alerts.securityhub_labels == securityhub


def test_alert_thresholds_named_in_alerts_win() -> None:
    spec = parse_spec(
        {
            "regions": {"home": "us-east-1"},
            "notifications": {"min_severity": "CRITICAL"},
            "alerts": {"guardduty_min_severity": "LOW", "securityhub_labels": ["HIGH"]},
        }
    )
    assert (spec.alerts.guardduty_min_severity, spec.alerts.securityhub_labels) == (
        "LOW",
        ("HIGH",),
    )
