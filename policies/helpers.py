"""Reading engine properties the way the policy SDK hands them over.

Properties arrive as the SDK's read-only proxies (`Mapping` / `Sequence`, not `dict` / `list`)
whose reads raise the SDK's `UnknownValueError` when a value is unknown during preview. The SDK
turns that exception into its advisory "can't run policy ... during preview", so these helpers
let it propagate: an unknown value is neither a pass nor a failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def python_name(engine_path: str) -> str:
    """An engine property (or path) as a pulumi-aws Python user writes it, for messages:
    `enableKeyRotation` -> `enable_key_rotation`, `inlinePolicies[0].policy` ->
    `inline_policies[0].policy`. Code reads engine names; messages speak the user's."""
    return _WORD_START.sub("_", engine_path).lower()


def python_type(type_token: str) -> str:
    """A pulumi-aws type token as the Python class users write: `aws:cfg/recorder:Recorder` ->
    `aws.cfg.Recorder` (`lambda` is `lambda_` in Python, a keyword otherwise)."""
    package, module, name = [*type_token.split(":"), "", ""][:3]
    module = module.split("/", 1)[0]
    module = f"{module}_" if module == "lambda" else module
    return f"{package}.{module}.{name}" if module and name else type_token


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """A list property; a lone object counts as a one-element list (single nested blocks)."""
    if isinstance(value, Mapping):
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return []


def flag(props: Mapping[str, Any], key: str, default: bool) -> bool:
    """A boolean property, with the provider's default when it is absent."""
    value = props.get(key)
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def number(props: Mapping[str, Any], key: str, default: float) -> float:
    """A numeric property; the engine sends every number as a double."""
    value = props.get(key)
    return default if value is None else float(value)


def text(props: Mapping[str, Any], key: str, default: str = "") -> str:
    value = props.get(key)
    return default if value is None else str(value)


def names_a_value(props: Mapping[str, Any], key: str) -> bool:
    """True when `key` holds a non-empty value or one that is only known after deployment.

    Used only where the check is *whether* something is referenced (a KMS key for a trail),
    not what it is: during preview a key ARN is an unknown output of the key resource, and
    that reference is certain even though its value is not.
    """
    try:
        value = props.get(key)
    except UnknownValueError:
        return True
    return value not in (None, "")


Validator = Callable[[ResourceValidationArgs, ReportViolation], None]


def requires_flag(resource_type: str, key: str, *, default: bool, consequence: str) -> Validator:
    """Reports "<key> is not true: <consequence>." when the boolean `key` of a `resource_type`
    is not true (`default` when unset), naming `key` as Python code writes it."""
    message = f"{python_name(key)} {'is false' if default else 'is not true'}: {consequence}."

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == resource_type and not flag(args.props, key, default):
            report(message, None)

    return validate


def requires_value(resource_type: str, key: str, consequence: str) -> Validator:
    """Reports "<key> is not set: <consequence>." when a `resource_type` leaves `key` unset
    (see `names_a_value`)."""
    message = f"{python_name(key)} is not set: {consequence}."

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == resource_type and not names_a_value(args.props, key):
            report(message, None)

    return validate


def to_plain(value: Any) -> Any:
    """A deep copy made of dicts and lists (reading every value, so unknowns raise)."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(value[k]) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [to_plain(item) for item in value]
    return value


def of_types(resources: Iterable[PolicyResource], types: frozenset[str]) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def referenced(
    setting: PolicyResource,
    prop: str,
    targets: Sequence[PolicyResource],
    target_value_props: Sequence[str],
) -> PolicyResource | None:
    """The target that `setting.<prop>` points at (a bucket for its encryption resource).

    The engine's property dependencies say it even when the target's id is unknown during
    preview; without them, fall back to comparing the property's value with the target's
    identifying outputs (a bucket's `bucket` or `id`).
    """
    target_urns = {t.urn for t in targets}
    for dependency in setting.property_dependencies.get(prop, []):
        if dependency.urn in target_urns:
            return next(t for t in targets if t.urn == dependency.urn)
    value = setting.props.get(prop)
    if value in (None, ""):
        return None
    return next((t for t in targets if _identified_by(t, value, target_value_props)), None)


def _identified_by(target: PolicyResource, value: Any, value_props: Sequence[str]) -> bool:
    return any(target.props.get(p) == value for p in value_props)


def group_by_reference(
    settings: Iterable[PolicyResource],
    prop: str,
    targets: Sequence[PolicyResource],
    target_value_props: Sequence[str],
) -> dict[str, list[PolicyResource]]:
    """Settings resources grouped by the URN of the target each one configures."""
    grouped: dict[str, list[PolicyResource]] = {t.urn: [] for t in targets}
    for setting in settings:
        target = referenced(setting, prop, targets, target_value_props)
        if target is not None:
            grouped[target.urn].append(setting)
    return grouped


def label(resource: PolicyResource) -> str:
    """How messages name a resource: its Pulumi name, which the user chose."""
    return f"'{resource.name}'"
