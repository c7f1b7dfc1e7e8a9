"""The baseline of one stack: the spec, built capability by capability.

`build` is what `__main__.py` runs. Each capability's wiring maps its spec section onto its
components, in an order where every capability finds what it builds on: the log archive before
what delivers to it, the topics before what publishes to them, the guardrails StackSet before
the Config packs that wait for its recorders.
"""

from __future__ import annotations

from baseline.capabilities.alerts import wiring as alerts
from baseline.capabilities.cloudtrail import wiring as cloudtrail
from baseline.capabilities.config import wiring as config
from baseline.capabilities.firewall_manager import wiring as firewall_manager
from baseline.capabilities.guardduty import wiring as guardduty
from baseline.capabilities.guardrails import wiring as guardrails
from baseline.capabilities.log_archive import wiring as log_archive
from baseline.capabilities.macie import wiring as macie
from baseline.capabilities.notifications import wiring as notifications
from baseline.capabilities.organization_policies import wiring as organization_policies
from baseline.capabilities.quarantine import wiring as quarantine
from baseline.capabilities.scanner_findings import wiring as scanner_findings
from baseline.capabilities.securityhub import wiring as securityhub
from baseline.program import Baseline
from baseline.providers import account_providers
from baseline.spec import Spec

BUILD_ORDER = (
    log_archive.build,
    cloudtrail.build,
    notifications.build,
    quarantine.build,
    guardrails.build,
    organization_policies.build,
    config.build,
    guardduty.build,
    securityhub.build,
    macie.build,
    alerts.build,
    firewall_manager.build,
    scanner_findings.build,
)


def build(spec: Spec) -> Baseline:
    """Declare every resource of the baseline for `spec`."""
    baseline = Baseline(spec, account_providers(spec))
    for build_capability in BUILD_ORDER:
        build_capability(baseline)
    return baseline
