"""The declarative spec: the stack config key `security-baseline:baseline`, typed.

`load_spec` reads it from `Pulumi.<stack>.yaml` (for `baseline validate`);
`spec_from_pulumi_config` reads it inside a running Pulumi program. Both validate it against
`baseline.schema` and return frozen dataclasses with every default applied, or raise
`SpecError` with every problem found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pulumi

from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file
from baseline.schema import (
    SEVERITIES,
    region_problem,
    validate,
)
from baseline.secret import Secret, secret
from baseline.sections import (
    alerts,
    firewall_manager,
    guardduty,
    guardrails,
    macie,
    scanner_findings,
    securityhub,
)
from baseline.sections import config as config_section
from baseline.sections.alerts import AlertsSpec
from baseline.sections.config import ConfigSpec
from baseline.sections.firewall_manager import FirewallManagerSpec
from baseline.sections.guardduty import GuardDutySpec
from baseline.sections.guardrails import GuardrailsSpec
from baseline.sections.macie import MacieSpec
from baseline.sections.scanner_findings import ScannerFindingsSpec
from baseline.sections.securityhub import SecurityHubSpec

CONFIG_KEY = "security-baseline:baseline"


@dataclass(frozen=True)
class Account:
    id: str
    role_name: str


@dataclass(frozen=True)
class Accounts:
    organization_id: str
    management: Account
    security: Account
    log_archive: Account


@dataclass(frozen=True)
class Regions:
    home: str
    enabled: tuple[str, ...]


@dataclass(frozen=True)
class KmsSpec:
    deletion_window_days: int
    administrators: tuple[str, ...]
    users: tuple[str, ...]


@dataclass(frozen=True)
class CloudWatchLogsSpec:
    enabled: bool
    retention_days: int


@dataclass(frozen=True)
class CloudTrailSpec:
    enabled: bool
    name: str
    cloudwatch_logs: CloudWatchLogsSpec


@dataclass(frozen=True)
class LogArchiveSpec:
    retention_days: int
    glacier_transition_days: int
    access_logging: bool


@dataclass(frozen=True)
class ObjectLockSpec:
    enabled: bool
    mode: Literal["GOVERNANCE", "COMPLIANCE"]
    days: int


@dataclass(frozen=True)
class QuarantineSpec:
    remediation_role_arn: str | None
    security_admin_role_arn: str | None
    object_lock: ObjectLockSpec


@dataclass(frozen=True)
class TopicSpec:
    emails: tuple[str, ...]
    https_endpoints: tuple[Secret, ...]


@dataclass(frozen=True)
class NotificationsSpec:
    min_severity: str
    topics: Mapping[str, TopicSpec]

    @property
    def severities(self) -> tuple[str, ...]:
        """The finding severities to notify about: min_severity and above."""
        return SEVERITIES[SEVERITIES.index(self.min_severity) :]


@dataclass(frozen=True)
class Spec:
    accounts: Accounts | None
    regions: Regions
    tags: Mapping[str, str]
    kms: KmsSpec
    cloudtrail: CloudTrailSpec
    log_archive: LogArchiveSpec
    quarantine: QuarantineSpec
    notifications: NotificationsSpec
    guardduty: GuardDutySpec
    securityhub: SecurityHubSpec
    macie: MacieSpec
    config: ConfigSpec
    alerts: AlertsSpec
    firewall_manager: FirewallManagerSpec
    guardrails: GuardrailsSpec
    scanner_findings: ScannerFindingsSpec

    @property
    def organization_mode(self) -> bool:
        return self.accounts is not None


def parse_spec(
    document: object, *, aws_region: str | None = None, secrets_decrypted: bool = False
) -> Spec:
    """Validate and normalize the value of `security-baseline:baseline`.

    `secrets_decrypted`: False for a stack file, where secret fields must be
    `{secure: <ciphertext>}`; True inside a Pulumi program, which sees them decrypted.
    """
    problems = []
    if aws_region is not None and (region_error := region_problem(aws_region)):
        problems.append(Problem("aws:region", region_error))
        aws_region = None
    if not isinstance(document, Mapping):
        problems.append(Problem("baseline", "must be a mapping of sections to settings"))
        raise SpecError(problems)
    normalized, found = validate(
        document, aws_region=aws_region, secrets_decrypted=secrets_decrypted
    )
    problems.extend(Problem(where, what) for where, what in found)
    if problems:
        raise SpecError(problems)
    spec = _build_spec(normalized)
    problems.extend(_cross_section_problems(spec))
    if problems:
        raise SpecError(problems)
    return spec


def _cross_section_problems(spec: Spec) -> list[Problem]:
    """Sections that name each other: each name must exist where it points."""
    problems = []
    topics = spec.notifications.topics
    named_topics = {
        f"baseline.alerts.topics.{role}": getattr(spec.alerts.topics, role)
        for role in ("findings", "tamper", "pipeline", "ddos")
    }
    if spec.firewall_manager.enabled:
        named_topics["baseline.firewall_manager.notification_topic"] = (
            spec.firewall_manager.notification_topic
        )
        if spec.accounts is None:
            what = "needs an organization: Firewall Manager has no single-account mode"
            problems.append(Problem("baseline.firewall_manager.enabled", what))
    if spec.guardrails.enabled and spec.accounts is None:
        what = "needs an organization: StackSets deploy to organizational units"
        problems.append(Problem("baseline.guardrails.enabled", what))
    for index, region in enumerate(spec.guardrails.regions or ()):
        if region not in spec.regions.enabled:
            what = f"{region} is not one of regions.enabled"
            problems.append(Problem(f"baseline.guardrails.regions[{index}]", what))
    for where, topic in named_topics.items():
        if topic not in topics:
            problems.append(Problem(where, f"{topic!r} is not one of notifications.topics"))
    return problems


def spec_from_stack_file(stack_file: StackFile) -> Spec:
    """The spec of a stack file; its absence means every default."""
    try:
        return parse_spec(
            stack_file.config.get(CONFIG_KEY, {}),
            aws_region=stack_file.config.get("aws:region"),
            secrets_decrypted=False,
        )
    except SpecError as error:
        raise SpecError(_in_file(p, stack_file.path.name) for p in error.problems) from None


def load_spec(project_dir: Path, stack: str) -> Spec:
    return spec_from_stack_file(load_stack_file(project_dir, stack))


def spec_from_pulumi_config() -> Spec:
    """The spec of the running Pulumi program's stack, as the engine decrypted it."""
    try:
        document = pulumi.Config("security-baseline").get_object("baseline", {})
    except pulumi.ConfigTypeError:
        raise SpecError([Problem("baseline", "is not a JSON object")]) from None
    spec = parse_spec(
        document, aws_region=pulumi.Config("aws").get("region"), secrets_decrypted=True
    )
    if _holds_secret(spec) and not pulumi.runtime.is_config_secret(CONFIG_KEY):
        what = "holds secret values, but the config key is not a Pulumi secret: set them with "
        what += "pulumi config set --secret --path"
        raise SpecError([Problem("baseline", what)])
    return spec


