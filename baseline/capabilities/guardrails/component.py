"""AccountGuardrails: account settings with no organization API, in every account of some OUs.

IAM Access Analyzer, optionally the AWS Config recorder, S3 account-level Block Public Access,
EBS encryption by default, the IAM password policy and default security groups without rules
(an AWS Config rule whose automatic remediation removes them: CIS AWS Foundations 5.4, for the
VPCs that exist and those created later) are set in each account and region by one
service-managed CloudFormation StackSet (cloudformation/account_guardrails.yaml),
deployed automatically to every account of the organizational units, present and future. The
program names OUs and regions only: adding an account to an OU adds nothing to it.

With `security_account_id`, each account and region also forwards the calls that weaken the
baseline (components/event_patterns.py `tamper_patterns()`, the very patterns of the security
account's tamper alerts) to the security account's default event bus in the home region, which
must admit the organization (the alerts capability's `AlertsArgs.organization_id`). Every region
targets the home region directly: EventBridge delivers an event to an event bus target once
only, so the security account could not pass a member's event on to its home region.

Create it with the management account's provider (or the StackSets delegated administrator's,
with `call_as="DELEGATED_ADMIN"`). StackSets never deploy to the management account itself.

AWS allows one Config recorder per account and region. Accounts whose recorders are created
elsewhere (the security and log-archive accounts, which may sit in a target OU) are named in
`accounts_with_own_config_recorder`: the template's condition skips the recorder there and keeps
every other guardrail. A condition rather than the instances' account filter (AccountFilterType
DIFFERENCE): the filter drops the whole stack from those accounts, and it is an argument of the
create, update and delete operations that pass it (CloudFormation user guide, "Account-level
targets for service-managed stack sets"), not of the automatic deployments to accounts that join
an OU later; the condition is evaluated by every stack instance, however it was deployed.

    AccountGuardrails("guardrails", AccountGuardrailsArgs(
        organizational_unit_ids=("ou-ab12-cdefgh34",),
        regions=("eu-west-1", "eu-central-1"),
        home_region="eu-west-1",
    ), opts=pulumi.ResourceOptions(provider=management))
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from baseline.capabilities.shared import require_region_list
from components import event_patterns

TEMPLATE_PATH = Path(__file__).parent / "cloudformation" / "account_guardrails.yaml"
HANDLER_PATH = Path(__file__).parent / "functions" / "account_settings" / "handler.py"
# The line of the template's inline function code that the handler's source replaces: the
# template's text as first deployed (its comments are part of the StackSet's template body).
HANDLER_PLACEHOLDER = "# security-baseline: components/functions/account_settings/handler.py"
# The template's forwarding rule, repeated once per tamper pattern with this line replaced.
TAMPER_PATTERN_PLACEHOLDER = (
    'EventPattern: "security-baseline: a pattern of components/event_patterns.py tamper_patterns()"'
)
# The StackSet's name: its stacks are `StackSet-<name>-<uuid>` (organization_policies/catalog.py).
STACK_SET_NAME = "security-baseline-account-guardrails"
# AWS's limit on a StackSet's template body.
MAX_TEMPLATE_BYTES = 51200
# The template's OwnConfigRecorderAccount<n> parameters: the baseline's security and log-archive.
OWN_RECORDER_PARAMETERS = ("OwnConfigRecorderAccount1", "OwnConfigRecorderAccount2")
CALL_AS = ("SELF", "DELEGATED_ADMIN")
ACCOUNT_ID = re.compile(r"\d{12}")
ORGANIZATIONAL_UNIT_ID = re.compile(r"ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32}")
_KMS_KEY = r"(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
_KMS_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
# What ModifyEbsDefaultKmsKeyId accepts: a key id, alias, key ARN or alias ARN.
EBS_KMS_KEY_ID = re.compile(
    rf"{_KMS_KEY}|{_KMS_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{{12}}:(?:key/{_KMS_KEY}|{_KMS_ALIAS})"
)


@dataclass(frozen=True)
class PasswordPolicy:
    """The IAM password policy; symbols, numbers, upper and lower case are always required."""

    minimum_length: int = 14
    max_age_days: int = 90
    reuse_prevention: int = 24

    def __post_init__(self) -> None:
        for name, value, low, high in (
            ("minimum_length", self.minimum_length, 14, 128),
            ("max_age_days", self.max_age_days, 1, 1095),
            ("reuse_prevention", self.reuse_prevention, 1, 24),
        ):
            if not low <= value <= high:
                raise ValueError(f"PasswordPolicy.{name}: must be {low}..{high}, got {value}")


@dataclass(frozen=True)
class ConfigDelivery:
    """Where the member accounts' Config recorders deliver: the central log archive.

    The archive's bucket (and key) policies must admit config.amazonaws.com for the
    organization's accounts: deliveries to another account's bucket use that principal.
    """

    bucket_name: pulumi.Input[str]
    key_prefix: str = "config"
    kms_key_arn: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class AccountGuardrailsArgs:
    organizational_unit_ids: tuple[str, ...]
    regions: tuple[str, ...]
    # Where account-wide settings and Config's global resource types are handled; in `regions`.
    home_region: str
    access_analyzer: bool = True
    # None: no recorder (Config is managed elsewhere, e.g. by Control Tower).
    config_recorder: ConfigDelivery | None = None
    # Accounts of the OUs that have a recorder from elsewhere: the StackSet creates none there.
    accounts_with_own_config_recorder: tuple[str, ...] = ()
    s3_block_public_access: bool = True
    ebs_encryption_by_default: bool = True
    # None: keep each account's default EBS key. Prefer an alias that exists in every region.
    ebs_default_kms_key_id: str | None = None
    # A Config rule and its automatic remediation keep default security groups without rules.
    close_default_security_groups: bool = True
    # None: leave each account's password policy alone.
    password_policy: PasswordPolicy | None = PasswordPolicy()
    # None: forward no tamper events (the security account alerts on its own calls only).
    security_account_id: str | None = None
    call_as: str = "SELF"
    failure_tolerance_percentage: int = 0
    max_concurrent_percentage: int = 25
    stack_set_name: str = STACK_SET_NAME
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_region_list("AccountGuardrailsArgs", self.home_region, self.regions)
        if not self.organizational_unit_ids:
            raise ValueError("AccountGuardrailsArgs.organizational_unit_ids: at least one OU")
        for ou in self.organizational_unit_ids:
            if not ORGANIZATIONAL_UNIT_ID.fullmatch(ou):
                raise ValueError(f"AccountGuardrailsArgs.organizational_unit_ids: {ou!r} is no OU")
        if len(set(self.organizational_unit_ids)) != len(self.organizational_unit_ids):
            raise ValueError("AccountGuardrailsArgs.organizational_unit_ids: an OU is listed twice")
        if self.call_as not in CALL_AS:
            raise ValueError(f"AccountGuardrailsArgs.call_as: one of {', '.join(CALL_AS)}")
        if not 0 <= self.failure_tolerance_percentage <= 100:
            raise ValueError("AccountGuardrailsArgs.failure_tolerance_percentage: 0..100")
        if not 1 <= self.max_concurrent_percentage <= 100:
            raise ValueError("AccountGuardrailsArgs.max_concurrent_percentage: 1..100")
        own = self.accounts_with_own_config_recorder
        if len(own) > len(OWN_RECORDER_PARAMETERS) or len(set(own)) != len(own):
            raise ValueError(
                "AccountGuardrailsArgs.accounts_with_own_config_recorder: at most "
                f"{len(OWN_RECORDER_PARAMETERS)} different accounts (the template's parameters)"
            )
        for recorded in own:
            if not ACCOUNT_ID.fullmatch(recorded):
                raise ValueError(
                    "AccountGuardrailsArgs.accounts_with_own_config_recorder: "
                    f"{recorded!r} is no account"
                )
        account = self.security_account_id
        if account is not None and not ACCOUNT_ID.fullmatch(account):
            raise ValueError(
                f"AccountGuardrailsArgs.security_account_id: {account!r} is no account"
            )
        key = self.ebs_default_kms_key_id
        if key is not None and not EBS_KMS_KEY_ID.fullmatch(key):
            raise ValueError(f"AccountGuardrailsArgs.ebs_default_kms_key_id: {key!r} is no KMS key")


@functools.cache
def render_template() -> str:
    """The StackSet template, with the custom resource's handler as its inline function code
    and a forwarding rule per tamper pattern."""
    lines = TEMPLATE_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = _with_handler(lines, HANDLER_PATH.read_text(encoding="utf-8"))
    rendered = "".join(_with_tamper_rules(lines))
    if len(rendered.encode()) > MAX_TEMPLATE_BYTES:
        raise ValueError(
            f"{TEMPLATE_PATH.name}: larger than the {MAX_TEMPLATE_BYTES} bytes allowed"
        )
    return rendered


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _with_handler(lines: list[str], handler: str) -> list[str]:
    [index] = [i for i, line in enumerate(lines) if line.strip().startswith(HANDLER_PLACEHOLDER)]
    indent = _indent_of(lines[index])
    code = [indent + line if line.strip() else "\n" for line in handler.splitlines(keepends=True)]
    return [*lines[:index], *code, *lines[index + 1 :]]


def _with_tamper_rules(lines: list[str]) -> list[str]:
    """The resource holding the tamper placeholder, once per TAMPER_CALLS service.

    The logical id gets the service as suffix; the pattern is written as JSON, which YAML reads.
    """
    [index] = [i for i, line in enumerate(lines) if line.strip() == TAMPER_PATTERN_PLACEHOLDER]
    start = max(i for i in range(index) if _is_resource_header(lines[i]))
    end = next(i for i in range(index, len(lines)) if _ends_resource(lines[i]))
    header, body = lines[start], lines[start + 1 : end]
    indent = _indent_of(lines[index])
    rules = []
    for service in event_patterns.TAMPER_CALLS:
        pattern = json.dumps(event_patterns.tamper_pattern(service), sort_keys=True)
        rules.append(header.replace(":", f"{service.capitalize()}:", 1))
        rules += [
            f"{indent}EventPattern: {pattern}\n"
            if line.strip() == TAMPER_PATTERN_PLACEHOLDER
            else line
            for line in body
        ]
    return [*lines[:start], *rules, *lines[end:]]


def _is_resource_header(line: str) -> bool:
    """A logical id under Resources: two spaces of indent."""
    return line.startswith("  ") and not line.startswith("   ") and line.rstrip().endswith(":")


def _ends_resource(line: str) -> bool:
    return bool(line.strip()) and len(_indent_of(line)) <= 2 and not line.lstrip().startswith("#")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def template_parameters(args: AccountGuardrailsArgs) -> dict[str, pulumi.Input[str]]:
    """A value for every template parameter: a StackSet resource must set them all."""
    delivery = args.config_recorder
    policy = args.password_policy or PasswordPolicy()
    own = list(args.accounts_with_own_config_recorder)
    own += [""] * (len(OWN_RECORDER_PARAMETERS) - len(own))
    return {
        "HomeRegion": args.home_region,
        "EnableAccessAnalyzer": _flag(args.access_analyzer),
        "EnableConfigRecorder": _flag(delivery is not None),
        **dict(zip(OWN_RECORDER_PARAMETERS, own, strict=True)),
        "ConfigDeliveryBucketName": delivery.bucket_name if delivery else "",
        "ConfigDeliveryKeyPrefix": delivery.key_prefix if delivery else "",
        "ConfigDeliveryKmsKeyArn": (delivery.kms_key_arn or "") if delivery else "",
        "BlockS3PublicAccess": _flag(args.s3_block_public_access),
        "EnableEbsEncryptionByDefault": _flag(args.ebs_encryption_by_default),
        "EbsDefaultKmsKeyId": args.ebs_default_kms_key_id or "",
        "SetPasswordPolicy": _flag(args.password_policy is not None),
        "MinimumPasswordLength": str(policy.minimum_length),
        "MaxPasswordAgeDays": str(policy.max_age_days),
        "PasswordReusePrevention": str(policy.reuse_prevention),
        "CloseDefaultSecurityGroups": _flag(args.close_default_security_groups),
        "SecurityAccountId": args.security_account_id or "",
    }


class AccountGuardrails(pulumi.ComponentResource):
    """One service-managed StackSet and one stack set instance per region, targeting OUs."""

    stack_set: aws.cloudformation.StackSet
    instances: dict[str, aws.cloudformation.StackSetInstance]
    stack_set_name: pulumi.Output[str]
    stack_set_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AccountGuardrailsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:guardrails:AccountGuardrails", name, None, opts)
        self.stack_set = aws.cloudformation.StackSet(
            name,
            name=args.stack_set_name,
            # As first deployed: a new description would update every stack instance.
            description="security-baseline account guardrails (see components/guardrails.py)",
            permission_model="SERVICE_MANAGED",
            auto_deployment=aws.cloudformation.StackSetAutoDeploymentArgs(
                enabled=True, retain_stacks_on_account_removal=False
            ),
            call_as=args.call_as,
            # The template's roles have generated names.
            capabilities=["CAPABILITY_IAM"],
            # Queue the per-region instance operations instead of failing them as concurrent.
            managed_execution=aws.cloudformation.StackSetManagedExecutionArgs(active=True),
            operation_preferences=aws.cloudformation.StackSetOperationPreferencesArgs(
                failure_tolerance_percentage=args.failure_tolerance_percentage,
                max_concurrent_percentage=args.max_concurrent_percentage,
                region_concurrency_type="PARALLEL",
            ),
            parameters=template_parameters(args),
            template_body=render_template(),
            tags=dict(args.tags),
            # AWS fills in the StackSets service-linked role, which a service-managed StackSet
            # never sets: hashicorp/terraform-provider-aws#23464.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["administrationRoleArn"]),
        )
        self.instances = {region: self._instance(name, region, args) for region in args.regions}
        self.stack_set_name = self.stack_set.name
        self.stack_set_id = self.stack_set.stack_set_id
        self.register_outputs(
            {"stack_set_name": self.stack_set_name, "stack_set_id": self.stack_set_id}
        )

    def _instance(
        self, name: str, region: str, args: AccountGuardrailsArgs
    ) -> aws.cloudformation.StackSetInstance:
        return aws.cloudformation.StackSetInstance(
            f"{name}-{region}",
            stack_set_name=self.stack_set.name,
            stack_set_instance_region=region,
            call_as=args.call_as,
            deployment_targets=aws.cloudformation.StackSetInstanceDeploymentTargetsArgs(
                organizational_unit_ids=list(args.organizational_unit_ids)
            ),
            operation_preferences=aws.cloudformation.StackSetInstanceOperationPreferencesArgs(
                failure_tolerance_percentage=args.failure_tolerance_percentage,
                max_concurrent_percentage=args.max_concurrent_percentage,
                # Without it a tolerance of 0 would deploy to one account at a time.
                concurrency_mode="SOFT_FAILURE_TOLERANCE",
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
