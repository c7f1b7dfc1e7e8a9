"""OrganizationPolicies: service and resource control policies, attached to the root or OUs.

Create it with the management account's provider (AWS Organizations creates and attaches
policies from the management account or a delegated administrator for policy management).

AWS's limits are checked before anything is planned, since AWS would only refuse them at
deployment (AWS Organizations user guide, "Quotas and service limits"):
- a policy document of either type holds at most 5,120 characters. Through the API the content
  is stored as sent and every character counts (only the console strips white space), so the
  content sent is the minified JSON, `json.dumps(..., separators=(",", ":"))`, ASCII (anything
  else escaped), and its `len` is what AWS counts; `chunk_statements` splits statements over as
  many policies as that takes, and refuses a statement that alone is too long;
- at most five policies of a type are attached directly to one root, OU or account, and AWS's
  default policy of the type (FullAWSAccess, RCPFullAWSAccess) is attached to each of them and
  counts: at most four of this component's per target and type;
- an RCP has no Allow statement (only AWS's RCPFullAWSAccess may allow: "RCP syntax") and each
  of its statements names `"Principal": "*"`.

    OrganizationPolicies("guardrails", OrganizationPoliciesArgs(
        policies=(OrganizationPolicy(
            name="deny-leaving", type=SERVICE_CONTROL_POLICY, description="...",
            content=policy_content([statement]), targets=("ou-ab12-cdefgh34",),
        ),),
    ), opts=pulumi.ResourceOptions(provider=management))
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

SERVICE_CONTROL_POLICY = "SERVICE_CONTROL_POLICY"
RESOURCE_CONTROL_POLICY = "RESOURCE_CONTROL_POLICY"
# AWS's own policy of each type, attached to the root, every OU and every account.
DEFAULT_POLICIES = {
    SERVICE_CONTROL_POLICY: "FullAWSAccess",
    RESOURCE_CONTROL_POLICY: "RCPFullAWSAccess",
}
MAX_POLICY_CHARACTERS = 5120
MAX_POLICIES_PER_TARGET = 5
MAX_NAME_CHARACTERS = 128
MAX_DESCRIPTION_CHARACTERS = 512
POLICY_VERSION = "2012-10-17"
# A target: the organization's root by name ("root", resolved by `root_id`) or id, or an OU.
ROOT = "root"
TARGET = re.compile(r"root|r-[a-z0-9]{4,32}|ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}")


def minified(document: Mapping[str, Any]) -> str:
    """The document as sent to AWS: no white space outside strings, ASCII only."""
    return json.dumps(document, separators=(",", ":"))


def policy_content(statements: Sequence[Mapping[str, Any]]) -> str:
    return minified({"Version": POLICY_VERSION, "Statement": list(statements)})


@dataclass(frozen=True)
class OrganizationPolicy:
    """One policy: its name (in AWS and in the program), type, content and where it attaches."""

    name: str
    type: str
    description: str
    content: str
    targets: tuple[str, ...]

    @property
    def characters(self) -> int:
        return len(self.content)

    @property
    def statements(self) -> list[Mapping[str, Any]]:
        statements = json.loads(self.content)["Statement"]
        return statements if isinstance(statements, list) else [statements]


class PolicyLimitError(ValueError):
    """Statements that no packing can fit in AWS's limits."""


