"""The capabilities of the baseline, in order: the one list that the spec's schema and parser,
the program, the audit, the organization coverage and the auditor's permissions are made from.

The order is the one they are parsed, built and audited in: a capability comes after those whose
resources it builds on (the log archive before what delivers to it, the topics before what
publishes to them, the guardrails StackSet before the Config packs that wait for its recorders).
Adding a capability: its folder, with its record in `capability.py`, and its line here
(docs/architecture.md shows one whole).
"""

from __future__ import annotations

from baseline.capabilities.accounts import capability as accounts
from baseline.capabilities.alerts import capability as alerts
from baseline.capabilities.cloudtrail import capability as cloudtrail
from baseline.capabilities.config import capability as config
from baseline.capabilities.firewall_manager import capability as firewall_manager
from baseline.capabilities.guardduty import capability as guardduty
from baseline.capabilities.guardrails import capability as guardrails
from baseline.capabilities.kms import capability as kms
from baseline.capabilities.log_archive import capability as log_archive
from baseline.capabilities.macie import capability as macie
from baseline.capabilities.model import Capability
from baseline.capabilities.notifications import capability as notifications
from baseline.capabilities.organization_policies import capability as organization_policies
from baseline.capabilities.quarantine import capability as quarantine
from baseline.capabilities.regions import capability as regions
from baseline.capabilities.scanner_findings import capability as scanner_findings
from baseline.capabilities.securityhub import capability as securityhub
from baseline.capabilities.tags import capability as tags

CAPABILITIES: tuple[Capability, ...] = (
    # Where and as whom the baseline deploys, and what every capability reads.
    accounts.CAPABILITY,
    regions.CAPABILITY,
    tags.CAPABILITY,
    kms.CAPABILITY,
    # Logging, and the topics and bucket the others deliver to.
    log_archive.CAPABILITY,
    cloudtrail.CAPABILITY,
    notifications.CAPABILITY,
    quarantine.CAPABILITY,
    # The organization's accounts: settings with no organization API, and what they may not do.
    guardrails.CAPABILITY,
    organization_policies.CAPABILITY,
    # Detective services.
    config.CAPABILITY,
    guardduty.CAPABILITY,
    securityhub.CAPABILITY,
    macie.CAPABILITY,
    # Alerting and network protection.
    alerts.CAPABILITY,
    firewall_manager.CAPABILITY,
    # CI scanner reports into Security Hub.
    scanner_findings.CAPABILITY,
)
