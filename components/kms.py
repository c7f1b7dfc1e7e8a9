"""ManagedKey: a customer managed KMS key whose policy separates duties.

Key administrators manage the key but cannot use it; key users use it but cannot manage it;
the principal that runs `pulumi up` keeps key administration (KMS refuses a policy that would
lock it out); AWS services get only the actions they need, and only on behalf of the named
accounts, organization or resource (no confused deputy).

    key = ManagedKey("config", ManagedKeyArgs(
        alias="security-baseline/config",
        deployer_arns=("arn:aws:iam::123456789012:role/deploy",),
        user_arns=("arn:aws:iam::123456789012:role/log-reader",),
        grants=(service_grant("AllowConfig", "config.amazonaws.com", ("kms:Decrypt",),
                              SourceScope(("123456789012",))),),
    ))
    pulumi.export("key", key.arn)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pulumi
import pulumi_aws as aws

from components.iam import (
    AwsContext,
    Conditions,
    SourceScope,
    aws_context,
    merge_conditions,
    render_policy,
    roles_condition,
    statement,
    validate_sid,
)

# Management only: no Encrypt/Decrypt/ReEncrypt/GenerateDataKey. kms:CreateGrant is left out too,
# since a grant is a way to hand oneself usage rights.
ADMINISTRATOR_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

USER_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
)

# Services such as EBS or Secrets Manager use a key on a user's behalf through grants.
USER_GRANT_ACTIONS: tuple[str, ...] = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")

# Reading key metadata is part of both duties.
_SHARED_ACTIONS = frozenset({"kms:DescribeKey", "kms:ListGrants", "kms:RevokeGrant"})
_MANAGEMENT_ONLY = frozenset(ADMINISTRATOR_ACTIONS) - _SHARED_ACTIONS

MIN_DELETION_WINDOW_DAYS = 7
MAX_DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class KeyGrant:
    """Usage rights on the key for an AWS service (`Service`) or IAM principals (`AWS`).

    A grant can never carry management actions, and a service grant must carry conditions
    that tie it to this customer (`aws:SourceAccount`, `aws:SourceArn`, an encryption context),
    unless `unconditioned_because` names the AWS document that rules such conditions out.
    """

    sid: str
    principals: tuple[pulumi.Input[str], ...]
    actions: tuple[str, ...]
    conditions: Conditions = field(default_factory=dict)
    principal_type: Literal["Service", "AWS"] = "Service"
    unconditioned_because: str = ""

    def __post_init__(self) -> None:
        validate_sid(self.sid)
        if not self.principals:
            raise ValueError(f"key grant {self.sid}: name at least one principal")
        management = sorted(set(self.actions) & _MANAGEMENT_ONLY)
        if management:
            raise ValueError(
                f"key grant {self.sid}: {', '.join(management)} are key administration; "
                "grants only carry usage"
            )
        if self.principal_type == "Service" and not (self.conditions or self.unconditioned_because):
            raise ValueError(
                f"key grant {self.sid}: a service grant needs conditions "
                "(aws:SourceAccount, aws:SourceArn or aws:SourceOrgID), or the AWS document "
                "that rules them out in unconditioned_because"
            )

    def to_statement(self) -> dict[str, Any]:
        return statement(
            self.sid,
            principal={self.principal_type: list(self.principals)},
            actions=self.actions,
            resources="*",
            conditions=self.conditions,
        )


@dataclass(frozen=True)
class ManagedKeyArgs:
    """Arguments of a ManagedKey; every default is the secure choice.

    `administrator_arns` empty means the account root, so that IAM policies in the account
    decide who administers the key.
    `deployer_arns`: the principals that run `pulumi up` in the key's account (the role the
    provider assumes). They keep key administration, never usage: KMS refuses a key policy that
    would keep the caller from a later PutKeyPolicy (CreateKey, AWS KMS API reference), and the
    provider reads, tags and aliases the key with them. Empty: the account root, as AWS's
    default key policy does, so that the deploying identity's IAM policies suffice.
    `later_grants`: grants known only after the key is declared (an Output, from a grant
    method of the key's owner); the policy waits for them.
    """

    alias: str
    description: str = "Managed by security-baseline"
    deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    administrator_arns: tuple[pulumi.Input[str], ...] = ()
    deployer_arns: tuple[pulumi.Input[str], ...] = ()
    user_arns: tuple[pulumi.Input[str], ...] = ()
    grants: tuple[KeyGrant, ...] = ()
    later_grants: pulumi.Input[Sequence[KeyGrant]] = ()
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        window = self.deletion_window_in_days
        if not MIN_DELETION_WINDOW_DAYS <= window <= MAX_DELETION_WINDOW_DAYS:
            raise ValueError(
                f"deletion_window_in_days must be between {MIN_DELETION_WINDOW_DAYS} and "
                f"{MAX_DELETION_WINDOW_DAYS} days (the range KMS accepts), got {window}"
            )
        if self.alias.startswith(("alias/", "aws/")) or not re.fullmatch(
            r"[\w/-]{1,250}", self.alias
        ):
            raise ValueError(
                f"alias {self.alias!r}: give the name without 'alias/', not starting with 'aws/', "
                "made of letters, digits, '/', '_' and '-'"
            )
        _check_distinct_sids(self.grants)


def _check_distinct_sids(grants: Sequence[KeyGrant]) -> None:
    sids = [grant.sid for grant in grants]
    if len(sids) != len(set(sids)):
        raise ValueError(f"key grants need distinct sids, got {sids}")


def key_policy_statements(
    args: ManagedKeyArgs, context: AwsContext, later_grants: Sequence[KeyGrant] = ()
) -> list[pulumi.Input[dict[str, Any]]]:
    administrators = list(args.administrator_arns) or [context.root_arn]
    statements: list[pulumi.Input[dict[str, Any]]] = [
        statement(
            "KeyAdministration",
            principal={"AWS": administrators},
            actions=ADMINISTRATOR_ACTIONS,
            resources="*",
        )
    ]
    if args.administrator_arns or args.deployer_arns:
        # Without either, the root in KeyAdministration already covers the deployer.
        statements.append(
            statement(
                "DeployerKeyAdministration",
                principal={"AWS": list(args.deployer_arns) or [context.root_arn]},
                actions=ADMINISTRATOR_ACTIONS,
                resources="*",
            )
        )
    if args.user_arns:
        users = {"AWS": list(args.user_arns)}
        statements.append(
            statement("KeyUsage", principal=users, actions=USER_ACTIONS, resources="*")
        )
        statements.append(
            statement(
                "KeyUsageThroughAwsServices",
                principal=users,
                actions=USER_GRANT_ACTIONS,
                resources="*",
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            )
        )
    grants = [*args.grants, *later_grants]
    _check_distinct_sids(grants)
    statements.extend(grant.to_statement() for grant in grants)
    return statements


class ManagedKey(pulumi.ComponentResource):
    """A rotating KMS key with a separated-duties policy and an alias `alias/<alias>`."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ManagedKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:kms:ManagedKey", name, None, opts)
        context = aws_context(self, args.region)
        policy = render_policy(
            pulumi.Output.all(context, args.later_grants).apply(
                lambda values: key_policy_statements(args, values[0], values[1])
            )
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_in_days,
            policy=policy,
            region=args.region,
            tags=dict(args.tags) or None,
            # What the key waits for (a principal its policy names) holds for its policy too:
            # the engine does not pass a component's dependencies on to its children.
            opts=pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{args.alias}",
            target_key_id=key.key_id,
            region=args.region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs(
            {"arn": self.arn, "key_id": self.key_id, "alias_name": self.alias_name}
        )


class KeyOwnerArgs(Protocol):
    """What a component's arguments say about the ManagedKey it creates for itself."""

    @property
    def key_administrator_arns(self) -> tuple[pulumi.Input[str], ...]: ...

    @property
    def key_deployer_arns(self) -> tuple[pulumi.Input[str], ...]: ...

    @property
    def key_deletion_window_in_days(self) -> int: ...

    @property
    def region(self) -> str | None: ...

    @property
    def tags(self) -> Mapping[str, str]: ...


def component_key(
    parent: pulumi.Resource,
    name: str,
    args: KeyOwnerArgs,
    *,
    alias: str,
    description: str,
    grants: tuple[KeyGrant, ...] = (),
    later_grants: pulumi.Input[Sequence[KeyGrant]] = (),
    user_arns: tuple[pulumi.Input[str], ...] = (),
    depends_on: pulumi.Input[Sequence[pulumi.Input[pulumi.Resource]] | pulumi.Resource]
    | None = None,
) -> ManagedKey:
    """The ManagedKey `<name>-key` of the component `parent`, administered as `args` say."""
    return ManagedKey(
        f"{name}-key",
        ManagedKeyArgs(
            alias=alias,
            description=description,
            administrator_arns=args.key_administrator_arns,
            deployer_arns=args.key_deployer_arns,
            deletion_window_in_days=args.key_deletion_window_in_days,
            user_arns=user_arns,
            grants=grants,
            later_grants=later_grants,
            region=args.region,
            tags=args.tags,
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on),
    )


def service_grant(
    sid: str,
    service: str,
    actions: Sequence[str],
    scope: SourceScope,
    extra_conditions: Conditions | None = None,
) -> KeyGrant:
    """Let `service` use the key for `actions` on behalf of `scope` only."""
    conditions = merge_conditions(scope.conditions(), extra_conditions or {})
    return KeyGrant(sid=sid, principals=(service,), actions=tuple(actions), conditions=conditions)


def role_key_grant(
    sid: str,
    root_arn: pulumi.Input[str],
    role_arns: Sequence[pulumi.Input[str]],
    actions: Sequence[str],
) -> KeyGrant:
    """Usage of a key for roles of this account, named by ARN under the account principal."""
    return KeyGrant(
        sid=sid,
        principals=(root_arn,),
        actions=tuple(actions),
        conditions=roles_condition(role_arns),
        principal_type="AWS",
    )


def cloudtrail_grants(
    trail_arn: pulumi.Input[str], trail_arn_pattern: pulumi.Input[str]
) -> tuple[KeyGrant, ...]:
    """What CloudTrail needs to encrypt one trail's log and digest files (AWS CloudTrail guide).

    `trail_arn_pattern` bounds the encryption context: `arn:aws:cloudtrail:*:<account>:trail/*`.
    """
    source = {"StringEquals": {"aws:SourceArn": trail_arn}}
    return (
        KeyGrant(
            sid="AllowCloudTrailEncryptLogs",
            principals=("cloudtrail.amazonaws.com",),
            actions=("kms:GenerateDataKey*",),
            conditions={
                **source,
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trail_arn_pattern},
            },
        ),
        KeyGrant(
            sid="AllowCloudTrailDescribeKey",
            principals=("cloudtrail.amazonaws.com",),
            actions=("kms:DescribeKey",),
            conditions=source,
        ),
    )


def cloudtrail_log_reader_grant(reader_arns: Sequence[pulumi.Input[str]]) -> KeyGrant:
    """Decrypt for principals reading CloudTrail files: only data that CloudTrail encrypted."""
    return KeyGrant(
        sid="AllowCloudTrailLogDecryption",
        principals=tuple(reader_arns),
        actions=("kms:Decrypt",),
        conditions={"Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"}},
        principal_type="AWS",
    )


def cloudwatch_logs_grant(
    logs_principal: pulumi.Input[str], log_group_arn: pulumi.Input[str]
) -> KeyGrant:
    """What CloudWatch Logs (`logs.<region>.<dns suffix>`) needs to encrypt one log group."""
    return KeyGrant(
        sid="AllowCloudWatchLogsEncryption",
        principals=(logs_principal,),
        # No DescribeKey: it carries no encryption context, so this condition could never match.
        actions=("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"),
        conditions={"StringEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}},
    )
