"""The service control policy guardrails: one Deny statement each, from plain arguments.

Each guardrail is one statement whose Sid is its name in CamelCase (`protect_config` ->
`ProtectConfig`), so that a policy shows which guardrails it holds and an audit or a report can
find them again. Every action is an IAM action of the Service Authorization Reference (the
policy pack's `iam-policy-valid` checks them against the actions parliament's data lists).

The protect_* guardrails, the region allow-list and the AdministratorAccess guardrail apply to
every principal except the exempted ones (`aws:PrincipalArn`, ArnNotLike: AWS's example SCPs
exempt administrator roles that way). Leaving the organization and using the root user are
denied to everyone.

The guardrails StackSet (baseline/capabilities/guardrails/component.py) deploys stacks named
`StackSet-<stack set name>-<uuid>`, whose roles, function, log group and rules get names that
CloudFormation generates from the stack name: `<stack name>-<logical id>-<random>`. Where the
service's limit is short (64 characters for roles, functions and rules) CloudFormation keeps 13
characters for the random tail and its hyphen and shares the other 50 between the stack name and
the logical id, the stack name taking at least half (not documented by AWS: inferred from the
names it generates, github.com/KensioSoftware/yulin/issues/1113). So the first 25 characters of
the stack name begin every generated name, and only they can be matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.guardrails.component import STACK_SET_NAME

Statement = dict[str, Any]

# CloudFormation's generated names keep at least this much of the stack name (see above).
GENERATED_NAME_STACK_CHARACTERS = 25
# AWS's managed policy with "*:*" (CIS AWS Foundations 1.16).
ADMINISTRATOR_ACCESS = "policy/AdministratorAccess"

# AWS Organizations user guide, "Example SCPs: Deny access to AWS based on the requested AWS
# Region": the global services and operations its NotAction exempts, whose requests reach
# us-east-1 (or carry no region) whatever region the caller uses.
GLOBAL_SERVICE_ACTIONS = (
    "a4b:*",
    "acm:*",
    "aws-marketplace-management:*",
    "aws-marketplace:*",
    "aws-portal:*",
    "budgets:*",
    "ce:*",
    "chime:*",
    "cloudfront:*",
    "config:*",
    "cur:*",
    "directconnect:*",
    "ec2:DescribeRegions",
    "ec2:DescribeTransitGateways",
    "ec2:DescribeVpnGateways",
    "fms:*",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "importexport:*",
    "kms:*",
    "mobileanalytics:*",
    "networkmanager:*",
    "organizations:*",
    "pricing:*",
    "route53:*",
    "route53domains:*",
    "route53-recovery-cluster:*",
    "route53-recovery-control-config:*",
    "route53-recovery-readiness:*",
    "s3:GetAccountPublic*",
    "s3:ListAllMyBuckets",
    "s3:ListMultiRegionAccessPoints",
    "s3:PutAccountPublic*",
    "shield:*",
    "sts:*",
    "support:*",
    "trustedadvisor:*",
    "waf-regional:*",
    "waf:*",
    "wafv2:*",
    "wellarchitected:*",
)

# What each protect_* guardrail denies on every resource of its service. `Disassociate*` is each
# service's leaving of its administrator or dropping of members, and nothing else.
PROTECTED_ACTIONS: dict[str, tuple[str, ...]] = {
    "protect_cloudtrail": (
        "cloudtrail:DeleteTrail",
        "cloudtrail:PutEventSelectors",
        "cloudtrail:StopLogging",
        "cloudtrail:UpdateTrail",
    ),
    "protect_config": (
        "config:DeleteConfigRule",
        "config:DeleteConfigurationAggregator",
        "config:DeleteConfigurationRecorder",
        "config:DeleteConformancePack",
        "config:DeleteDeliveryChannel",
        "config:DeleteEvaluationResults",
        "config:DeleteOrganizationConfigRule",
        "config:DeleteOrganizationConformancePack",
        "config:DeleteRemediationConfiguration",
        "config:PutConfigurationRecorder",
        "config:PutDeliveryChannel",
        "config:PutOrganizationConfigRule",
        "config:PutOrganizationConformancePack",
        "config:StopConfigurationRecorder",
    ),
    "protect_guardduty": (
        "guardduty:DeleteDetector",
        "guardduty:DeleteMembers",
        "guardduty:DeletePublishingDestination",
        "guardduty:Disassociate*",
        "guardduty:StopMonitoringMembers",
        "guardduty:UpdateDetector",
        "guardduty:UpdateMemberDetectors",
        "guardduty:UpdateOrganizationConfiguration",
    ),
    "protect_securityhub": (
        "securityhub:BatchDisableStandards",
        "securityhub:DeleteFindingAggregator",
        "securityhub:DeleteMembers",
        "securityhub:DisableImportFindingsForProduct",
        "securityhub:DisableSecurityHub",
        "securityhub:Disassociate*",
        "securityhub:UpdateFindingAggregator",
        "securityhub:UpdateOrganizationConfiguration",
        "securityhub:UpdateSecurityHubConfiguration",
        "securityhub:UpdateStandardsControl",
    ),
    "protect_macie": (
        "macie2:DeleteMember",
        "macie2:DisableMacie",
        "macie2:Disassociate*",
        "macie2:UpdateClassificationJob",
        "macie2:UpdateMacieSession",
        "macie2:UpdateOrganizationConfiguration",
    ),
    "protect_access_analyzer": (
        "access-analyzer:CreateArchiveRule",
        "access-analyzer:DeleteAnalyzer",
        "access-analyzer:UpdateArchiveRule",
    ),
    "protect_account_settings": (
        "ec2:DisableEbsEncryptionByDefault",
        "ec2:ModifyEbsDefaultKmsKeyId",
        "ec2:ResetEbsDefaultKmsKeyId",
        # Also what DeletePublicAccessBlock of S3 Control needs.
        "s3:PutAccountPublicAccessBlock",
    ),
}

# What protect_account_guardrails denies on the StackSet's stacks and the resources they name.
GUARDRAIL_STACK_ACTIONS = (
    "cloudformation:CreateChangeSet",
    "cloudformation:CreateStack",
    "cloudformation:DeleteStack",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:SetStackPolicy",
    "cloudformation:UpdateStack",
    "cloudformation:UpdateTerminationProtection",
    "events:DeleteRule",
    "events:DisableRule",
    "events:PutRule",
    "events:PutTargets",
    "events:RemoveTargets",
    "iam:AttachRolePolicy",
    # Nobody else may create a role under the StackSet's prefix, which is exempted elsewhere.
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    # Passing an exempted role to another function or rule would lend its exemption.
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "lambda:AddPermission",
    "lambda:DeleteFunction",
    # The account-settings function applies what its event says, with an exempted role.
    "lambda:InvokeFunction",
    "lambda:RemovePermission",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "logs:DeleteLogGroup",
    "logs:PutRetentionPolicy",
)

# Every guardrail, in the order policies hold them. Off unless switched on: the region allow-list.
GUARDRAILS = (
    "protect_cloudtrail",
    "protect_config",
    "protect_guardduty",
    "protect_securityhub",
    "protect_macie",
    "protect_access_analyzer",
    "protect_account_guardrails",
    "protect_account_settings",
    "deny_leave_organization",
    "deny_root_user",
    "deny_administrator_attachment",
    "region_allow_list",
)
OPT_IN_GUARDRAILS = frozenset({"region_allow_list"})
# What each guardrail keeps member accounts from doing (docs/organization-policies.md says why).
PREVENTS = {
    "protect_cloudtrail": "stopping, deleting or reconfiguring CloudTrail trails",
    "protect_config": (
        "stopping or changing the Config recorder and delivery channel, deleting Config rules, "
        "conformance packs, remediations and the organization's packs and aggregators"
    ),
    "protect_guardduty": (
        "deleting or changing GuardDuty detectors, leaving the administrator, dropping members"
    ),
    "protect_securityhub": (
        "disabling Security Hub, its standards, controls or finding imports, leaving the "
        "administrator, dropping members or the finding aggregator"
    ),
    "protect_macie": "disabling or pausing Macie, leaving the administrator, cancelling jobs",
    "protect_access_analyzer": "deleting IAM Access Analyzer analyzers or archiving findings",
    "protect_account_guardrails": (
        "changing or deleting the guardrails StackSet's stacks, roles, function, log group and "
        "tamper forwarding rules, or passing its roles on"
    ),
    "protect_account_settings": (
        "turning off account-level S3 Block Public Access or EBS encryption by default, or "
        "changing the default EBS key"
    ),
    "deny_leave_organization": "leaving the organization (and with it every guardrail)",
    "deny_root_user": "any use of a member account's root user",
    "deny_administrator_attachment": (
        "attaching AdministratorAccess to any user, group or role but the named ones"
    ),
    "region_allow_list": "any request outside the enabled regions, global services excepted",
}
# Guardrails that no principal is exempt from.
UNEXEMPTED_GUARDRAILS = frozenset({"deny_leave_organization", "deny_root_user"})


@dataclass(frozen=True)
class GuardrailArgs:
    """What the guardrails' statements are made of.

    `exempt_principals`: `aws:PrincipalArn` patterns every exemptible guardrail spares.
    `allowed_regions`: the region allow-list's regions. `administrator_roles`: role ARN patterns
    that may still receive AdministratorAccess (none: no principal may, unless exempted).
    """

    partition: str = "aws"
    exempt_principals: tuple[str, ...] = ()
    allowed_regions: tuple[str, ...] = ()
    administrator_roles: tuple[str, ...] = ()
    stack_set_name: str = STACK_SET_NAME

    def __post_init__(self) -> None:
        if not re.fullmatch(r"aws(-[a-z]+)*", self.partition):
            raise ValueError(f"GuardrailArgs.partition: {self.partition!r} is no partition")

    @property
    def stack_name_prefix(self) -> str:
        return f"StackSet-{self.stack_set_name}-"

    @property
    def generated_name_prefix(self) -> str:
        """What every name CloudFormation generates in the StackSet's stacks begins with."""
        return self.stack_name_prefix[:GENERATED_NAME_STACK_CHARACTERS]

    def stack_set_role_pattern(self) -> str:
        return f"arn:{self.partition}:iam::*:role/{self.generated_name_prefix}*"


