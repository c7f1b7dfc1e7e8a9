"""IAM policy documents (identity, trust and resource policies) follow IAM's grammar and name
only real actions.

The grammar is checked by iam_grammar (parliament's checks, without importing parliament),
the actions against iam_actions.json (the Service Authorization Reference as parliament's
data has it). The document kind is checked here: identity policies have no Principal,
resource policies need one, trust policies have no Resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from documents import (
    DOCUMENT_TYPES,
    DocumentKind,
    documents_of,
    parse,
    statement_label,
    statements,
)
from helpers import as_list
from iam_grammar import Problem, problems
from metadata import resource_policy
from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, Severity


def _kind_problems(document: Mapping[str, Any], kind: DocumentKind) -> list[str]:
    found = []
    for index, statement in enumerate(statements(document)):
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        has_resource = "Resource" in statement or "NotResource" in statement
        where = statement_label(index, statement)
        if kind is DocumentKind.IDENTITY and has_principal:
            found.append(f"{where} has a Principal, which identity policies cannot have")
        if kind is not DocumentKind.IDENTITY and not has_principal:
            found.append(f"{where} has no Principal, which {kind.value} policies need")
        if kind is DocumentKind.TRUST and has_resource:
            found.append(f"{where} has a Resource, which trust policies cannot have")
    return found


def _describe(problem: Problem) -> str:
    return f"{problem.issue}: {problem.detail}" if problem.detail else problem.issue


@lru_cache(maxsize=512)
def lint(text: str, kind: DocumentKind, additional_actions: frozenset[str]) -> tuple[str, ...]:
    """The problems that make a policy document invalid; empty when it lints clean."""
    document = parse(text)
    if document is None:
        return ("MALFORMED_JSON: the document is not a JSON object",)
    grammar = problems(
        document, additional_actions, resource_required=kind is not DocumentKind.TRUST
    )
    return (*_kind_problems(document, kind), *map(_describe, grammar))


def _additional_actions(config: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(str(a).lower() for a in as_list(config.get("additionalActions")))


def _validate_documents(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type not in DOCUMENT_TYPES:
        return
    additional = _additional_actions(args.get_config())
    for found in documents_of(args.resource_type, args.props):
        for problem in lint(found.text, found.kind, additional):
            report(f"{found.where} ({found.kind.value} policy): {problem}.", None)


POLICIES = [
    resource_policy(
        name="iam-policy-valid",
        summary="IAM policy documents must be well formed and name only real actions.",
        validate=_validate_documents,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Fix the reported statement: spell actions as 'service:Action' exactly as the AWS "
            "Service Authorization Reference lists them, give every statement Effect, Action and "
            "Resource (no Resource in trust policies; a Principal in resource policies only). "
            "For an action newer than the pack's action list (policies/iam_actions.json), add "
            "it to this policy's additionalActions setting."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "additionalActions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Real IAM actions newer than the pack's action list.",
                }
            }
        ),
    ),
]
