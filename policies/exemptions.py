"""Per-resource exemptions: one named policy waived for one resource, with a reason.

Exemptions live in the pack config, in the `policy-exemptions` policy's own settings, so that
the Pulumi CLI (and `baseline preview`) validates them against this policy's schema like any
other policy config, and a misspelt policy name is an error rather than a silent no-op:

    "policy-exemptions": {
      "exemptions": [
        {"policy": "s3-bucket-encryption-kms", "resource": "alb-access-logs",
         "reason": "ELB delivers access logs only to SSE-S3 buckets", "expires": "2026-06-30"}
      ]
    }

`resource` is the resource's Pulumi name, or its URN when it starts with `urn:`; either may
use fnmatch wildcards (`*`, `?`), but must name something: a pattern of wildcards alone would
turn the policy off for the whole stack. `expires` (optional, YYYY-MM-DD) ends the exemption
after that day.

An exempted policy reports nothing for the resource; `policy-exemptions` (advisory) reports
`exempted <policy>: <reason>` on each resource an exemption covers, so the output and SARIF
list every waiver. A config belongs with the security team (CODEOWNERS on the config file);
no tag can exempt a resource, or whoever writes the program could waive the pack for it.

The policy SDK hands each policy only its own config, so `policy-exemptions` runs first in
every Analyze call (it is the first policy of the pack) and shares the exemptions it was
configured with through this module with the policies that run after it, in that call and in
the AnalyzeStack call that follows every Analyze. Disabling `policy-exemptions` therefore
disables every exemption: the waived violations come back, never the reverse.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from frameworks import CONTROLS, RESOURCE_TYPES
from helpers import as_list, as_mapping, text
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

POLICY_NAME = "policy-exemptions"
EVERY_TYPE = "*"


@dataclass(frozen=True)
class Exemption:
    policy: str
    resource: str  # a Pulumi name or a URN (starting `urn:`), with fnmatch wildcards
    reason: str
    expires: datetime.date | None = None

    def covers(self, urn: str, today: datetime.date) -> bool:
        """Whether the exemption holds `today` for the resource `urn`."""
        if self.expires is not None and today > self.expires:
            return False
        subject = urn if self.resource.startswith("urn:") else resource_name(urn)
        return fnmatchcase(subject, self.resource)


def resource_name(urn: str) -> str:
    """The Pulumi name of a resource, the last part of its URN."""
    return urn.rsplit("::", 1)[-1]


def _expiry(value: Any) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:  # a day the schema's pattern lets through (02-30): already over
        return datetime.date.min


def parse(config: Mapping[str, Any]) -> tuple[Exemption, ...]:
    """The exemptions of a `policy-exemptions` config (already validated by its schema)."""
    return tuple(
        Exemption(
            policy=text(entry, "policy"),
            resource=text(entry, "resource"),
            reason=text(entry, "reason").strip(),
            expires=_expiry(entry.get("expires")),
        )
        for entry in (as_mapping(item) for item in as_list(config.get("exemptions")))
    )


_configured: tuple[Exemption, ...] = ()


def configure(exemptions: tuple[Exemption, ...]) -> None:
    """Make `exemptions` the ones every policy honours, until the next call."""
    global _configured  # noqa: PLW0603 the SDK gives policies no shared state but this module
    _configured = exemptions


def configured() -> tuple[Exemption, ...]:
    return _configured


def waiver(policy: str, urn: str) -> Exemption | None:
    """The configured exemption of `policy` that covers the resource `urn`, if any."""
    today = datetime.date.today()
    return next((e for e in _configured if e.policy == policy and e.covers(urn, today)), None)


def _evaluates(policy: str, resource_type: str) -> bool:
    types = RESOURCE_TYPES.get(policy, [])
    return EVERY_TYPE in types or resource_type in types


def _report_exemptions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    configure(parse(args.get_config()))
    if not _configured:
        return
    today = datetime.date.today()
    for exemption in _configured:
        # Only where the exempted policy could report: not on every child sharing the name.
        if _evaluates(exemption.policy, args.resource_type) and exemption.covers(args.urn, today):
            report(f"exempted {exemption.policy}: {exemption.reason}", None)


def exemptions_policy(exemptible: Iterable[str]) -> ResourceValidationPolicy:
    """The `policy-exemptions` policy, whose config may exempt resources from `exemptible`."""
    return ResourceValidationPolicy(
        framework=None,
        tags=[],
        name=POLICY_NAME,
        description=(
            "Lists each resource exempted from a policy of this pack, with the reason the pack "
            "config gives; the exempted policy reports nothing for that resource."
        ),
        validate=_report_exemptions,
        enforcement_level=EnforcementLevel.ADVISORY,
        severity=Severity.LOW,
        remediation_steps=(
            "Nothing to fix: review each exemption's reason and expiry in the pack config's "
            f'"{POLICY_NAME}" entry, and remove it once the resource complies. Keep this '
            'policy advisory when a config sets "all" to mandatory.'
        ),
        config_schema=PolicyConfigSchema(properties={"exemptions": _schema(exemptible)}),
    )


def _schema(exemptible: Iterable[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "default": [],
        "description": "Resources exempted from one policy each, with the reason.",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["policy", "resource", "reason"],
            "properties": {
                "policy": {"type": "string", "enum": sorted(exemptible)},
                "resource": {
                    "type": "string",
                    # At least one letter or digit: wildcards alone would match everything.
                    "pattern": "[A-Za-z0-9]",
                    "description": "The resource's Pulumi name, or its URN; fnmatch wildcards.",
                },
                "reason": {"type": "string", "pattern": "\\S"},
                "expires": {
                    "type": "string",
                    "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                    "description": "Last day the exemption holds (YYYY-MM-DD).",
                },
            },
        },
    }


# Every other policy of the pack may be exempted: the frameworks table names them all.
POLICIES = [exemptions_policy(name for name in CONTROLS if name != POLICY_NAME)]
