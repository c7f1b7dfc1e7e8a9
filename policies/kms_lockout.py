"""KMS: a key policy must leave the account able to administer the key.

KMS refuses a key policy that would not let the calling principal make a later PutKeyPolicy
request (AWS KMS API Reference, CreateKey and PutKeyPolicy: Policy and
BypassPolicyLockoutSafetyCheck). The caller is the deploying role, which the pack cannot see,
so the check is the one AWS's default key policy meets: some Allow statement gives
kms:PutKeyPolicy to the account root, or to a deploy role the pack config names. Even with the
safety check bypassed, a key its deployer cannot administer can no longer be updated, tagged
or aliased by the stack, so bypassing does not exempt a key here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from functools import partial
from typing import Any

from documents import PrincipalTest, documents_of_resource, grants, parse
from graph import Undecided, by_type
from helpers import label
from metadata import stack_policy
from pulumi_policy import (
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
)

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
DOCUMENT = "AWS KMS API Reference, CreateKey/PutKeyPolicy: BypassPolicyLockoutSafetyCheck"
# An account root by ARN or, as principals may also be written, by the account id alone.
_ACCOUNT_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")


def administers(deployer_arns: Sequence[str]) -> PrincipalTest:
    """The principal test: the account root, or an IAM principal matching a deploy-role pattern."""

    def admits(kind: str, value: str) -> bool:
        if kind == "*":
            return True
        return kind == "AWS" and (
            bool(_ACCOUNT_ROOT.match(value)) or any(fnmatchcase(value, p) for p in deployer_arns)
        )

    return admits


def _locks_out(resource: PolicyResource, deployer_arns: Sequence[str]) -> bool:
    """Whether the resource sets a key policy in which nobody it may be deployed by keeps
    kms:PutKeyPolicy. No policy at all means KMS's default policy, which keeps the root."""
    found = documents_of_resource(resource)
    if not found:
        return False
    documents = [parse(f.text) for f in found]
    admits = administers(deployer_arns)
    return not any(d is not None and grants(d, "kms:PutKeyPolicy", admits) for d in documents)


def _deployer_arns(config: Mapping[str, Any]) -> list[str]:
    return [str(pattern) for pattern in config.get("deployerArns") or []]


def _report_lockout(
    resource: PolicyResource, deployer_arns: Sequence[str], report: ReportViolation
) -> None:
    if not _locks_out(resource, deployer_arns):
        return
    who = "the account root" + (
        f" or a deploy role ({', '.join(deployer_arns)})" if deployer_arns else ""
    )
    report(
        f"{label(resource)}: no Allow statement of its key policy gives kms:PutKeyPolicy to "
        f"{who}: KMS refuses the policy, or with the check bypassed the stack can no longer "
        f"manage the key ({DOCUMENT}).",
        resource.urn,
    )


def _validate_no_lockout(args: StackValidationArgs, report: ReportViolation) -> None:
    deployer_arns = _deployer_arns(args.get_config())
    undecided = Undecided()
    found = by_type(args.resources, (KEY, KEY_POLICY))
    for resource in found[KEY] + found[KEY_POLICY]:
        undecided.judge(resource, partial(_report_lockout, resource, deployer_arns, report))
    undecided.settle()


POLICIES = [
    stack_policy(
        name="kms-key-policy-no-lockout",
        summary=(
            "KMS key policies must let the account root or a configured deploy role call "
            f"kms:PutKeyPolicy, as KMS requires of the caller ({DOCUMENT})."
        ),
        validate=_validate_no_lockout,
        severity=Severity.HIGH,
        remediation_steps=(
            "Keep a statement in the key policy that allows kms:PutKeyPolicy (or kms:*) to "
            "arn:<partition>:iam::<account>:root, as KMS's default key policy does, or to the "
            "role that deploys the stack; list that role's ARN pattern in the policy's "
            "deployerArns config."
        ),
        config_schema=PolicyConfigSchema(
            properties={
                "deployerArns": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": (
                        "ARN patterns (fnmatch, '*' for any text) of the roles that deploy "
                        "stacks, e.g. arn:aws:iam::*:role/DeployRole."
                    ),
                }
            }
        ),
    ),
]
