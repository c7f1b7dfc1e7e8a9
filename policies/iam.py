"""IAM policy documents (identity, trust and resource policies) lint clean with parliament.

A document is invalid when parliament reports a finding that means AWS would reject it or
could never apply it as written: malformed JSON or statements, unknown actions or service
prefixes, unknown principals or operators, bad ARNs, Sids or versions, duplicate Sids, a
Bool/Null condition on something other than true/false. Findings that are style, or that
parliament's IAM data (a snapshot from its release) gets wrong for newer AWS features, do not
count: RESOURCE_STAR, RESOURCE_EFFECTIVELY_STAR, NO_VERSION, OLD_VERSION,
RESOURCE_POLICY_PRIVILEGE_ESCALATION, BAD_PATTERN_FOR_MFA, MISMATCHED_TYPE_BUT_USABLE,
MISMATCHED_TYPE (it rejects decimals such as s3:TlsVersion 1.2), RESOURCE_MISMATCH (stale
resource types flag least-privilege ARNs), UNKNOWN_CONDITION_FOR_ACTION (it does not know
aws:SourceOrgID) and UNKNOWN_FEDERATION_SOURCE (it knows no OIDC providers).

parliament has no mode for resource or trust policies, so the document kind is checked here
(identity policies have no Principal, resource policies need one, trust policies have no
Resource) and the document is adapted before linting: trust statements get `Resource: "*"`,
which parliament requires, and `CanonicalUser` principals, valid in bucket policies but
unknown to parliament, are left out.
"""

from __future__ import annotations

import json
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
from metadata import resource_policy
from pulumi_policy import PolicyConfigSchema, ReportViolation, ResourceValidationArgs, Severity

INVALID_FINDINGS = frozenset(
    {
        "EXCEPTION",
        "MALFORMED_JSON",
        "MALFORMED",
        "DUPLICATE_SID",
        "INVALID_SID",
        "INVALID_VERSION",
        "INVALID_ARN",
        "UNKNOWN_ACTION",
        "UNKNOWN_PREFIX",
        "UNKNOWN_PRINCIPAL",
        "UNKNOWN_OPERATOR",
        "MISMATCHED_TYPE_OPERATION_TO_NULL",
    }
)
_ACTION_FINDINGS = frozenset({"UNKNOWN_ACTION", "UNKNOWN_PREFIX"})


def _kind_problems(document: Mapping[str, Any], kind: DocumentKind) -> list[str]:
    problems = []
    for index, statement in enumerate(statements(document)):
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        has_resource = "Resource" in statement or "NotResource" in statement
        where = statement_label(index, statement)
        if kind is DocumentKind.IDENTITY and has_principal:
            problems.append(f"{where} has a Principal, which identity policies cannot have")
        if kind is not DocumentKind.IDENTITY and not has_principal:
            problems.append(f"{where} has no Principal, which {kind.value} policies need")
        if kind is DocumentKind.TRUST and has_resource:
            problems.append(f"{where} has a Resource, which trust policies cannot have")
    return problems


def _without_canonical_users(principal: Any) -> Any:
    if isinstance(principal, Mapping):
        return {k: v for k, v in principal.items() if k != "CanonicalUser"}
    return principal


def _lintable(document: Mapping[str, Any], kind: DocumentKind) -> str:
    if not isinstance(document.get("Statement"), (Mapping, list)):
        return json.dumps(document)  # parliament reports the missing or scalar Statement
    adapted: list[Any] = []
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            adapted.append(statement)  # left for parliament to report
            continue
        copy = dict(statement)
        if "Principal" in copy:
            copy["Principal"] = _without_canonical_users(copy["Principal"])
        if kind is DocumentKind.TRUST and "Resource" not in copy:
            copy["Resource"] = "*"
        adapted.append(copy)
    return json.dumps({**document, "Statement": adapted})


def _describe(issue: str, detail: Any) -> str:
    return f"{issue}: {detail}" if detail not in (None, "", "None") else issue


@lru_cache(maxsize=512)
def lint(text: str, kind: DocumentKind, additional_actions: frozenset[str]) -> tuple[str, ...]:
    """The problems that make a policy document invalid; empty when it lints clean."""
    document = parse(text)
    if document is None:
        return ("MALFORMED_JSON: the document is not a JSON object",)
    problems = _kind_problems(document, kind)
    for finding in _findings(_lintable(document, kind)):
        action = str(finding.location.get("string", "")).lower()
        if finding.issue in _ACTION_FINDINGS and action in additional_actions:
            continue
        if finding.issue in INVALID_FINDINGS:
            problems.append(_describe(finding.issue, finding.detail))
    return tuple(problems)


def load_parliament() -> None:
    """Import parliament, which loads its IAM database (10 MB of JSON) on import: about as
    long as the pack takes to start. The pack's __main__ runs this in a thread while the
    engine runs the program, before the first policy document arrives."""
    import parliament  # noqa: F401, PLC0415


def _findings(text: str) -> list[Any]:
    # Imported here, not at the top, so that the plugin answers the engine before parliament
    # has loaded; a document that arrives while `load_parliament` still runs waits for it.
    from parliament import analyze_policy_string  # noqa: PLC0415
    from parliament.finding import Finding  # noqa: PLC0415

    try:
        return list(analyze_policy_string(text, ignore_private_auditors=True).findings)
    except Exception as error:  # noqa: BLE001 parliament raises on shapes it cannot walk
        return [Finding("MALFORMED", f"parliament could not read the document ({error})", {})]


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
            "For an action newer than parliament's data, add it to this policy's "
            "additionalActions setting."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "additionalActions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Real IAM actions newer than parliament's bundled data.",
                }
            }
        ),
    ),
]
