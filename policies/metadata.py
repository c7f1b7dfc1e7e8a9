"""Policy constructors that attach the compliance mapping of `frameworks.py` to every policy,
and make every policy honour the pack config's per-resource exemptions (`exemptions.py`)."""

from __future__ import annotations

from typing import Any

import exemptions
from frameworks import CONTROLS, FRAMEWORKS, RESOURCE_TYPES
from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidation,
    StackValidationArgs,
    StackValidationPolicy,
)


def _mapped(policy_name: str) -> list[tuple[str, list[str]]]:
    controls = CONTROLS[policy_name]
    return [(key, controls[key]) for key in FRAMEWORKS if controls.get(key)]


def compliance_framework(policy_name: str) -> PolicyComplianceFramework | None:
    """The SDK holds one framework per policy: the first that maps it (CIS, then PCI, then NIST).

    None for a reminder, which evaluates no control (see `frameworks.py`).
    """
    mapped = _mapped(policy_name)
    if not mapped:
        return None
    key, controls = mapped[0]
    framework = FRAMEWORKS[key]
    return PolicyComplianceFramework(
        name=framework["name"],
        version=framework["version"],
        reference=", ".join(controls),
        specification=framework["specification"],
    )


def compliance_tags(policy_name: str) -> list[str]:
    """Every mapped control as `<framework tag>:<control>`, e.g. `pci-dss-v4.0:10.3.2`."""
    return [
        f"{FRAMEWORKS[key]['tag']}:{control}"
        for key, controls in _mapped(policy_name)
        for control in controls
    ]


def described(policy_name: str, summary: str) -> str:
    """The summary followed by the controls, e.g. `... (CIS 3.2; PCI DSS 10.3.2; NIST AU-9)`."""
    refs = "; ".join(
        f"{FRAMEWORKS[key]['short']} {', '.join(controls)}"
        for key, controls in _mapped(policy_name)
    )
    return f"{summary} ({refs})" if refs else summary


def _exemptible_resource_validation(name: str, validate: ResourceValidation) -> ResourceValidation:
    """`validate`, skipped for a resource that the pack config exempts from policy `name`."""

    def validate_unless_exempt(args: ResourceValidationArgs, report: ReportViolation) -> Any:
        if exemptions.configured() and exemptions.waiver(name, args.urn) is not None:
            return None
        return validate(args, report)

    return validate_unless_exempt


def _exemptible_stack_validation(name: str, validate: StackValidation) -> StackValidation:
    """`validate`, its violations on resources exempted from policy `name` left out."""

    def validate_unless_exempt(args: StackValidationArgs, report: ReportViolation) -> Any:
        if not exemptions.configured():
            return validate(args, report)

        def report_unless_exempt(message: str, urn: str | None = None) -> None:
            if urn is None or exemptions.waiver(name, urn) is None:
                report(message, urn)

        return validate(args, report_unless_exempt)

    return validate_unless_exempt


class TypedResourcePolicy(ResourceValidationPolicy):
    """A resource policy that evaluates only the resource types `RESOURCE_TYPES` names for it.

    Its validation returns at once for any other type, so the pack's analyzer
    (shared_decoding.py) skips it for those before any work; `resource_types` is None for a
    policy of every type.
    """

    def __init__(self, *, name: str, validate: ResourceValidation, **kwargs: Any) -> None:
        declared = RESOURCE_TYPES[name]
        self.resource_types = None if exemptions.EVERY_TYPE in declared else frozenset(declared)
        super().__init__(name=name, validate=_only_for(self.resource_types, validate), **kwargs)


def _only_for(types: frozenset[str] | None, validate: ResourceValidation) -> ResourceValidation:
    if types is None:
        return validate

    def validate_declared_types(args: ResourceValidationArgs, report: ReportViolation) -> Any:
        return validate(args, report) if args.resource_type in types else None

    return validate_declared_types


def resource_policy(
    *,
    name: str,
    summary: str,
    validate: ResourceValidation,
    severity: Severity,
    remediation_steps: str,
    config_schema: PolicyConfigSchema | None = None,
    enforcement_level: EnforcementLevel | None = None,
) -> ResourceValidationPolicy:
    return TypedResourcePolicy(
        name=name,
        description=described(name, summary),
        validate=_exemptible_resource_validation(name, validate),
        enforcement_level=enforcement_level,
        config_schema=config_schema,
        severity=severity,
        framework=compliance_framework(name),
        tags=compliance_tags(name),
        remediation_steps=remediation_steps,
    )


def stack_policy(
    *,
    name: str,
    summary: str,
    validate: StackValidation,
    severity: Severity,
    remediation_steps: str,
    config_schema: PolicyConfigSchema | None = None,
    enforcement_level: EnforcementLevel | None = None,
) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=name,
        description=described(name, summary),
        validate=_exemptible_stack_validation(name, validate),
        enforcement_level=enforcement_level,
        config_schema=config_schema,
        severity=severity,
        framework=compliance_framework(name),
        tags=compliance_tags(name),
        remediation_steps=remediation_steps,
    )
