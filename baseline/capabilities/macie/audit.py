"""Macie: enabled, and not paused, in each region."""

from __future__ import annotations

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code, error_message
from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)

ENABLED = Check("macie.enabled", "Macie is enabled and not paused")


def macie_not_enabled(error: ClientError) -> bool:
    """AWS answers AccessDenied "Macie is not enabled"; emulators a missing resource."""
    code = error_code(error)
    if code == "ResourceNotFoundException":
        return True
    return code == "AccessDeniedException" and "not enabled" in error_message(error).lower()


def _session_probe(context: AuditContext, region: str) -> list[CheckResult]:
    resource = f"account {context.clients.account_id}"
    try:
        session = context.clients.client("macie2", region).get_macie_session()
    except ClientError as error:
        if not macie_not_enabled(error):
            raise
        return [ENABLED.failed(region, resource, "Macie is not enabled")]
    status = session.get("status")
    return [ENABLED.verdict(status == "ENABLED", region, resource, "enabled", f"status {status}")]


API_CALLS: tuple[ApiCall, ...] = (ApiCall("macie2", "GetMacieSession", "macie2:GetMacieSession"),)


SERVICE = ServiceAudit(
    name="macie",
    scope=Scope.REGIONAL,
    probes=(Probe((ENABLED,), _session_probe),),
    skip_reason=lambda context: (
        None if context.spec.macie.enabled else "macie.enabled is false in the spec"
    ),
    api_calls=API_CALLS,
)
