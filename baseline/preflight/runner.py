"""Every preflight check, in report order, over one context."""

from __future__ import annotations

from baseline.audit.model import Check
from baseline.preflight import (
    admins,
    macie_sources,
    names,
    organization,
    roles,
    singletons,
    subscriptions,
)
from baseline.preflight.access import DEPLOY_ROLE
from baseline.preflight.model import Finding, PreflightCheck, PreflightContext

CHECKS: tuple[PreflightCheck, ...] = (
    *organization.CHECKS,
    *admins.CHECKS,
    *subscriptions.CHECKS,
    *roles.CHECKS,
    *singletons.CHECKS,
    *names.CHECKS,
    *macie_sources.CHECKS,
)


def all_checks() -> tuple[Check, ...]:
    """Every check the preflight can report, the access check first."""
    return (DEPLOY_ROLE, *(each.check for each in CHECKS))


def run_checks(context: PreflightContext) -> list[Finding]:
    return [finding for each in CHECKS for finding in each.run(context)]
