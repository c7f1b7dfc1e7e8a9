"""Tags: no personal data, card numbers or AWS credentials in tag values.

Tags are readable by anyone with read-only or billing access, copied into Cost Explorer and
AWS Config, and never encrypted; AWS asks that they hold no personally identifiable or
otherwise sensitive information (Tagging AWS Resources, "Best practices"). Messages name the
tag, never its value.

A provider's `default_tags` land on every taggable resource it creates, so they are checked
once, on the provider, rather than on each resource (whose own `tags` input lacks them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from helpers import as_list, as_mapping
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

AWS_PROVIDER = "pulumi:providers:aws"

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# 40 characters of base64; real secret keys always mix cases and digits, which leaves out
# 40-character hex digests such as git commit ids.
SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")
CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# Card networks' first digits (Mastercard 2-series, Amex/Diners 3, Visa 4, Mastercard 5,
# Discover/UnionPay 6): a Luhn-valid number starting otherwise is more likely an id or a time.
CARD_FIRST_DIGITS = frozenset("23456")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _looks_like_card(value: str) -> bool:
    for candidate in CARD_CANDIDATE.findall(value):
        digits = re.sub(r"[ -]", "", candidate)
        if 13 <= len(digits) <= 19 and digits[0] in CARD_FIRST_DIGITS and luhn_valid(digits):
            return True
    return False


def _looks_like_secret_key(value: str) -> bool:
    return any(
        re.search(r"[a-z]", m) and re.search(r"[A-Z]", m) and re.search(r"\d", m)
        for m in SECRET_KEY.findall(value)
    )


def sensitive_kinds(value: str) -> list[str]:
    """What sensitive data a tag value seems to hold."""
    checks = (
        ("an email address", EMAIL.search(value) is not None),
        ("a payment card number", _looks_like_card(value)),
        ("an AWS access key id", ACCESS_KEY_ID.search(value) is not None),
        ("an AWS secret access key", _looks_like_secret_key(value)),
    )
    return [kind for kind, found in checks if found]


def tag_values(tags: Any) -> Iterator[tuple[str, str]]:
    """(key, value) pairs of a tags map, or of a list of {key, value} items (Auto Scaling)."""
    if isinstance(tags, Mapping):
        for key in tags:
            yield str(key), str(tags[key])
        return
    for item in as_list(tags):
        tag = as_mapping(item)
        if "value" in tag:
            yield str(tag.get("key", "")), str(tag["value"])


def _validate_no_sensitive_data(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for key, value in tag_values(args.props.get("tags")):
        for kind in sensitive_kinds(value):
            report(f"tag '{key}' looks like it holds {kind}.", None)


def default_tags(props: Mapping[str, Any]) -> Any:
    """The `tags` of a provider's `defaultTags`, which the engine hands over as JSON text
    (the SDK serializes nested provider configuration); an object is read as it is."""
    value = props.get("defaultTags")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return as_mapping(value).get("tags")


def _validate_provider_default_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.resource_type != AWS_PROVIDER:
        return
    for key, value in tag_values(default_tags(args.props)):
        for kind in sensitive_kinds(value):
            report(
                f"default_tags tag '{key}' looks like it holds {kind}: the provider puts it on "
                "every resource it creates.",
                None,
            )


_REMEDIATION = (
    "Replace the value with a non-sensitive identifier (a team handle, a ticket id); keep "
    "contacts in a directory and credentials in Secrets Manager, and rotate any key that was "
    "exposed in a tag."
)


POLICIES = [
    resource_policy(
        name="tags-no-sensitive-data",
        summary="Tag values must not hold email addresses, card numbers or AWS credentials.",
        validate=_validate_no_sensitive_data,
        severity=Severity.MEDIUM,
        remediation_steps=_REMEDIATION,
    ),
    resource_policy(
        name="provider-default-tags-no-sensitive-data",
        summary=(
            "An AWS provider's default_tags must not hold email addresses, card numbers or AWS "
            "credentials: they are copied onto every resource the provider creates."
        ),
        validate=_validate_provider_default_tags,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "In aws.Provider(default_tags=aws.ProviderDefaultTagsArgs(tags=...)), or the "
            "aws:defaultTags stack config, use a team handle rather than an email address and "
            "no secret at all; rotate any key that was exposed in a tag."
        ),
    ),
]
