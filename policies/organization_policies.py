"""AWS Organizations service and resource control policies: what AWS refuses at deployment.

AWS Organizations user guide, "Quotas and service limits": a service or resource control policy
holds at most 5,120 characters, all of them counted as sent through the API (only the console
strips white space); at most five policies of a type are attached directly to a root, OU or
account, AWS's own FullAWSAccess (RCPFullAWSAccess), attached to each, included. "RCP syntax":
an RCP may not allow (only RCPFullAWSAccess does) and names `"Principal": "*"`. Other policy
types (tag, backup, ...) have other limits and are left alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any

from graph import Undecided, by_type
from helpers import as_list, label, text
from metadata import resource_policy, stack_policy
from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"
RESOURCE_CONTROL_POLICY = "RESOURCE_CONTROL_POLICY"
DEFAULT_POLICIES = {
    SERVICE_CONTROL_POLICY: "FullAWSAccess",
    RESOURCE_CONTROL_POLICY: "RCPFullAWSAccess",
}
MAX_CHARACTERS = 5120
MAX_ATTACHED = 5


def policy_type(props: Mapping[str, Any]) -> str:
    """The policy's type; pulumi-aws creates an SCP when none is given."""
    return text(props, "type", SERVICE_CONTROL_POLICY)


def _validate_size(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != POLICY or policy_type(args.props) not in DEFAULT_POLICIES:
        return
    content = text(args.props, "content")
    if len(content) > MAX_CHARACTERS:
        report(
            f"The {policy_type(args.props)} holds {len(content)} characters; AWS Organizations "
            f"stores at most {MAX_CHARACTERS}, white space included when sent through the API.",
            None,
        )


def _validate_deny_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != POLICY or policy_type(args.props) != RESOURCE_CONTROL_POLICY:
        return
    try:
        document = json.loads(text(args.props, "content"))
    except json.JSONDecodeError:
        return  # iam-policy-valid reports malformed documents
    statements = as_list(document.get("Statement")) if isinstance(document, Mapping) else []
    for index, statement in enumerate(s for s in statements if isinstance(s, Mapping)):
        name = statement.get("Sid") or f"statement {index}"
        if statement.get("Effect") != "Deny":
            report(f"{name} is not Deny: only AWS's RCPFullAWSAccess may allow in an RCP.", None)
        if statement.get("Principal") != "*":
            report(f'{name} must name "Principal": "*", as every RCP statement does.', None)


def _count(
    attachment: PolicyResource,
    counts: dict[tuple[str, str], list[PolicyResource]],
) -> None:
    policies = [
        p for p in attachment.property_dependencies.get("policyId", []) if p.resource_type == POLICY
    ]
    if len(policies) != 1 or policy_type(policies[0].props) not in DEFAULT_POLICIES:
        return  # a policy from outside the stack: its type cannot be told
    target = text(attachment.props, "targetId")
    counts.setdefault((policy_type(policies[0].props), target), []).append(attachment)


def _validate_attachments(args: StackValidationArgs, report: ReportViolation) -> None:
    counts: dict[tuple[str, str], list[PolicyResource]] = {}
    undecided = Undecided()
    for attachment in by_type(args.resources, [ATTACHMENT])[ATTACHMENT]:
        undecided.judge(attachment, partial(_count, attachment, counts))
    for (kind, target), attachments in sorted(counts.items()):
        if len(attachments) < MAX_ATTACHED:
            continue
        names = ", ".join(label(a) for a in attachments)
        report(
            f"{len(attachments)} policies of type {kind} are attached to {target} ({names}); AWS "
            f"attaches at most {MAX_ATTACHED} to a target, its {DEFAULT_POLICIES[kind]} included.",
            attachments[-1].urn,
        )
    undecided.settle()


POLICIES = [
    resource_policy(
        name="organization-policy-size",
        summary=(
            "A service or resource control policy must hold at most 5,120 characters, which "
            "AWS Organizations counts as sent, white space included."
        ),
        validate=_validate_size,
        severity=Severity.HIGH,
        remediation_steps=(
            "Send the document minified (json.dumps with separators=(',', ':')), use wildcards "
            "for families of actions, or split its statements over two policies."
        ),
    ),
    resource_policy(
        name="organization-rcp-deny-only",
        summary=(
            'A resource control policy must hold only Deny statements naming "Principal": "*" '
            "(AWS Organizations user guide, RCP syntax)."
        ),
        validate=_validate_deny_only,
        severity=Severity.HIGH,
        remediation_steps=(
            "Rewrite each Allow as a Deny of everything else (a condition that names the "
            'allowed callers), and give every statement "Principal": "*".'
        ),
    ),
    stack_policy(
        name="organization-policy-attachments",
        summary=(
            "A stack must not attach more than four service (or resource) control policies "
            "directly to one root, OU or account: AWS allows five, its FullAWSAccess "
            "(RCPFullAWSAccess) included."
        ),
        validate=_validate_attachments,
        severity=Severity.HIGH,
        remediation_steps=(
            "Merge the statements of policies that attach to the same target, or attach some "
            "to a parent OU or the root, whose policies the target inherits."
        ),
    ),
]
