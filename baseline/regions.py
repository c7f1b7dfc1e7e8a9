"""The AWS regions botocore knows, and how a spec names one wrongly."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from components.aws_partitions import known_regions

__all__ = ["known_regions", "region_problem", "yaml_type"]


def region_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"must be a region name, got {yaml_type(value)}"
    if value in known_regions():
        return None
    close = difflib.get_close_matches(value, known_regions(), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unknown AWS region {value!r}{hint}"


def yaml_type(value: object) -> str:
    """How the problem names what the YAML held: `boolean (true)`, `string ('abc')`."""
    if isinstance(value, bool):
        return f"boolean ({str(value).lower()})"
    names = {int: "integer", float: "number", str: "string", type(None): "null"}
    if type(value) in names:
        return f"{names[type(value)]} ({value!r})"
    return "mapping" if isinstance(value, Mapping) else "list"
