"""AuditorRole: the read-only role `baseline audit` runs as.

Its policy allows exactly the read-only calls it is given (`read_permissions`: for the audit,
the table of `baseline.audit.permissions`), each on the narrowest resources the action
supports; it refuses any action that is not a Get, List or Describe. Auditors assume it from
the principals named here; MFA is required unless switched off explicitly, and an external id
can be required too (for an auditor outside the organization). In organization mode the audit
reaches the management, security and log-archive accounts by assuming a role in each
(`baseline audit --role-name`): `assumable_role_arns` names them, and the policy allows
sts:AssumeRole on exactly those.

    from baseline.audit.permissions import read_permissions

    auditor = AuditorRole("auditor", AuditorRoleArgs(
        trusted_principal_arns=("arn:aws:iam::444455556666:role/InternalAudit",),
        read_permissions=read_permissions(),
    ))
    pulumi.export("auditor_role", auditor.arn)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import aws_context, policy_document, statement, trust_policy

_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}")
_PRINCIPAL_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|(?:role|user)/(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64})"
)
# Where an action supports no resource-level permission.
ANY_RESOURCE = "*"
_READ_ONLY_ACTION = re.compile(r"[a-z0-9-]+:(Get|List|Describe)\w+")
# A resource pattern: an ARN whose partition and account are filled in for the audited account.
_RESOURCE_PATTERN = re.compile(r"arn:\{partition\}:[a-z0-9-]+:[^{}]*(\{account\}[^{}]*)?")
# What STS accepts as an external id.
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
MIN_SESSION_SECONDS = 3600
MAX_SESSION_SECONDS = 43200


@dataclass(frozen=True)
class AuditorRoleArgs:
    """Who may assume the auditor role, what it may read, and how. Every default is the
    secure choice.

    `read_permissions`: resource pattern -> the read-only actions that need it; a pattern is
    "*" or an ARN with `{partition}` and optionally `{account}`, filled in for the account the
    role is deployed in.
    """

    trusted_principal_arns: tuple[str, ...]
    read_permissions: Mapping[str, tuple[str, ...]]
    external_id: str | None = None
    require_mfa: bool = True
    max_session_duration_seconds: int = MIN_SESSION_SECONDS
    # Roles in the baseline's accounts that the audit assumes from this one (none: the audit
    # reads this account only).
    assumable_role_arns: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.trusted_principal_arns:
            raise ValueError("trusted_principal_arns: name at least one principal")
        bad = [arn for arn in self.trusted_principal_arns if not _PRINCIPAL_ARN.fullmatch(arn)]
        if bad:
            raise ValueError(
                f"trusted_principal_arns: not IAM account, role or user ARNs: {', '.join(bad)}"
            )
        _check_read_permissions(self.read_permissions)
        bad_roles = [arn for arn in self.assumable_role_arns if not _ROLE_ARN.fullmatch(arn)]
        if bad_roles:
            raise ValueError(f"assumable_role_arns: not IAM role ARNs: {', '.join(bad_roles)}")
        if self.external_id is not None and not _EXTERNAL_ID.fullmatch(self.external_id):
            raise ValueError("external_id: 2 to 1224 of letters, digits and +=,.@:/-_")
        if not MIN_SESSION_SECONDS <= self.max_session_duration_seconds <= MAX_SESSION_SECONDS:
            raise ValueError(
                f"max_session_duration_seconds must be between {MIN_SESSION_SECONDS} and "
                f"{MAX_SESSION_SECONDS}, got {self.max_session_duration_seconds}"
            )


def _check_read_permissions(permissions: Mapping[str, tuple[str, ...]]) -> None:
    if not permissions:
        raise ValueError("read_permissions: name what the auditor reads")
    writes = sorted(
        {
            a
            for actions in permissions.values()
            for a in actions
            if not _READ_ONLY_ACTION.fullmatch(a)
        }
    )
    if writes:
        raise ValueError(f"read_permissions: not read-only actions: {', '.join(writes)}")
    bad = [
        pattern
        for pattern in permissions
        if pattern != ANY_RESOURCE and not _RESOURCE_PATTERN.fullmatch(pattern)
    ]
    if bad:
        raise ValueError(
            "read_permissions: resources must be '*' or ARNs starting with 'arn:{partition}:', "
            f"got {', '.join(bad)}"
        )


def trust_document(args: AuditorRoleArgs) -> str:
    conditions: dict[str, Mapping[str, Any]] = {}
    if args.require_mfa:
        conditions["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
    if args.external_id is not None:
        conditions["StringEquals"] = {"sts:ExternalId": args.external_id}
    principal = {"AWS": list(args.trusted_principal_arns)}
    return policy_document([trust_policy("TrustedAuditors", principal, conditions)])


def actions_by_resource(
    read_permissions: Mapping[str, tuple[str, ...]],
    partition: str,
    account_id: str,
    assumable_role_arns: Sequence[str] = (),
) -> dict[str, tuple[str, ...]]:
    """Resource (pattern filled in, or "*") -> the sorted actions that need it; AssumeRole on
    each role to assume."""
    grouped: dict[str, set[str]] = {}
    for pattern, actions in read_permissions.items():
        resource = pattern.format(partition=partition, account=account_id)
        grouped.setdefault(resource, set()).update(actions)
    for role_arn in assumable_role_arns:
        grouped.setdefault(role_arn, set()).add("sts:AssumeRole")
    return {resource: tuple(sorted(actions)) for resource, actions in sorted(grouped.items())}


def auditor_policy_document(
    read_permissions: Mapping[str, tuple[str, ...]],
    account_id: str,
    partition: str = "aws",
    assumable_role_arns: Sequence[str] = (),
) -> str:
    """The auditor's identity policy for `account_id`, as JSON: one statement per set of
    actions, on the resources that need exactly those."""
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for resource, actions in actions_by_resource(
        read_permissions, partition, account_id, assumable_role_arns
    ).items():
        by_actions.setdefault(actions, []).append(resource)
    statements = [
        statement(
            _sid(resources[0]),
            actions=actions,
            resources=ANY_RESOURCE if resources == [ANY_RESOURCE] else resources,
        )
        for actions, resources in by_actions.items()
    ]
    return policy_document(statements)


def _sid(resource: str) -> str:
    if resource == ANY_RESOURCE:
        # These actions support no resource-level permission in IAM.
        return "ReadWithoutResourceScope"
    service = resource.split(":")[2]
    if service == "iam":
        return "AssumeAuditedAccountRoles"
    return "Read" + service.capitalize()


class AuditorRole(pulumi.ComponentResource):
    """An IAM role with the audit's read-only policy, assumable by the trusted principals."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AuditorRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:auditor:AuditorRole", name, None, opts)
        context = aws_context(self)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            description="Read-only access for baseline audit",
            assume_role_policy=trust_document(args),
            max_session_duration=args.max_session_duration_seconds,
            tags=dict(args.tags) or None,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-read-only",
            role=role.id,
            policy=context.apply(
                lambda ctx: auditor_policy_document(
                    args.read_permissions, ctx.account_id, ctx.partition, args.assumable_role_arns
                )
            ),
            opts=child,
        )
        self.arn = role.arn
        self.name = role.name
        self.register_outputs({"arn": self.arn, "name": self.name})