def chunk_statements(statements: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """`statements`, in order, in as few policies as fit in 5,120 characters each.

    PolicyLimitError for a statement too long on its own.
    """
    chunks: list[list[Mapping[str, Any]]] = []
    for statement in statements:
        alone = len(policy_content([statement]))
        if alone > MAX_POLICY_CHARACTERS:
            raise PolicyLimitError(
                f"statement {statement.get('Sid', '')} alone makes a policy of {alone} "
                f"characters, over AWS's {MAX_POLICY_CHARACTERS}"
            )
        if chunks and len(policy_content([*chunks[-1], statement])) <= MAX_POLICY_CHARACTERS:
            chunks[-1].append(statement)
        else:
            chunks.append([statement])
    return chunks


def target_key(target: str) -> str:
    """The organization has one root: `root` and its `r-` id are the same attachment point."""
    return ROOT if target == ROOT or target.startswith("r-") else target


def attachment_counts(policies: Iterable[OrganizationPolicy]) -> Counter[tuple[str, str]]:
    """How many of `policies` attach directly to each (policy type, target)."""
    return Counter(
        (policy.type, key)
        for policy in policies
        for key in {target_key(target) for target in policy.targets}
    )


def limit_problems(policies: Sequence[OrganizationPolicy]) -> list[str]:
    """What AWS would refuse of `policies`, one sentence each."""
    problems = [problem for policy in policies for problem in _policy_problems(policy)]
    names = Counter(policy.name for policy in policies)
    problems += [f"{name}: two policies have this name" for name, n in names.items() if n > 1]
    allowed = MAX_POLICIES_PER_TARGET - 1
    for (policy_type, target), count in sorted(attachment_counts(policies).items()):
        if count > allowed:
            problems.append(
                f"{target}: {count} policies of type {policy_type} attached, but AWS attaches at "
                f"most {MAX_POLICIES_PER_TARGET} to a target, {DEFAULT_POLICIES[policy_type]} "
                f"included: at most {allowed} here"
            )
    return problems


def _policy_problems(policy: OrganizationPolicy) -> list[str]:
    problems = []
    where = policy.name
    if policy.type not in DEFAULT_POLICIES:
        problems.append(f"{where}: type {policy.type!r} is neither an SCP nor an RCP")
    if not 1 <= len(policy.name) <= MAX_NAME_CHARACTERS:
        problems.append(f"{where}: a name has 1 to {MAX_NAME_CHARACTERS} characters")
    if len(policy.description) > MAX_DESCRIPTION_CHARACTERS:
        problems.append(
            f"{where}: a description has at most {MAX_DESCRIPTION_CHARACTERS} characters"
        )
    if policy.characters > MAX_POLICY_CHARACTERS:
        problems.append(
            f"{where}: {policy.characters} characters, over AWS's {MAX_POLICY_CHARACTERS}"
        )
    if not policy.targets:
        problems.append(f"{where}: attached nowhere")
    problems += [
        f"{where}: {t!r} is no root or OU" for t in policy.targets if not TARGET.fullmatch(t)
    ]
    if policy.type == RESOURCE_CONTROL_POLICY:
        for statement in policy.statements:
            sid = statement.get("Sid", "a statement")
            if statement.get("Effect") != "Deny":
                problems.append(f"{where}: {sid} is not Deny; an RCP may not allow")
            if statement.get("Principal") != "*":
                problems.append(f'{where}: {sid} must name "Principal": "*"')
    return problems


@dataclass(frozen=True)
class OrganizationPoliciesArgs:
    policies: tuple[OrganizationPolicy, ...]
    # The organization's root id, for targets named "root"; None: none may be.
    root_id: pulumi.Input[str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = limit_problems(self.policies)
        if self.root_id is None and any(ROOT in p.targets for p in self.policies):
            problems.append("a policy targets the root by name, and no root_id is given")
        if problems:
            raise ValueError("OrganizationPoliciesArgs: " + "; ".join(problems))


class OrganizationPolicies(pulumi.ComponentResource):
    """Each policy, and one attachment per policy and target."""

    policies: dict[str, aws.organizations.Policy]
    attachments: dict[tuple[str, str], aws.organizations.PolicyAttachment]

    def __init__(
        self, name: str, args: OrganizationPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(
            "security-baseline:organization_policies:OrganizationPolicies", name, None, opts
        )
        child = pulumi.ResourceOptions(parent=self)
        self.policies = {}
        self.attachments = {}
        for policy in args.policies:
            created = aws.organizations.Policy(
                policy.name,
                name=policy.name,
                type=policy.type,
                description=policy.description,
                content=policy.content,
                tags=dict(args.tags) or None,
                opts=child,
            )
            self.policies[policy.name] = created
            for target in policy.targets:
                target_id = args.root_id if target == ROOT else target
                self.attachments[(policy.name, target)] = aws.organizations.PolicyAttachment(
                    f"{policy.name}-{target}",
                    policy_id=created.id,
                    target_id=target_id,
                    opts=child,
                )
        self.register_outputs({"policy_ids": {n: p.id for n, p in self.policies.items()}})
