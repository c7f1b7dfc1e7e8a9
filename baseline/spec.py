"""The declarative spec, typed: one section per capability of the baseline.

`Spec` is what the program, the audit and the preflight read. `baseline.spec_loader` makes it
from the stack config key `security-baseline:baseline`, each section parsed by its capability
(baseline/capabilities/registry.py): its fields are the registry's capabilities, in its order,
which tests/capabilities/test_registry.py holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from baseline.capabilities.accounts.section import Account, Accounts
from baseline.capabilities.alerts.section import AlertsSpec
from baseline.capabilities.cloudtrail.section import CloudTrailSpec, CloudWatchLogsSpec
from baseline.capabilities.config.section import ConfigSpec
from baseline.capabilities.firewall_manager.section import FirewallManagerSpec
from baseline.capabilities.guardduty.section import GuardDutySpec
from baseline.capabilities.guardrails.section import GuardrailsSpec
from baseline.capabilities.kms.section import KmsSpec
from baseline.capabilities.log_archive.section import LogArchiveSpec
from baseline.capabilities.macie.section import MacieSpec
from baseline.capabilities.notifications.section import NotificationsSpec, TopicSpec
from baseline.capabilities.organization_policies.section import OrganizationPoliciesSpec
from baseline.capabilities.quarantine.section import ObjectLockSpec, QuarantineSpec
from baseline.capabilities.regions.section import Regions
from baseline.capabilities.scanner_findings.section import ScannerFindingsSpec
from baseline.capabilities.securityhub.section import SecurityHubSpec
from baseline.problems import SpecError
from baseline.secret import Secret

# The sections' dataclasses are imported from here, with the spec they make up.
__all__ = [
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
]


@dataclass(frozen=True)
class Spec:
    """Every section, with its defaults applied; `accounts` is None in single-account mode."""

    accounts: Accounts | None
    regions: Regions
    tags: Mapping[str, str]
    kms: KmsSpec
    log_archive: LogArchiveSpec
    cloudtrail: CloudTrailSpec
    notifications: NotificationsSpec
    quarantine: QuarantineSpec
    guardrails: GuardrailsSpec
    organization_policies: OrganizationPoliciesSpec
    config: ConfigSpec
    guardduty: GuardDutySpec
    securityhub: SecurityHubSpec
    macie: MacieSpec
    alerts: AlertsSpec
    firewall_manager: FirewallManagerSpec
    scanner_findings: ScannerFindingsSpec

    @property
    def organization_mode(self) -> bool:
        return self.accounts is not None