def sid_of(guardrail: str) -> str:
    """`protect_config` -> `ProtectConfig`: a Sid may hold letters and digits only."""
    return "".join(word.capitalize() for word in guardrail.split("_"))


def guardrail_of(sid: str) -> str | None:
    """The guardrail whose statement has this Sid, or None."""
    return next((name for name in GUARDRAILS if sid_of(name) == sid), None)


def _exempting(principals: Sequence[str]) -> dict[str, Any]:
    return {"ArnNotLike": {"aws:PrincipalArn": sorted(set(principals))}} if principals else {}


def _deny(guardrail: str, body: dict[str, Any], conditions: dict[str, Any]) -> Statement:
    document: Statement = {"Sid": sid_of(guardrail), "Effect": "Deny", **body}
    if conditions:
        document["Condition"] = conditions
    return document


def guardrail_statement(guardrail: str, args: GuardrailArgs) -> Statement:
    """The Deny statement of `guardrail`."""
    exempt = _exempting(args.exempt_principals)
    partition = args.partition
    if guardrail in PROTECTED_ACTIONS:
        principals = list(args.exempt_principals)
        if guardrail == "protect_account_settings":
            # The StackSet's function applies these settings with a role of the StackSet.
            principals.append(args.stack_set_role_pattern())
        body = {"Action": list(PROTECTED_ACTIONS[guardrail]), "Resource": "*"}
        return _deny(guardrail, body, _exempting(principals))
    if guardrail == "protect_account_guardrails":
        prefix = args.generated_name_prefix
        resources = [
            f"arn:{partition}:cloudformation:*:*:stack/{args.stack_name_prefix}*",
            f"arn:{partition}:events:*:*:rule/{prefix}*",
            args.stack_set_role_pattern(),
            f"arn:{partition}:lambda:*:*:function:{prefix}*",
            f"arn:{partition}:logs:*:*:log-group:{prefix}*",
        ]
        return _deny(
            guardrail, {"Action": list(GUARDRAIL_STACK_ACTIONS), "Resource": resources}, exempt
        )
    if guardrail == "deny_leave_organization":
        return _deny(guardrail, {"Action": "organizations:LeaveOrganization", "Resource": "*"}, {})
    if guardrail == "deny_root_user":
        root = {"StringLike": {"aws:PrincipalArn": f"arn:{partition}:iam::*:root"}}
        return _deny(guardrail, {"Action": "*", "Resource": "*"}, root)
    if guardrail == "deny_administrator_attachment":
        return _administrator_attachment(args, exempt)
    if guardrail == "region_allow_list":
        if not args.allowed_regions:
            raise ValueError("region_allow_list: no allowed regions")
        outside = {"StringNotEquals": {"aws:RequestedRegion": list(args.allowed_regions)}}
        body = {"NotAction": list(GLOBAL_SERVICE_ACTIONS), "Resource": "*"}
        return _deny(guardrail, body, {**outside, **exempt})
    raise ValueError(f"{guardrail!r} is no guardrail: one of {', '.join(GUARDRAILS)}")


def _administrator_attachment(args: GuardrailArgs, exempt: dict[str, Any]) -> Statement:
    actions = ["iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy"]
    where: dict[str, Any] = (
        {"NotResource": sorted(set(args.administrator_roles))}
        if args.administrator_roles
        else {"Resource": "*"}
    )
    policy = {
        "ArnEquals": {"iam:PolicyARN": f"arn:{args.partition}:iam::aws:{ADMINISTRATOR_ACCESS}"}
    }
    return _deny(
        "deny_administrator_attachment", {"Action": actions, **where}, {**policy, **exempt}
    )
