"""Property-based: whatever a stack file holds, loading its spec gives a Spec or `error:` lines.

Never another exception, and within a time and memory bound per input. Inputs: any text,
YAML built from the spec's own keys with values of every shape, and YAML with anchors and
aliases nested at random (the shape of an alias bomb).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baseline.problems import SpecError
from baseline.project import load_stack_file
from baseline.schema import SECTIONS
from baseline.spec import Spec
from baseline.spec_loader import spec_from_stack_file

# Per input: a spec is a few KB; anything near these bounds is a regression.
MAX_SECONDS = 5.0
MAX_PEAK_BYTES = 64 * 1024 * 1024
PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=MAX_SECONDS * 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _field_names(rules: Mapping[str, Any]) -> Iterator[str]:
    for name, rule in rules.items():
        yield name
        if isinstance(rule, Mapping):
            for nested in (rule.get("schema"), rule.get("valuesrules")):
                if isinstance(nested, Mapping) and all(
                    isinstance(v, Mapping) for v in nested.values()
                ):
                    yield from _field_names(nested)
                elif isinstance(nested, Mapping):
                    yield from _field_names({"item": nested})


# The spec's own words, so that generated documents reach deep into the schema.
KEYS = sorted(set(_field_names(SECTIONS)) | {"secure", "aws:x", ""})
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["us-east-1", "012345678901", "HIGH", "o-abcdefghij", "security-alerts"])
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=4)
        | st.dictionaries(st.integers() | st.none() | st.booleans(), children, max_size=2)
    ),
    max_leaves=30,
)
DOCUMENTS = st.dictionaries(st.sampled_from(sorted(SECTIONS)), VALUES, max_size=5)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("properties")
    (directory / "Pulumi.yaml").write_text("name: properties\nruntime: python\n")
    return directory


def load(project: Path, stack_yaml: str) -> Spec | SpecError:
    """The spec of a stack file holding `stack_yaml`, or the SpecError it raised."""
    (project / "Pulumi.dev.yaml").write_text(stack_yaml, encoding="utf-8")
    tracemalloc.start()
    try:
        return spec_from_stack_file(load_stack_file(project, "dev"))
    except SpecError as error:
        return error
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < MAX_PEAK_BYTES


def assert_defined(result: Spec | SpecError) -> None:
    if isinstance(result, SpecError):
        assert result.problems
        for problem in result.problems:
            line = str(problem)
            assert line.startswith("error: ")
            assert "\n" not in line
    else:
        assert isinstance(result, Spec)


def stack_of(spec: object) -> str:
    config = {"config": {"aws:region": "us-east-1", "security-baseline:baseline": spec}}
    return yaml.safe_dump(config, allow_unicode=True)


@PROPERTY_SETTINGS
@given(text=st.text(max_size=400))
def test_any_text_as_a_stack_file(project: Path, text: str) -> None:
    assert_defined(load(project, text))


@PROPERTY_SETTINGS
@given(body=st.text(max_size=300))
def test_any_text_under_the_config_key(project: Path, body: str) -> None:
    indented = "\n".join(f"    {line}" for line in body.splitlines())
    stack = f"config:\n  aws:region: us-east-1\n  security-baseline:baseline:\n{indented}\n"
    assert_defined(load(project, stack))


@PROPERTY_SETTINGS
@given(document=DOCUMENTS)
def test_any_document_made_of_the_specs_keys(project: Path, document: dict[str, Any]) -> None:
    assert_defined(load(project, stack_of(document)))


@st.composite
def aliased_yaml(draw: st.DrawFn) -> str:
    """Anchored lists whose items alias earlier anchors, used at random depths."""
    levels = draw(st.integers(min_value=1, max_value=12))
    lines = ["config:", "  aws:region: us-east-1", "  security-baseline:baseline:"]
    region = draw(st.sampled_from(["us-east-1", "x"]))
    lines.append(f"    regions: {{home: us-east-1, enabled: &a0 [{region}]}}")
    lines.append("  other:aliases:")
    for level in range(1, levels + 1):
        fan_out = draw(st.integers(min_value=1, max_value=12))
        targets = [
            f"*a{draw(st.integers(min_value=0, max_value=level - 1))}" for _ in range(fan_out)
        ]
        lines.append(f"    l{level}: &a{level} [{', '.join(targets)}]")
    return "\n".join(lines) + "\n"


@PROPERTY_SETTINGS
@given(stack=aliased_yaml())
def test_any_nesting_of_aliases(project: Path, stack: str) -> None:
    assert_defined(load(project, stack))
