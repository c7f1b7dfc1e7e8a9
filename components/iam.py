"""Shared building blocks for IAM, key, bucket and topic policy documents.

Policies are plain JSON built from dicts, so they can be resolved inside
`pulumi.Output.apply` and previewed offline (the `aws.iam.get_policy_document` data
source needs AWS to answer). Values inside statements may be Pulumi Inputs; `render_policy`
resolves them all before serialising.

    document = render_policy([
        statement("ReadReports", actions=["s3:GetObject"], resources=[reports_bucket_arn]),
    ])
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.nested_outputs import resolved_apply

POLICY_VERSION = "2012-10-17"
_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+")

Statement = dict[str, Any]
Conditions = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class AwsContext:
    """Where a component's resources live: partition, account and region of its provider."""

    partition: str
    account_id: str
    region: str
    dns_suffix: str
    caller_arn: str

    @property
    def root_arn(self) -> str:
        """The account principal: naming it delegates the decision to the account's IAM policies."""
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def service_principal(self, service: str) -> str:
        """`logs.<region>.amazonaws.com` style principals carry the partition's DNS suffix."""
        return f"{service}.{self.dns_suffix}"


# Module members whose provider `aws_context` asks for: any `aws` token names the package.
_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
# Per program run, one context per provider (the root stack's: the default provider) and
# region: components of one account and region share three data-source calls.
_contexts: weakref.WeakKeyDictionary[pulumi.Resource, dict[str | None, pulumi.Output[AwsContext]]]
_contexts = weakref.WeakKeyDictionary()


def aws_context(parent: pulumi.Resource, region: str | None = None) -> pulumi.Output[AwsContext]:
    """Account, partition and region as seen through `parent`'s provider (and `region=`)."""
    provider = parent.get_provider(_CALLER_IDENTITY)
    owner = provider if provider is not None else pulumi.runtime.get_root_resource()
    if owner is None:  # outside a program run: nothing to share with
        return _aws_context(pulumi.InvokeOutputOptions(parent=parent), region)
    by_region = _contexts.setdefault(owner, {})
    if region not in by_region:
        opts = pulumi.InvokeOutputOptions(provider=provider, parent=parent)
        by_region[region] = _aws_context(opts, region)
    return by_region[region]


def _aws_context(opts: pulumi.InvokeOutputOptions, region: str | None) -> pulumi.Output[AwsContext]:
    identity = aws.get_caller_identity_output(opts=opts)
    partition = aws.get_partition_output(opts=opts)
    current_region = aws.get_region_output(region=region, opts=opts)
    return pulumi.Output.all(
        identity.account_id,
        partition.partition,
        partition.dns_suffix,
        current_region.region,
        identity.arn,
    ).apply(
        lambda values: AwsContext(
            account_id=values[0],
            partition=values[1],
            dns_suffix=values[2],
            region=values[3],
            caller_arn=values[4],
        )
    )


def deployer_principal_patterns(caller_arn: str) -> list[str]:
    """The `aws:PrincipalArn` values the deploying identity presents.

    STS reports an assumed-role session (`arn:aws:sts::1:assumed-role/NAME/session`) while
    `aws:PrincipalArn` carries the role ARN, whose path the session ARN omits: match both the
    path-less and any-path forms.
    """
    match = re.fullmatch(r"arn:([\w-]+):sts::(\d{12}):assumed-role/([^/]+)/.+", caller_arn)
    if match is None:
        return [caller_arn]
    partition, account, role = match.groups()
    return [
        f"arn:{partition}:iam::{account}:role/{role}",
        f"arn:{partition}:iam::{account}:role/*/{role}",
    ]


def validate_sid(sid: str) -> None:
    if not re.fullmatch(r"[0-9A-Za-z]+", sid):
        raise ValueError(
            f"statement id {sid!r} must be alphanumeric (IAM accepts only [0-9A-Za-z])"
        )


def statement(
    sid: str,
    *,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]] | str | None,
    effect: str = "Allow",
    principal: Mapping[str, Any] | str | None = None,
    conditions: Conditions | None = None,
    not_actions: bool = False,
) -> Statement:
    """One policy statement; `not_actions=True` writes `NotAction` instead of `Action`.

    `resources=None` leaves Resource out, as trust policies require.
    """
    validate_sid(sid)
    built: Statement = {"Sid": sid, "Effect": effect}
    if principal is not None:
        built["Principal"] = principal if isinstance(principal, str) else dict(principal)
    built["NotAction" if not_actions else "Action"] = list(actions)
    if resources is not None:
        built["Resource"] = resources if isinstance(resources, str) else list(resources)
    if conditions:
        built["Condition"] = {operator: dict(pairs) for operator, pairs in conditions.items()}
    return built


