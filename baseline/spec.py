"""The declarative spec: the stack config key `security-baseline:baseline`, typed.

`load_spec` reads it from `Pulumi.<stack>.yaml` (for `baseline validate`);
`spec_from_pulumi_config` reads it inside a running Pulumi program. Both validate it against
`baseline.schema` and return frozen dataclasses with every default applied, or raise
`SpecError` with every problem found.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import pulumi

from baseline.capabilities.accounts import section as accounts
from baseline.capabilities.accounts.section import Account, Accounts
from baseline.capabilities.alerts import section as alerts
from baseline.capabilities.alerts.section import AlertsSpec
from baseline.capabilities.cloudtrail import section as cloudtrail
from baseline.capabilities.cloudtrail.section import CloudTrailSpec, CloudWatchLogsSpec
from baseline.capabilities.config import section as config_section
from baseline.capabilities.config.section import ConfigSpec
from baseline.capabilities.firewall_manager import section as firewall_manager
from baseline.capabilities.firewall_manager.section import FirewallManagerSpec
from baseline.capabilities.guardduty import section as guardduty
from baseline.capabilities.guardduty.section import GuardDutySpec
from baseline.capabilities.guardrails import section as guardrails
from baseline.capabilities.guardrails.section import GuardrailsSpec
from baseline.capabilities.kms import section as kms
from baseline.capabilities.kms.section import KmsSpec
from baseline.capabilities.log_archive import section as log_archive
from baseline.capabilities.log_archive.section import LogArchiveSpec
from baseline.capabilities.macie import section as macie
from baseline.capabilities.macie.section import MacieSpec
from baseline.capabilities.notifications import section as notifications
from baseline.capabilities.notifications.section import NotificationsSpec, TopicSpec
from baseline.capabilities.organization_policies import section as organization_policies
from baseline.capabilities.organization_policies.grouping import organization_policy_problems
from baseline.capabilities.organization_policies.section import OrganizationPoliciesSpec
from baseline.capabilities.quarantine import section as quarantine
from baseline.capabilities.quarantine.section import ObjectLockSpec, QuarantineSpec
from baseline.capabilities.regions import section as regions_section
from baseline.capabilities.regions.section import Regions
from baseline.capabilities.scanner_findings import section as scanner_findings
from baseline.capabilities.scanner_findings.section import ScannerFindingsSpec
from baseline.capabilities.securityhub import section as securityhub
from baseline.capabilities.securityhub.section import SecurityHubSpec
from baseline.capabilities.tags import section as tags
from baseline.problems import Problem, SpecError
from baseline.project import StackFile, load_stack_file
from baseline.regions import region_problem, yaml_type
from baseline.schema import format_path, validate
from baseline.secret import Secret

# The sections' dataclasses are imported from here, with the spec they make up.
__all__ = [
    "CONFIG_KEY",
    "Account",
    "Accounts",
    "AlertsSpec",
    "CloudTrailSpec",
    "CloudWatchLogsSpec",
    "ConfigSpec",
    "FirewallManagerSpec",
    "GuardDutySpec",
    "GuardrailsSpec",
    "KmsSpec",
    "LogArchiveSpec",
    "MacieSpec",
    "NotificationsSpec",
    "ObjectLockSpec",
    "OrganizationPoliciesSpec",
    "QuarantineSpec",
    "Regions",
    "ScannerFindingsSpec",
    "Secret",
    "SecurityHubSpec",
    "Spec",
    "SpecError",
    "TopicSpec",
    "load_spec",
    "parse_spec",
    "spec_from_pulumi_config",
    "spec_from_stack_file",
]

CONFIG_KEY = "security-baseline:baseline"
CONFIG_NAMESPACE = "security-baseline:"
# How a project lets a stack file leave the spec out (every default): a project-level value,
# which Pulumi gives every stack (objects sit under `value:` in Pulumi.yaml's `config:`).
EMPTY_SPEC_DECLARATION = "config: {security-baseline:baseline: {value: {}}} in Pulumi.yaml"


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
    organization_policies: OrganizationPoliciesSpec
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
    problems.extend(_non_string_keys(document))
    if problems:
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


def _non_string_keys(document: Mapping[str, Any]) -> list[Problem]:
    """Keys that are not strings: the program reads the spec as JSON, whose keys are strings."""
    problems = []
    pending: list[tuple[tuple[object, ...], object]] = [((), document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str):
                    pending.append(((*path, key), item))
                else:
                    what = f"the key {yaml_type(key)} must be a string: quote it"
                    problems.append(Problem(format_path(path), what))
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
    return problems


def _cross_section_problems(spec: Spec) -> list[Problem]:
    """Sections that name each other: each name must exist where it points."""
    problems = []
    topics = spec.notifications.topics
    named_topics = {
        f"baseline.alerts.topics.{role}": getattr(spec.alerts.topics, role)
        for role in alerts.TOPIC_ROLES
    }
    if spec.firewall_manager.enabled:
        named_topics["baseline.firewall_manager.notification_topic"] = (
            spec.firewall_manager.notification_topic
        )
        if spec.accounts is None:
            what = "needs an organization: Firewall Manager has no single-account mode"
            problems.append(Problem("baseline.firewall_manager.enabled", what))
        if not spec.config.enabled:
            what = (
                "must stay true with firewall_manager: Firewall Manager needs AWS Config "
                "recording in the accounts it covers (Firewall Manager prerequisites)"
            )
            problems.append(Problem("baseline.config.enabled", what))
    if spec.guardrails.enabled and spec.accounts is None:
        what = "needs an organization: StackSets deploy to organizational units"
        problems.append(Problem("baseline.guardrails.enabled", what))
    for index, region in enumerate(spec.guardrails.regions or ()):
        if region not in spec.regions.enabled:
            what = f"{region} is not one of regions.enabled"
            problems.append(Problem(f"baseline.guardrails.regions[{index}]", what))
    problems.extend(_unrecorded_regions(spec))
    problems.extend(
        organization_policy_problems(spec.organization_policies, spec.accounts, spec.regions)
    )
    for where, topic in named_topics.items():
        if topic not in topics:
            problems.append(Problem(where, f"{topic!r} is not one of notifications.topics"))
    if spec.securityhub.enabled:
        problems.extend(
            Problem(where, what)
            for where, what in securityhub.organization_problems(
                spec.securityhub,
                organization=spec.organization_mode,
                home=spec.regions.home,
                regions=spec.regions.enabled,
            )
        )
    return problems


def _unrecorded_regions(spec: Spec) -> list[Problem]:
    """Regions where organization packs or FMS policies go but the StackSet records nothing."""
    settings = spec.guardrails
    needed = (spec.config.enabled and spec.config.has_packs) or spec.firewall_manager.enabled
    if not (settings.enabled and settings.config_recorder and needed and settings.regions):
        return []
    missing = [region for region in spec.regions.enabled if region not in settings.regions]
    if not missing:
        return []
    what = (
        f"lacks {', '.join(missing)}: organization conformance packs and Firewall Manager "
        "policies go to every enabled region, and need the member accounts recorded there"
    )
    return [Problem("baseline.guardrails.regions", what)]


def config_key_problems(
    keys: Iterable[str], file_name: str, *, spec_declared: bool = False
) -> list[Problem]:
    """The stack's config keys, as the baseline reads them: a misspelt key is never ignored.

    Every `security-baseline:*` key other than the spec's is an error, and so is a stack
    without the spec key, unless the project gives it a value (`spec_declared`). A key close
    to the spec's is named as the probable misspelling.
    """
    keys = list(keys)
    problems = [
        Problem(file_name, f"{key}: unknown key{_did_you_mean(key)}")
        for key in keys
        if key.startswith(CONFIG_NAMESPACE) and key != CONFIG_KEY
    ]
    if CONFIG_KEY in keys or spec_declared:
        return problems
    misspelt = difflib.get_close_matches(CONFIG_KEY, keys, n=1, cutoff=0.8)
    if misspelt and misspelt[0].startswith(CONFIG_NAMESPACE):
        return problems  # already reported, with the right key
    hint = f" (is {misspelt[0]} a misspelling of it?)" if misspelt else ""
    what = (
        f"no {CONFIG_KEY} key{hint}: declare the spec there, or let every stack of the "
        f"project use the defaults with {EMPTY_SPEC_DECLARATION}"
    )
    return [*problems, Problem(file_name, what)]


def _did_you_mean(key: str) -> str:
    # The names after the namespace: the shared prefix would make any key look close.
    name, spec_name = key.removeprefix(CONFIG_NAMESPACE), CONFIG_KEY.removeprefix(CONFIG_NAMESPACE)
    if difflib.get_close_matches(name, [spec_name], n=1):
        return f" (did you mean {CONFIG_KEY}?)"
    return f": the baseline reads only {CONFIG_KEY}"


def spec_from_stack_file(stack_file: StackFile) -> Spec:
    """The spec of a stack file, or of the project's value for it; see config_key_problems."""
    declared = CONFIG_KEY in stack_file.project_defaults
    problems = config_key_problems(stack_file.config, stack_file.path.name, spec_declared=declared)
    if problems:
        raise SpecError(problems)
    document = stack_file.config.get(CONFIG_KEY, stack_file.project_defaults.get(CONFIG_KEY))
    try:
        return parse_spec(
            document,
            aws_region=stack_file.config.get("aws:region"),
            secrets_decrypted=False,
        )
    except SpecError as error:
        raise SpecError(_in_file(p, stack_file.path.name) for p in error.problems) from None


