"""Hypothesis strategies for input nobody here controls: any JSON, and real documents with parts
replaced by any JSON; and the bound every property holds its call to (time and memory)."""

from __future__ import annotations

import copy
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

T = TypeVar("T")

# Derandomized, no example database: the same examples in every run, and no files left behind.
PROPERTY = settings(
    max_examples=150,
    deadline=timedelta(milliseconds=750),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MEMORY_LIMIT_BYTES = 16 * 1024 * 1024

# Characters an attacker would try: markup, Slack and markdown syntax, controls, bidi overrides,
# lone surrogates (JSON's \ud800 escapes decode to them), and anything else.
_HOSTILE = st.sampled_from(
    list("<>&`*_~|!@#?%+/\\\"'\n\r\t\x00\x1b\x7f\x85\u2028\u2029\u202e\ud800\udfff")
)
text = st.text(st.one_of(_HOSTILE, st.characters()), max_size=40)
json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)
    ),
    max_leaves=25,
)


def _slots(document: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) of a JSON document, the document's own members first."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield document, key
            yield from _slots(value)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield document, index
            yield from _slots(value)


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """`document` with one to three of its values (any depth) replaced by any JSON value."""
    changed = copy.deepcopy(document)
    slots = list(_slots(changed))
    if not slots:
        return changed
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        container, key = draw(st.sampled_from(slots))
        container[key] = draw(json_values)
    return changed


def hostile(document: Any) -> st.SearchStrategy[Any]:
    """A real document, changed in places, or any JSON value at all."""
    return st.one_of(mutated(document), json_values)


def within_memory(call: Callable[[], T], limit: int = MEMORY_LIMIT_BYTES) -> T:
    """The call's result; it fails the example if the call allocated more than `limit` at peak."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= limit, f"peak {peak} bytes"
    return result
