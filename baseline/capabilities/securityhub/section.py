"""The `securityhub` section of the spec.

    securityhub:
      standards:
        - aws-foundational-security-best-practices/v/1.0.0
        - cis-aws-foundations-benchmark/v/3.0.0
      disabled_controls:
        - control_id: IAM.6
          reason: Root has no hardware MFA device; access to root is break-glass only.
      aggregation: {linking_mode: SPECIFIED_REGIONS, regions: [eu-west-1]}

A disabled control applies to every listed standard unless it names its own `standards`
(AWS rejects disabling a control in a standard that does not contain it).

In an organization, Security Hub uses central configuration: configuration policies govern the
accounts they target. Without `policies`, one policy made of `standards` and
`disabled_controls` targets the organization's root. A policy may also target OUs or accounts,
each with its own standards and disabled controls (defaulting to the section's); a target has
one policy at most, and an account takes the policy of its closest listed parent:

      policies:
        - name: baseline
          targets: [root]
        - name: sandbox
          targets: [ou-ab12-34cd56ef]
          standards: [aws-foundational-security-best-practices/v/1.0.0]
          disabled_controls: []

A policy disables a control in every standard, so in an organization a disabled control names
no `standards`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.capabilities.securityhub.component import (
    DEFAULT_STANDARDS,
    LINKING_MODES,
    STANDARDS,
    ConfigurationPolicy,
    DisabledControl,
)
from baseline.capabilities.securityhub.settings import (
    DEFAULT_POLICY_NAME,
    MAX_POLICY_DESCRIPTION,
    POLICY_NAME,
    POLICY_TARGET,
    ROOT_TARGET,
    policy_description,
)
from baseline.schema_rules import (
    ErrorCallback,
    aws_region,
    mappings,
    matches,
    nested_error,
    no_duplicates,
    not_blank,
    unique,
)


def _known_standard(field: Any, value: Any, error: ErrorCallback) -> None:
    if isinstance(value, str) and value not in STANDARDS:
        close = difflib.get_close_matches(value, STANDARDS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        error(field, f"unknown standard {value!r}{hint}; known: {', '.join(STANDARDS)}")


def _standards(default: list[str] | None) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "type": "list",
        "minlength": 1,
        "schema": {"type": "string", "check_with": _known_standard},
        "check_with": no_duplicates,
    }
    return rules | ({"default": default} if default is not None else {})


_CONTROL = {
    "control_id": {
        "type": "string",
        "required": True,
        "check_with": matches(r"[A-Za-z0-9]+\.\d+", "a security control id such as IAM.6"),
    },
    # Auditors read it: a control is never switched off silently.
    "reason": {"type": "string", "required": True, "empty": False, "check_with": not_blank},
}


def _disabled_controls(control: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "list",
        "schema": {"type": "dict", "schema": control},
        "check_with": unique("control_id", "disabled controls"),
    }


def _policy_target(field: Any, value: Any, error: ErrorCallback) -> None:
    if isinstance(value, str) and not POLICY_TARGET.fullmatch(value):
        hint = " (did you mean root?)" if value.lower() in ("root", "r") else ""
        what = f"{ROOT_TARGET}, an OU id (ou-xxxx-xxxxxxxx) or a 12-digit account id"
        error(field, f"must be {what}, got {value!r}{hint}")


_POLICY = {
    "name": {
        "type": "string",
        "required": True,
        "check_with": matches(POLICY_NAME.pattern, "1 to 128 letters, digits or - . ! * /"),
    },
    "description": {"type": "string", "default": "", "maxlength": MAX_POLICY_DESCRIPTION},
    # Absent: the section's standards and disabled controls.
    "standards": _standards(default=None),
    "disabled_controls": _disabled_controls(_CONTROL),
    "targets": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "string", "check_with": _policy_target},
        "check_with": no_duplicates,
    },
}


def _linked_regions(field: Any, value: Any, error: ErrorCallback) -> None:
    specified = value.get("linking_mode") == "SPECIFIED_REGIONS"
    if specified and not value.get("regions"):
        error(field, "regions: required when linking_mode is SPECIFIED_REGIONS")
    elif not specified and value.get("regions"):
        error(field, "regions: only with linking_mode SPECIFIED_REGIONS")


SCHEMA: dict[str, Any] = {
    "enabled": {"type": "boolean", "default": True},
    "standards": _standards(default=list(DEFAULT_STANDARDS)),
    "disabled_controls": _disabled_controls(
        {
            **_CONTROL,
            "standards": {
                "type": "list",
                "default": [],
                "schema": {"type": "string", "check_with": _known_standard},
                "check_with": no_duplicates,
            },
        }
    )
    | {"default": []},
    "aggregation": {
        "type": "dict",
        "default": {},
        "schema": {
            "linking_mode": {"type": "string", "allowed": LINKING_MODES, "default": "ALL_REGIONS"},
            "regions": {
                "type": "list",
                "default": [],
                "schema": {"type": "string", "check_with": aws_region},
                "check_with": no_duplicates,
            },
        },
        "check_with": _linked_regions,
    },
    "policies": {
        "type": "list",
        "minlength": 1,
        "schema": {"type": "dict", "schema": _POLICY},
        "check_with": unique("name", "policies"),
    },
}


def _section_consistent(field: Any, value: Any, error: ErrorCallback) -> None:
    _controls_in_subscribed_standards(field, value, error)
    _one_policy_per_target(field, value, error)
    _descriptions_fit(field, value, error)


def _controls_in_subscribed_standards(field: Any, value: Any, error: ErrorCallback) -> None:
    subscribed = value.get("standards") if isinstance(value.get("standards"), list) else []
    for index, control in mappings(value, "disabled_controls"):
        standards = control.get("standards")
        for position, standard in enumerate(standards if isinstance(standards, list) else []):
            if standard in STANDARDS and standard not in subscribed:
                path = (field, "disabled_controls", index, "standards", position)
                nested_error(error, path, f"{standard} is not one of securityhub.standards")


def _one_policy_per_target(field: Any, value: Any, error: ErrorCallback) -> None:
    owner: dict[str, str] = {}
    for index, policy in mappings(value, "policies"):
        targets = policy.get("targets")
        for position, target in enumerate(targets if isinstance(targets, list) else []):
            if isinstance(target, str) and target in owner:
                # An account or OU has one configuration policy at most (Security Hub user
                # guide, "How Security Hub configuration policies work").
                path = (field, "policies", index, "targets", position)
                nested_error(error, path, f"{target!r} is already a target of {owner[target]!r}")
            elif isinstance(target, str):
                owner[target] = str(policy.get("name"))


def _descriptions_fit(field: Any, value: Any, error: ErrorCallback) -> None:
    """A policy keeps its disabled controls' reasons in its description, which has a limit."""
    for index, policy in mappings(value, "policies"):
        controls = policy.get("disabled_controls")
        if not isinstance(controls, list):
            controls = value.get("disabled_controls")
        if _description_too_long(
            str(policy.get("name")), str(policy.get("description") or ""), controls
        ):
            nested_error(error, (field, "policies", index), _TOO_LONG)