def _in_file(problem: Problem, file_name: str) -> Problem:
    if problem.where.startswith("baseline"):
        return problem
    return Problem(file_name, f"{problem.where}: {problem.what}")


def _holds_secret(value: object) -> bool:
    if isinstance(value, Secret):
        return True
    if is_dataclass(value):
        return any(_holds_secret(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, Mapping):
        return any(_holds_secret(v) for v in value.values())
    return isinstance(value, tuple) and any(_holds_secret(v) for v in value)


def _build_spec(document: Mapping[str, Any]) -> Spec:
    cloudtrail = document["cloudtrail"]
    quarantine = document["quarantine"]
    notifications = document["notifications"]
    default_topic = next(iter(notifications["topics"]))
    return Spec(
        accounts=_accounts(document.get("accounts")),
        regions=Regions(document["regions"]["home"], tuple(document["regions"]["enabled"])),
        tags=MappingProxyType(dict(document["tags"])),
        kms=KmsSpec(
            deletion_window_days=document["kms"]["deletion_window_days"],
            administrators=tuple(document["kms"]["administrators"]),
            users=tuple(document["kms"]["users"]),
        ),
        cloudtrail=CloudTrailSpec(
            enabled=cloudtrail["enabled"],
            name=cloudtrail["name"],
            cloudwatch_logs=CloudWatchLogsSpec(**cloudtrail["cloudwatch_logs"]),
        ),
        log_archive=LogArchiveSpec(**document["log_archive"]),
        quarantine=QuarantineSpec(
            remediation_role_arn=quarantine.get("remediation_role_arn"),
            security_admin_role_arn=quarantine.get("security_admin_role_arn"),
            object_lock=ObjectLockSpec(**quarantine["object_lock"]),
        ),
        notifications=NotificationsSpec(
            min_severity=notifications["min_severity"],
            topics=MappingProxyType(
                {name: _topic(topic) for name, topic in notifications["topics"].items()}
            ),
        ),
        guardduty=guardduty.parse(document["guardduty"]),
        securityhub=securityhub.parse(document["securityhub"]),
        macie=macie.parse(document["macie"]),
        config=config_section.parse(document["config"]),
        alerts=alerts.parse(document["alerts"], default_topic),
        firewall_manager=firewall_manager.parse(document["firewall_manager"], default_topic),
        guardrails=guardrails.parse(document["guardrails"]),
        scanner_findings=scanner_findings.parse(document["scanner_findings"]),
    )


def _accounts(document: Mapping[str, Any] | None) -> Accounts | None:
    if document is None:
        return None
    return Accounts(
        organization_id=document["organization_id"],
        management=Account(**document["management"]),
        security=Account(**document["security"]),
        log_archive=Account(**document["log_archive"]),
    )


def _topic(document: Mapping[str, Any]) -> TopicSpec:
    return TopicSpec(
        emails=tuple(document["emails"]),
        https_endpoints=tuple(secret(value) for value in document["https_endpoints"]),
    )
