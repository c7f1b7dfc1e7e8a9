"""Reading Pulumi project and stack files as the Pulumi CLI hands them to a program."""

import json
from pathlib import Path

import pytest

from baseline.problems import SpecError
from baseline.project import load_stack_file, program_config, python_program
from baseline.secret import SECRET_PLACEHOLDER

PYTHON_PROJECT = "name: demo\nruntime: python\n"


def write_project(root: Path, stack_yaml: str, project_yaml: str = PYTHON_PROJECT) -> Path:
    (root / "Pulumi.yaml").write_text(project_yaml)
    (root / "Pulumi.dev.yaml").write_text(stack_yaml)
    (root / "__main__.py").write_text("")
    return root


def test_config_values_become_strings_with_namespaces(tmp_path):
    write_project(
        tmp_path,
        "config:\n  aws:region: eu-west-1\n  retention: 30\n  strict: true\n"
        "  demo:layout: {regions: [a, b]}\n",
    )
    stack = load_stack_file(tmp_path, "dev")
    config, secret_keys = program_config(stack)
    assert config == {
        "aws:region": "eu-west-1",
        "demo:retention": "30",
        "demo:strict": "true",
        "demo:layout": json.dumps({"regions": ["a", "b"]}),
    }
    assert secret_keys == ()
    assert python_program(stack) == tmp_path / "__main__.py"


def test_secure_values_are_masked_and_their_keys_secret(tmp_path):
    write_project(
        tmp_path,
        "config:\n  demo:token:\n    secure: v1:abc\n"
        "  demo:nested:\n    hooks:\n      - url:\n          secure: v1:def\n",
    )
    config, secret_keys = program_config(load_stack_file(tmp_path, "dev"))
    assert config["demo:token"] == SECRET_PLACEHOLDER
    assert json.loads(config["demo:nested"]) == {"hooks": [{"url": SECRET_PLACEHOLDER}]}
    assert set(secret_keys) == {"demo:token", "demo:nested"}


def test_project_level_defaults_apply_unless_the_stack_overrides(tmp_path):
    write_project(
        tmp_path,
        "config:\n  demo:b: stack\n",
        "name: demo\nruntime: {name: python}\nconfig:\n  a: {default: one}\n  b: {default: two}\n",
    )
    config, _ = program_config(load_stack_file(tmp_path, "dev"))
    assert config == {"demo:a": "one", "demo:b": "stack"}


def test_main_may_name_a_subdirectory(tmp_path):
    write_project(tmp_path, "config: {}\n", "name: demo\nruntime: python\nmain: src/\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text("")
    assert python_program(load_stack_file(tmp_path, "dev")) == tmp_path / "src" / "__main__.py"


@pytest.mark.parametrize(
    ("stack_yaml", "project_yaml", "expected"),
    [
        ("config: {}\n", "runtime: python\n", "error: Pulumi.yaml: must name the project"),
        ("config: [1, 2]\n", PYTHON_PROJECT, "error: Pulumi.dev.yaml: config: must be a mapping"),
        ("config:\n  a: [unclosed\n", PYTHON_PROJECT, "error: Pulumi.dev.yaml:3:1: invalid YAML"),
    ],
)
def test_wrong_files_name_the_file(tmp_path, stack_yaml, project_yaml, expected):
    write_project(tmp_path, stack_yaml, project_yaml)
    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "dev")
    assert str(raised.value.problems[0]).startswith(expected)


def test_missing_stack_file_is_named(tmp_path):
    write_project(tmp_path, "config: {}\n")
    with pytest.raises(SpecError) as raised:
        load_stack_file(tmp_path, "prod")
    assert str(raised.value) == f"error: Pulumi.prod.yaml: no such stack file in {tmp_path}"


def test_only_python_programs_run(tmp_path):
    write_project(tmp_path, "config: {}\n", "name: demo\nruntime: nodejs\n")
    with pytest.raises(SpecError, match=r"runtime 'nodejs' is not python"):
        python_program(load_stack_file(tmp_path, "dev"))
