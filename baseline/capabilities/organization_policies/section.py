"""The `organization_policies` section of the spec: service and resource control policies.

    organization_policies:
      enabled: true                        # absent: on in organization mode
      targets: [root]                      # root, its id r-xxxx, or OUs: where guardrails attach
      exempt_principals:                   # spared by every exemptible guardrail
        - arn:aws:iam::*:role/BreakGlass
      administrator_roles:                 # may still receive AdministratorAccess
        - arn:aws:iam::*:role/BreakGlass
      disabled_guardrails:                 # every guardrail is on unless listed, with a reason
        - {name: protect_macie, reason: Macie is not licensed in this organization}
      guardrail_targets:                   # a guardrail attached elsewhere than `targets`
        deny_root_user: [ou-ab12-34cd56ef]
      region_allow_list: false             # true: deny requests outside regions.enabled
      resource_control_policies:           # the data perimeter; off by default
        enabled: false
        targets: [ou-ab12-34cd56ef]        # absent: `targets`
        services: [s3, kms, sqs, secretsmanager]
        trusted_accounts: []               # accounts outside the organization let in
        require_tls: true

Organization mode only. The baseline's own roles are always exempt (see
grouping.py): its deploy roles and the StackSets execution role would
otherwise be refused what deploying the baseline takes. The guardrails and what each prevents:
baseline/capabilities/organization_policies/catalog.py and docs/organization-policies.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.organization_policies.catalog import GUARDRAILS, OPT_IN_GUARDRAILS
from baseline.capabilities.organization_policies.component import ROOT, TARGET
from baseline.capabilities.organization_policies.data_perimeter import SERVICES
from baseline.schema_rules import (
    ErrorCallback,
    matches,
    no_duplicates,
    not_blank,
    unique,
)

_PARTITION = r"arn:aws(?:-[a-z]+)*"
_NAME = r"[\w+=,.@/*?-]{1,512}"
# `aws:PrincipalArn` of a role session is the role's ARN: roles, users and account roots only.
PRINCIPAL_PATTERN = rf"{_PARTITION}:iam::(?:\d{{12}}|\*):(?:root|(?:role|user)/{_NAME})"
ROLE_PATTERN = rf"{_PARTITION}:iam::(?:\d{{12}}|\*):role/{_NAME}"

_TARGETS: dict[str, Any] = {
    "type": "list",
    "minlength": 1,
    "schema": {
        "type": "string",
        "check_with": matches(
            TARGET.pattern, "root, the root's id (r-xxxx) or an OU id (ou-xxxx-xxxxxxxx)"
        ),
    },
    "check_with": no_duplicates,
}


def _arn_list(pattern: str, description: str) -> dict[str, Any]:
    return {
        "type": "list",
        "default": [],
        "schema": {"type": "string", "check_with": matches(pattern, description)},
        "check_with": no_duplicates,
    }


def _switchable(field: Any, value: Any, error: ErrorCallback) -> None:
    if value in OPT_IN_GUARDRAILS:
        error(field, f"{value} is off unless switched on: set {value}: true to use it")
    elif isinstance(value, str) and value not in GUARDRAILS:
        error(
            field,
            f"must be one of {', '.join(g for g in GUARDRAILS if g not in OPT_IN_GUARDRAILS)}",
        )


_DISABLED = {
    "name": {"type": "string", "required": True, "check_with": _switchable},
    # Auditors read it: a guardrail is never switched off silently.
    "reason": {"type": "string", "required": True, "empty": False, "check_with": not_blank},
}

_RESOURCE_CONTROL_POLICIES = {
    "enabled": {"type": "boolean", "default": False},
    "targets": {**_TARGETS, "nullable": True, "default": None},
    "services": {
        "type": "list",
        "minlength": 1,
        "default": list(SERVICES),
        "schema": {"type": "string", "allowed": list(SERVICES)},
        "check_with": no_duplicates,
    },
    "trusted_accounts": {
        "type": "list",
        "default": [],
        "schema": {"type": "string", "check_with": matches(r"\d{12}", "a 12-digit account id")},
        "check_with": no_duplicates,
    },
    "require_tls": {"type": "boolean", "default": True},
}

SCHEMA: dict[str, Any] = {
    # None: on in organization mode, where it can be.
    "enabled": {"type": "boolean", "nullable": True, "default": None},
    "targets": {**_TARGETS, "default": [ROOT]},
    "exempt_principals": _arn_list(
        PRINCIPAL_PATTERN,
        "an IAM principal ARN pattern (arn:aws:iam::<account or *>:role/<name>, :user/<name> "
        "or :root; * and ? allowed)",
    ),
    "administrator_roles": _arn_list(
        ROLE_PATTERN, "an IAM role ARN pattern (arn:aws:iam::<account or *>:role/<name>)"
    ),
    "disabled_guardrails": {
        "type": "list",
        "default": [],
        "schema": {"type": "dict", "schema": _DISABLED},
        "check_with": unique("name", "disabled guardrails"),
    },
    "guardrail_targets": {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "allowed": list(GUARDRAILS)},
        "valuesrules": _TARGETS,
    },
    "region_allow_list": {"type": "boolean", "default": False},
    "resource_control_policies": {
        "type": "dict",
        "default": {},
        "schema": _RESOURCE_CONTROL_POLICIES,
    },
}

# The rules of the `organization_policies` key itself, at the root of the spec.
SECTION: dict[str, Any] = {"type": "dict", "default": {}, "schema": SCHEMA}


@dataclass(frozen=True)
class DisabledGuardrail:
    name: str
    reason: str


@dataclass(frozen=True)
class ResourceControlPoliciesSpec:
    enabled: bool
    # None: the section's targets.
    targets: tuple[str, ...] | None
    services: tuple[str, ...]
    trusted_accounts: tuple[str, ...]
    require_tls: bool


@dataclass(frozen=True)
class OrganizationPoliciesSpec:
    enabled: bool
    targets: tuple[str, ...]
    exempt_principals: tuple[str, ...]
    administrator_roles: tuple[str, ...]
    disabled_guardrails: tuple[DisabledGuardrail, ...]
    guardrail_targets: Mapping[str, tuple[str, ...]]
    region_allow_list: bool
    resource_control_policies: ResourceControlPoliciesSpec

    @property
    def guardrails(self) -> tuple[str, ...]:
        """The guardrails in force, in catalogue order."""
        off = {disabled.name for disabled in self.disabled_guardrails}
        opted_in = {"region_allow_list"} if self.region_allow_list else set()
        return tuple(
            name
            for name in GUARDRAILS
            if name not in off and (name not in OPT_IN_GUARDRAILS or name in opted_in)
        )

    def targets_of(self, guardrail: str) -> tuple[str, ...]:
        return self.guardrail_targets.get(guardrail, self.targets)

    @property
    def resource_control_targets(self) -> tuple[str, ...]:
        return self.resource_control_policies.targets or self.targets


def parse(document: Mapping[str, Any], organization: bool) -> OrganizationPoliciesSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass.

    `organization`: the spec has accounts, so the section is on unless it says otherwise.
    """
    rcp = document["resource_control_policies"]
    targets = rcp["targets"]
    enabled = document["enabled"]
    return OrganizationPoliciesSpec(
        enabled=organization if enabled is None else enabled,
        targets=tuple(document["targets"]),
        exempt_principals=tuple(document["exempt_principals"]),
        administrator_roles=tuple(document["administrator_roles"]),
        disabled_guardrails=tuple(
            DisabledGuardrail(item["name"], item["reason"])
            for item in document["disabled_guardrails"]
        ),
        guardrail_targets={
            name: tuple(found) for name, found in document["guardrail_targets"].items()
        },
        region_allow_list=document["region_allow_list"],
        resource_control_policies=ResourceControlPoliciesSpec(
            enabled=rcp["enabled"],
            targets=tuple(targets) if targets is not None else None,
            services=tuple(rcp["services"]),
            trusted_accounts=tuple(rcp["trusted_accounts"]),
            require_tls=rcp["require_tls"],
        ),
    )


def parse_in_spec(
    document: Mapping[str, Any], spec_document: Mapping[str, Any]
) -> OrganizationPoliciesSpec:
    """The section, on by default when the spec has accounts (an organization)."""
    return parse(document, organization=spec_document.get("accounts") is not None)
