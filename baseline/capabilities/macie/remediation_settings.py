"""What Macie remediation is made of: its functions, the findings it acts on, its arguments.

The arguments are checked when they are made, so that a component never deploys a workflow
that could not run: unknown finding types, a bucket pattern that matches every bucket, Slack
without approvers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from components.kms import MAX_DELETION_WINDOW_DAYS

FUNCTION_DIR = Path(__file__).parent / "functions" / "macie_remediation"
FINDING_TYPE_PREFIX = "SensitiveData:S3Object/"
FINDING_TYPES = tuple(
    FINDING_TYPE_PREFIX + kind
    for kind in ("Credentials", "CustomIdentifier", "Financial", "Multiple", "Personal")
)
RESPONSES = ("AUTO", "REVIEW")
# Leaked credentials are usable at once: move them without waiting for a person.
DEFAULT_ACTIONS: Mapping[str, str] = {
    kind: "AUTO" if kind.endswith("/Credentials") else "REVIEW" for kind in FINDING_TYPES
}
SEVERITIES = ("LOW", "MEDIUM", "HIGH")
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A pattern starts with a literal character, so that it cannot match every bucket.
BUCKET_PATTERN = re.compile(r"[a-z0-9][a-z0-9.*?-]{0,62}")
KMS_KEY_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/"
    r"(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
)


@dataclass(frozen=True)
class FunctionSettings:
    """One of the three functions: what it is called, which handler it runs, its limits."""

    kind: str
    handler: str
    description: str
    timeout: int
    memory_size: int


FINDING_HANDLER = FunctionSettings(
    "finding-handler",
    "finding_handler.handler",
    "Routes Macie sensitive-data findings to quarantine or to a review",
    timeout=60,
    memory_size=256,
)
APPROVAL_HANDLER = FunctionSettings(
    "approval-handler",
    "approval_handler.handler",
    "Verifies Slack approvals of quarantines and starts the remediator",
    timeout=20,
    memory_size=256,
)
# Objects up to 5 TB are copied part by part and their checksums verified: give it all it can.
REMEDIATOR = FunctionSettings(
    "remediator",
    "remediator.handler",
    "Moves the S3 object version a Macie finding names into quarantine",
    timeout=900,
    memory_size=1024,
)


def sensitive_data_pattern() -> dict[str, Any]:
    """Macie findings of sensitive data in S3 objects, the only findings remediation moves."""
    return {
        "source": ["aws.macie"],
        "detail-type": ["Macie Finding"],
        "detail": {"type": [{"prefix": FINDING_TYPE_PREFIX}]},
    }


def _invalid_names(args: MacieRemediationArgs) -> list[str]:
    return [
        *(
            f"{name!r} is not a bucket name"
            for name in args.source_bucket_names
            if not BUCKET_NAME.fullmatch(name)
        ),
        *(
            f"{pattern!r} is not a bucket name pattern starting with a letter or digit"
            for pattern in args.source_bucket_patterns
            if not BUCKET_PATTERN.fullmatch(pattern)
        ),
        *(
            f"{user!r} is not a Slack user id (U... or W...)"
            for user in args.approvers
            if not SLACK_USER_ID.fullmatch(user)
        ),
        *(
            f"{key!r} is not a KMS key ARN"
            for key in args.source_key_arns
            if isinstance(key, str) and not KMS_KEY_ARN.fullmatch(key)
        ),
    ]


@dataclass(frozen=True)
class MacieRemediationArgs:
    """Arguments of MacieRemediation; the defaults are the cautious choice.

    `actions` overrides `DEFAULT_ACTIONS` per finding type. `remediator_role_arn` is the role
    the quarantine bucket admits (it must be in this account). `source_key_arns`: KMS keys the
    remediator may decrypt source objects with (none by default: list the keys of SSE-KMS
    sources). Slack is on when both `slack_webhook_url` and `slack_signing_secret` are given
    (Pulumi secrets); then `approvers` lists the Slack user ids who may approve. Without
    Slack, reviews go to `notify_topic_arn` and no HTTP API is made.
    """

    quarantine_bucket_name: pulumi.Input[str]
    quarantine_bucket_arn: pulumi.Input[str]
    quarantine_key_arn: pulumi.Input[str]
    remediator_role_arn: pulumi.Input[str]
    notify_topic_arn: pulumi.Input[str]
    alert_topic_arn: pulumi.Input[str]
    topic_key_arns: tuple[pulumi.Input[str], ...] = ()
    actions: Mapping[str, str] = field(default_factory=dict)
    min_severity: str = "LOW"
    approvers: tuple[str, ...] = ()
    source_bucket_names: tuple[str, ...] = ()
    source_bucket_patterns: tuple[str, ...] = ()
    source_key_arns: tuple[pulumi.Input[str], ...] = ()
    slack_webhook_url: pulumi.Input[str] | None = None
    slack_signing_secret: pulumi.Input[str] | None = None
    slack_channel: str | None = None
    # One remediation at a time: two approvals of one finding racing would otherwise each copy
    # the object (each later run reuses the verified copy). None: the account's pool. Lambda
    # refuses any reservation that leaves under 10 unreserved (Lambda developer guide, "Lambda
    # quotas"), which only new accounts with the default quota of 10 hit.
    remediator_reserved_concurrency: int | None = 1
    max_retry_attempts: int = 2
    # Who may read (decrypt) the dead letters.
    key_user_arns: tuple[pulumi.Input[str], ...] = ()
    key_administrator_arns: tuple[pulumi.Input[str], ...] = ()
    key_deployer_arns: tuple[pulumi.Input[str], ...] = ()
    key_deletion_window_in_days: int = MAX_DELETION_WINDOW_DAYS
    log_retention_days: int = 365
    region: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.actions) - set(FINDING_TYPES))
        if unknown:
            raise ValueError(f"actions: unknown finding types {unknown}")
        if any(response not in RESPONSES for response in self.actions.values()):
            raise ValueError("actions: each finding type takes AUTO or REVIEW")
        if self.min_severity not in SEVERITIES:
            raise ValueError(f"min_severity must be one of {', '.join(SEVERITIES)}")
        if not (self.source_bucket_names or self.source_bucket_patterns):
            raise ValueError("name source buckets or bucket patterns the remediator may act in")
        problems = _invalid_names(self)
        if problems:
            raise ValueError("; ".join(problems))
        if (self.slack_webhook_url is None) != (self.slack_signing_secret is None):
            raise ValueError("Slack needs both slack_webhook_url and slack_signing_secret")
        if self.slack and not self.approvers:
            raise ValueError("with Slack, list the approvers who may approve a quarantine")
        if not 0 <= self.max_retry_attempts <= 2:
            raise ValueError("max_retry_attempts must be 0 to 2, as Lambda allows")

    @property
    def slack(self) -> bool:
        return self.slack_webhook_url is not None

    @property
    def effective_actions(self) -> dict[str, str]:
        return {**DEFAULT_ACTIONS, **self.actions}

    @property
    def source_buckets(self) -> tuple[str, ...]:
        return (*self.source_bucket_names, *self.source_bucket_patterns)