def policy_document(statements: Sequence[Mapping[str, Any]]) -> str:
    """Serialise resolved statements as a policy document (stable key order for diffs)."""
    return json.dumps({"Version": POLICY_VERSION, "Statement": list(statements)}, sort_keys=True)


def render_policy(statements: pulumi.Input[Sequence[Any]]) -> pulumi.Output[str]:
    """Resolve every Input nested in `statements` and serialise the policy document."""
    return resolved_apply(statements, policy_document)


def trust_policy(sid: str, principal: Mapping[str, Any], conditions: Conditions) -> Statement:
    """The statement of a role trust policy: who may assume the role, and under what conditions."""
    return statement(
        sid, principal=principal, actions=["sts:AssumeRole"], resources=None, conditions=conditions
    )


def deny_insecure_transport(
    service_actions: Sequence[str], resources: Sequence[pulumi.Input[str]]
) -> Statement:
    """Refuse any request that does not come over TLS."""
    return statement(
        "DenyInsecureTransport",
        effect="Deny",
        principal="*",
        actions=service_actions,
        resources=resources,
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )


def validate_role_arns(label: str, role_arns: Sequence[pulumi.Input[str]]) -> None:
    """Role ARNs given as text must be IAM role ARNs (Outputs are checked by IAM at deploy)."""
    bad = [arn for arn in role_arns if isinstance(arn, str) and not _ROLE_ARN.fullmatch(arn)]
    if bad:
        raise ValueError(f"{label}: not IAM role ARNs: {bad}")


def roles_condition(role_arns: Sequence[pulumi.Input[str]]) -> dict[str, dict[str, Any]]:
    """Matches the named roles' sessions; the roles need not exist when the policy is written.

    KMS and SNS require the principals of a policy to exist (KMS API Reference, PutKeyPolicy
    `Policy`: "The principals in the key policy must exist"), because IAM turns a Principal ARN
    into the principal's unique ID (IAM User Guide, "IAM JSON policy elements: Principal");
    `aws:PrincipalArn` is a string of the request context compared when a call is made (IAM
    User Guide, "AWS global condition context keys"), so the statements that use this condition
    name the account root as principal.
    """
    return {"ArnEquals": {"aws:PrincipalArn": list(role_arns)}}


def roles_statements(
    sid: str,
    root_arn: str,
    role_arns: Sequence[pulumi.Input[str]],
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
) -> list[Statement]:
    """Allow roles of the account, named by ARN under the account principal (none: nothing)."""
    if not role_arns:
        return []
    return [
        statement(
            sid,
            principal={"AWS": [root_arn]},
            actions=actions,
            resources=resources,
            conditions=roles_condition(role_arns),
        )
    ]


def validate_organization_id(organization_id: str | None) -> None:
    if organization_id is not None and not re.fullmatch(r"o-[a-z0-9]{10,32}", organization_id):
        raise ValueError(f"organization id {organization_id!r} must look like o-xxxxxxxxxx")


@dataclass(frozen=True)
class SourceScope:
    """On whose behalf an AWS service may act: some accounts, or a whole organization.

    Service principals are shared by every AWS customer; these conditions keep a grant to
    `config.amazonaws.com` from serving another customer's recorder (the confused deputy).
    """

    account_ids: tuple[pulumi.Input[str], ...]
    organization_id: str | None = None

    def __post_init__(self) -> None:
        if not self.account_ids and self.organization_id is None:
            raise ValueError("a source scope needs account ids or an organization id")
        validate_organization_id(self.organization_id)

    def conditions(self) -> dict[str, dict[str, Any]]:
        if self.organization_id is not None:
            return {"StringEquals": {"aws:SourceOrgID": self.organization_id}}
        return {"StringEquals": {"aws:SourceAccount": list(self.account_ids)}}


def merge_conditions(*parts: Conditions) -> dict[str, dict[str, Any]]:
    """Combine condition blocks; keys under the same operator are ANDed, as IAM does."""
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for operator, pairs in part.items():
            merged.setdefault(operator, {}).update(pairs)
    return merged
