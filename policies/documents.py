"""IAM policy documents inside resource properties: where they are and what they grant."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatchcase
from typing import Any

from helpers import Validator, as_list, as_mapping, python_name, to_plain
from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs


class DocumentKind(Enum):
    IDENTITY = "identity"  # attached to a principal: no Principal element
    RESOURCE = "resource"  # attached to a resource: names who it applies to
    TRUST = "trust"  # a role's trust policy: Principal, and no Resource element


@dataclass(frozen=True)
class DocumentSource:
    """A property of a resource type that holds a policy document."""

    prop: str
    kind: DocumentKind
    nested_in: str = ""  # a list property whose items hold the document (role inline policies)


DOCUMENT_SOURCES: Mapping[str, tuple[DocumentSource, ...]] = {
    "aws:iam/role:Role": (
        DocumentSource("assumeRolePolicy", DocumentKind.TRUST),
        DocumentSource("policy", DocumentKind.IDENTITY, nested_in="inlinePolicies"),
    ),
    "aws:iam/rolePolicy:RolePolicy": (DocumentSource("policy", DocumentKind.IDENTITY),),
    "aws:iam/policy:Policy": (DocumentSource("policy", DocumentKind.IDENTITY),),
    "aws:iam/userPolicy:UserPolicy": (DocumentSource("policy", DocumentKind.IDENTITY),),
    "aws:iam/groupPolicy:GroupPolicy": (DocumentSource("policy", DocumentKind.IDENTITY),),
    "aws:s3/bucketPolicy:BucketPolicy": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:s3/bucket:Bucket": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:s3/bucketV2:BucketV2": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:kms/key:Key": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:kms/keyPolicy:KeyPolicy": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:sns/topic:Topic": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:sns/topicPolicy:TopicPolicy": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:sqs/queue:Queue": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:sqs/queuePolicy:QueuePolicy": (DocumentSource("policy", DocumentKind.RESOURCE),),
    "aws:secretsmanager/secretPolicy:SecretPolicy": (
        DocumentSource("policy", DocumentKind.RESOURCE),
    ),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (DocumentSource("policy", DocumentKind.RESOURCE),),
}

# Condition keys that tie a statement to known accounts, organizations, sources or networks.
_RESTRICTING_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "kms:calleraccount",
    }
)


@dataclass(frozen=True)
class FoundDocument:
    where: str  # the argument's path as Python code writes it: "inline_policies[0].policy"
    kind: DocumentKind
    text: str  # the document as JSON text


# AWS Organizations policies that are IAM documents: an SCP reads as an identity policy (no
# Principal), an RCP as a resource policy (`"Principal": "*"`). Other types (tag, backup, ...)
# have their own syntax. pulumi-aws creates an SCP when no type is given.
ORGANIZATION_POLICY = "aws:organizations/policy:Policy"
ORGANIZATION_POLICY_KINDS = {
    "SERVICE_CONTROL_POLICY": DocumentKind.IDENTITY,
    "RESOURCE_CONTROL_POLICY": DocumentKind.RESOURCE,
}


# Every resource type whose properties carry policy documents.
DOCUMENT_TYPES = frozenset({*DOCUMENT_SOURCES, ORGANIZATION_POLICY})


def documents_of(
    resource_type: str, props: Mapping[str, Any], kind: DocumentKind | None = None
) -> list[FoundDocument]:
    """Every policy document (of `kind`, if given) a resource's properties carry, as JSON text.

    Only the properties holding documents of `kind` are read, so an unknown trust policy does
    not keep a check of identity policies from running during preview."""
    if resource_type == ORGANIZATION_POLICY:
        found_kind = ORGANIZATION_POLICY_KINDS.get(
            str(props.get("type") or "SERVICE_CONTROL_POLICY")
        )
        if found_kind is None or (kind is not None and found_kind is not kind):
            return []
        return _document("content", found_kind, props.get("content"))
    found: list[FoundDocument] = []
    for source in DOCUMENT_SOURCES.get(resource_type, ()):
        if kind is not None and source.kind is not kind:
            continue
        if not source.nested_in:
            where = python_name(source.prop)
            found.extend(_document(where, source.kind, props.get(source.prop)))
            continue
        for index, item in enumerate(as_list(props.get(source.nested_in))):
            where = python_name(f"{source.nested_in}[{index}].{source.prop}")
            found.extend(_document(where, source.kind, as_mapping(item).get(source.prop)))
    return found


def documents_of_resource(resource: PolicyResource) -> list[FoundDocument]:
    return documents_of(resource.resource_type, resource.props)


def _document(where: str, kind: DocumentKind, value: Any) -> list[FoundDocument]:
    # The SDKs accept a document as JSON text or as an object; both reach the engine.
    if value in (None, ""):
        return []
    text = value if isinstance(value, str) else json.dumps(to_plain(value))
    return [FoundDocument(where, kind, text)]


def parse(text: str) -> Mapping[str, Any] | None:
    """The document as an object, or None when it is not a JSON object."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    return document if isinstance(document, Mapping) else None


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in as_list(document.get("Statement")) if isinstance(s, Mapping)]


