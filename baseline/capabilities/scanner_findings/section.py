"""The `scanner_findings` section of the spec: CI scanner reports into Security Hub.

    scanner_findings:
      enabled: true
      codebuild_role_arns:
        - arn:aws:iam::222222222222:role/codebuild-app-build
      report_retention_days: 90
      tools: [dependency-check, zap, sonarqube, sarif]   # absent: all four

The named CodeBuild roles upload reports to the reports bucket (`reports/<tool>/...`, for the
listed tools only) or invoke the import function directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.scanner_findings.component import ROLE_ARN, TOOLS
from baseline.schema_rules import ErrorCallback, matches, nested_error, no_duplicates

SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": False},
    "codebuild_role_arns": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "string",
            "check_with": matches(
                ROLE_ARN.pattern, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
            ),
        },
        "check_with": no_duplicates,
    },
    "report_retention_days": {"type": "integer", "min": 1, "max": 3650, "default": 90},
    "tools": {
        "type": "list",
        "minlength": 1,
        "default": list(TOOLS),
        "allowed": TOOLS,
        "check_with": no_duplicates,
    },
}


def _roles_when_enabled(field: Any, value: Any, error: ErrorCallback) -> None:
    if isinstance(value, Mapping) and value.get("enabled") and not value.get("codebuild_role_arns"):
        message = "at least one CodeBuild role is required when scanner_findings is enabled"
        nested_error(error, (field, "codebuild_role_arns"), message)


# The rules of the `scanner_findings` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _roles_when_enabled,
}


@dataclass(frozen=True)
class ScannerFindingsSpec:
    enabled: bool
    codebuild_role_arns: tuple[str, ...]
    report_retention_days: int
    tools: tuple[str, ...]


def parse(document: Mapping[str, Any]) -> ScannerFindingsSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    return ScannerFindingsSpec(
        enabled=document["enabled"],
        codebuild_role_arns=tuple(document["codebuild_role_arns"]),
        report_retention_days=document["report_retention_days"],
        tools=tuple(document["tools"]),
    )
