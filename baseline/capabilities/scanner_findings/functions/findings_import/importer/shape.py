"""Checked access to untrusted JSON: every wrong shape becomes a ReportError naming its path."""

from __future__ import annotations

import math
from collections.abc import Mapping

JsonObject = Mapping[str, object]


class ReportError(ValueError):
    """The event or report is not something this function can import; the message says why."""


def require_object(value: object, where: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise ReportError(f"{where}: expected an object")
    return value


def require_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise ReportError(f"{where}: expected a list")
    return value


def require_text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReportError(f"{where}: expected a non-empty string")
    return value.strip()


def optional_object(container: JsonObject, key: str, where: str) -> JsonObject:
    value = container.get(key)
    return {} if value is None else require_object(value, f"{where}.{key}")


def optional_list(container: JsonObject, key: str, where: str) -> list[object]:
    value = container.get(key)
    return [] if value is None else require_list(value, f"{where}.{key}")


def optional_text(container: JsonObject, key: str, where: str) -> str | None:
    """A string member, or None when absent, null or blank (tools write "" for "not set")."""
    value = container.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ReportError(f"{where}.{key}: expected a string")
    text = str(value).strip()
    return text or None


def optional_score(container: JsonObject, key: str, where: str) -> float | None:
    """A CVSS-style score from 0 to 10, written as a number or a numeric string."""
    value = container.get(key)
    if value is None or value == "":
        return None
    try:
        score = float(value) if isinstance(value, str | int | float) else math.nan
    except ValueError:
        score = math.nan
    if isinstance(value, bool) or not 0.0 <= score <= 10.0:
        raise ReportError(f"{where}.{key}: expected a score from 0 to 10, got {value!r}")
    return score