def statement_label(index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    return f"statement {index + 1}" + (f" (Sid '{sid}')" if sid else "")


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]


def is_any_principal(principal: Any) -> bool:
    """`"*"` or `{"AWS": "*"}` (alone or in a list): everyone, including anonymous callers."""
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return "*" in _values(principal.get("AWS"))
    return False


def _restricts(operator: str, values: Any) -> bool:
    # A negated, null-test or IfExists operator, or a bare "*", does not narrow who may call.
    lowered = operator.lower()
    if "not" in lowered or lowered.startswith(("null", "forallvalues:")):
        return False
    if lowered.endswith("ifexists"):
        return False
    return all(str(v) not in ("", "*") for v in _values(values))


def has_restricting_condition(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            if str(key).lower() in _RESTRICTING_KEYS and _restricts(str(operator), values):
                return True
    return False


def public_grants(document: Mapping[str, Any]) -> list[str]:
    """Labels of the Allow statements that open the resource to anyone.

    An Allow with `Principal: "*"` (or `{"AWS": "*"}`) and no condition tying it to an account,
    organization, source or network, or any Allow with NotPrincipal.
    """
    found = []
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        opened = "NotPrincipal" in statement or is_any_principal(statement.get("Principal"))
        if opened and not has_restricting_condition(statement):
            found.append(statement_label(index, statement))
    return found


def _condition_value(statement: Mapping[str, Any], operator: str, key: str) -> Any:
    # Condition keys are case-insensitive; operators are not.
    block = as_mapping(as_mapping(statement.get("Condition")).get(operator))
    return next((v for k, v in block.items() if str(k).lower() == key.lower()), None)


def _denies_insecure_transport(statement: Mapping[str, Any]) -> bool:
    actions = {str(a) for a in _values(statement.get("Action"))}
    transport = _condition_value(statement, "Bool", "aws:SecureTransport")
    resources = [str(r) for r in _values(statement.get("Resource"))]
    return (
        statement.get("Effect") == "Deny"
        and is_any_principal(statement.get("Principal"))
        and bool(actions & {"s3:*", "*"})
        and [str(v).lower() for v in _values(transport)] == ["false"]
        and any(r == "*" or "/" not in r.split(":::", 1)[-1] for r in resources)
        and any(r == "*" or r.endswith("/*") for r in resources)
    )


def denies_insecure_transport(document: Mapping[str, Any]) -> bool:
    """A Deny for everyone of every S3 action on the bucket and its objects without TLS."""
    return any(_denies_insecure_transport(s) for s in statements(document))


def public_grant_messages(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """One message per statement of the resource's documents that opens it to anyone."""
    messages = []
    for found in documents_of(resource_type, props):
        document = parse(found.text)
        for grant in public_grants(document) if document is not None else []:
            messages.append(
                f"{found.where}: {grant} allows any principal with no account condition."
            )
    return messages


def no_public_principal(*resource_types: str) -> Validator:
    """Reports each statement of these resources' policies that grants to anyone."""

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type in resource_types:
            for message in public_grant_messages(args.resource_type, args.props):
                report(message, None)

    return validate


# What a statement grants, for the precondition policies: which actions to which principals.
# Conditions are not evaluated: a statement that names the principal and the action is taken
# to admit it, so these checks find policies that cannot work, not every one that will not.


def _matches(patterns: Any, value: str) -> bool:
    # Action names and their wildcards are case-insensitive (IAM JSON policy reference: Action).
    lowered = value.lower()
    return any(fnmatchcase(lowered, str(p).lower()) for p in _values(patterns))


def allows_action(statement: Mapping[str, Any], action: str) -> bool:
    """An Allow statement whose Action (or NotAction) covers `action`."""
    if statement.get("Effect") != "Allow":
        return False
    if "NotAction" in statement:
        return not _matches(statement.get("NotAction"), action)
    return _matches(statement.get("Action"), action)


def principals(statement: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) pairs of the Principal element: ("*", "*"), ("AWS", arn), ("Service", name)."""
    principal = statement.get("Principal")
    if principal == "*":
        return [("*", "*")]
    if not isinstance(principal, Mapping):
        return []
    return [
        ("*", "*") if value == "*" else (str(kind), str(value))
        for kind, values in principal.items()
        for value in _values(values)
    ]


PrincipalTest = Callable[[str, str], bool]


def grants(document: Mapping[str, Any], action: str, admits: PrincipalTest) -> bool:
    """Whether an Allow statement gives `action` to a principal that `admits` accepts."""
    return any(
        allows_action(statement, action)
        and any(admits(kind, value) for kind, value in principals(statement))
        for statement in statements(document)
    )


def service_principal(service: str) -> PrincipalTest:
    """Admits `service` (a service principal such as events.amazonaws.com) and everyone."""
    return lambda kind, value: kind == "*" or (kind == "Service" and value.lower() == service)


def aws_principal(arn: str) -> PrincipalTest:
    """Admits the IAM principal `arn` by name (principals take no wildcards) and everyone."""
    return lambda kind, value: kind == "*" or (kind == "AWS" and value == arn)


# Operators that test aws:PrincipalArn, and whether they take wildcards (IAM JSON policy
# reference, "Condition operators": ARN and String*Like operators do, StringEquals does not).
_PRINCIPAL_ARN_MATCHES = {
    "arnequals": True,
    "arnlike": True,
    "stringequals": False,
    "stringlike": True,
}
_PRINCIPAL_ARN_EXCLUDES = {
    "arnnotequals": True,
    "arnnotlike": True,
    "stringnotequals": False,
    "stringnotlike": True,
}


def _names_role(value: Any, role_arn: str, wildcards: bool) -> bool:
    return fnmatchcase(role_arn, str(value)) if wildcards else role_arn == str(value)


def _principal_arn_conditions_hold(statement: Mapping[str, Any], role_arn: str) -> bool:
    for operator, pairs in as_mapping(statement.get("Condition")).items():
        base = str(operator).lower().removesuffix("ifexists")
        for key, values in as_mapping(pairs).items():
            if str(key).lower() != "aws:principalarn":
                continue
            if base in _PRINCIPAL_ARN_MATCHES:
                wildcards = _PRINCIPAL_ARN_MATCHES[base]
                if not any(_names_role(v, role_arn, wildcards) for v in _values(values)):
                    return False
            elif base in _PRINCIPAL_ARN_EXCLUDES:
                wildcards = _PRINCIPAL_ARN_EXCLUDES[base]
                if any(_names_role(v, role_arn, wildcards) for v in _values(values)):
                    return False
    return True


def admits_role(statement: Mapping[str, Any], role_arn: str) -> bool:
    """Whether `statement`'s principal takes in the IAM role `role_arn`: by its ARN, everyone,
    or its account (root ARN or id) when the statement's `aws:PrincipalArn` conditions name the
    role. Other conditions are not evaluated; an account principal also needs the role's own
    IAM policy to allow the call, which is not this function's concern."""
    parts = role_arn.split(":")
    names = {role_arn}
    if len(parts) > 5:
        names |= {f"arn:{parts[1]}:iam::{parts[4]}:root", parts[4]}
    named = any(
        kind == "*" or (kind == "AWS" and value in names) for kind, value in principals(statement)
    )
    return named and _principal_arn_conditions_hold(statement, role_arn)


def grants_to_role(document: Mapping[str, Any], action: str, role_arn: str) -> bool:
    """Whether an Allow statement gives `action` to the IAM role `role_arn` (`admits_role`)."""
    return any(
        allows_action(statement, action) and admits_role(statement, role_arn)
        for statement in statements(document)
    )