def load_spec(project_dir: Path, stack: str) -> Spec:
    return spec_from_stack_file(load_stack_file(project_dir, stack))


def spec_from_pulumi_config() -> Spec:
    """The spec of the running Pulumi program's stack, as the engine decrypted it."""
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    problems = config_key_problems(_running_config_keys(), stack_file)
    if problems:
        raise SpecError(problems)
    try:
        document = pulumi.Config("security-baseline").get_object("baseline")
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


def _running_config_keys() -> list[str]:
    """Every config key the engine gave the program (project-level values included)."""
    given = {**pulumi.runtime.config.get_config_env(), **pulumi.runtime.config.CONFIG.get()}
    return list(given)


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
    notices = notifications.parse(document["notifications"])
    config = config_section.parse(document["config"])
    network = firewall_manager.parse(document["firewall_manager"], notices.default_topic)
    # Organization conformance packs and Firewall Manager need every member account recorded.
    recorder_needed = document.get("accounts") is not None and (
        (config.enabled and config.has_packs) or network.enabled
    )
    return Spec(
        accounts=accounts.parse(document.get("accounts")),
        regions=regions_section.parse(document["regions"]),
        tags=tags.parse(document["tags"]),
        kms=kms.parse(document["kms"]),
        cloudtrail=cloudtrail.parse(document["cloudtrail"]),
        log_archive=log_archive.parse(document["log_archive"]),
        quarantine=quarantine.parse(document["quarantine"]),
        notifications=notices,
        guardduty=guardduty.parse(document["guardduty"]),
        securityhub=securityhub.parse(document["securityhub"]),
        macie=macie.parse(document["macie"]),
        config=config,
        alerts=alerts.parse(document["alerts"], notices.default_topic, notices.min_severity),
        firewall_manager=network,
        guardrails=guardrails.parse(document["guardrails"], recorder_needed),
        organization_policies=organization_policies.parse(
            document["organization_policies"], organization=document.get("accounts") is not None
        ),
        scanner_findings=scanner_findings.parse(document["scanner_findings"]),
    )