_TOO_LONG = (
    f"the description and the disabled controls' reasons, which go into it, exceed the "
    f"{MAX_POLICY_DESCRIPTION} characters Security Hub keeps: shorten the reasons"
)


def _description_too_long(name: str, description: str, controls: Any) -> bool:
    disabled = tuple(
        DisabledControl(str(c.get("control_id")), str(c.get("reason")))
        for c in (controls if isinstance(controls, list) else [])
        if isinstance(c, Mapping)
    )
    return len(policy_description(name, description, disabled)) > MAX_POLICY_DESCRIPTION


# The rules of the `securityhub` key itself, at the root of the spec.
SECTION: dict[str, Any] = {
    "type": "dict",
    "default": {},
    "schema": SCHEMA,
    "check_with": _section_consistent,
}


@dataclass(frozen=True)
class SecurityHubSpec:
    enabled: bool
    standards: tuple[str, ...]
    disabled_controls: tuple[DisabledControl, ...]
    linking_mode: str
    linked_regions: tuple[str, ...]
    # Empty: the default policy (the section's standards and disabled controls, for the root).
    policies: tuple[ConfigurationPolicy, ...]


def parse(document: Mapping[str, Any]) -> SecurityHubSpec:
    """The section, validated and normalized by `SECTION`, as a dataclass."""
    standards = tuple(document["standards"])
    disabled = _controls(document["disabled_controls"])
    return SecurityHubSpec(
        enabled=document["enabled"],
        standards=standards,
        disabled_controls=disabled,
        linking_mode=document["aggregation"]["linking_mode"],
        linked_regions=tuple(document["aggregation"]["regions"]),
        policies=tuple(
            _policy(item, standards, disabled) for item in document.get("policies") or ()
        ),
    )


def _controls(items: list[Mapping[str, Any]]) -> tuple[DisabledControl, ...]:
    return tuple(
        DisabledControl(
            control_id=item["control_id"],
            reason=item["reason"].strip(),
            standards=tuple(item.get("standards", ())),
        )
        for item in items
    )


def _policy(
    item: Mapping[str, Any], standards: tuple[str, ...], disabled: tuple[DisabledControl, ...]
) -> ConfigurationPolicy:
    """A policy of the spec; what it leaves out comes from the section (all standards then)."""
    own_controls = item.get("disabled_controls")
    return ConfigurationPolicy(
        name=item["name"],
        description=item["description"],
        standards=tuple(item.get("standards") or standards),
        disabled_controls=(
            _controls(own_controls)
            if own_controls is not None
            else tuple(DisabledControl(c.control_id, c.reason) for c in disabled)
        ),
        targets=tuple(item["targets"]),
    )


def organization_problems(
    spec: SecurityHubSpec, *, organization: bool, home: str, regions: tuple[str, ...]
) -> list[tuple[str, str]]:
    """What central configuration (organization) or local configuration (one account) refuses,
    as (`baseline.securityhub.<path>`, what is wrong)."""
    where = "baseline.securityhub"
    if not organization:
        what = "needs an organization: configuration policies are central configuration"
        return [(f"{where}.policies", what)] if spec.policies else []
    problems = [
        (
            f"{where}.disabled_controls[{index}].standards",
            "a configuration policy disables a control in every standard: "
            "name no standards in an organization",
        )
        for index, control in enumerate(spec.disabled_controls)
        if control.standards
    ]
    if spec.linking_mode == "SPECIFIED_REGIONS":
        unlinked = [r for r in regions if r != home and r not in spec.linked_regions]
        if unlinked:
            what = f"must include {', '.join(unlinked)}: configuration policies apply only in "
            problems.append((f"{where}.aggregation.regions", what + "linked regions"))
    if not spec.policies and _description_too_long(
        DEFAULT_POLICY_NAME,
        "",
        [{"control_id": c.control_id, "reason": c.reason} for c in spec.disabled_controls],
    ):
        problems.append((f"{where}.disabled_controls", _TOO_LONG))
    return problems
