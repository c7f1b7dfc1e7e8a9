"""The accounts one audit reads, all from one set of credentials.

In organization mode the audit reads the management, security and log-archive accounts: in
each it assumes the role the spec names for it (`accounts.<account>.role_name`, the role
`pulumi up` deploys with), or the one `--role-name` names (an `AuditorRole` in each of
them), except in the account the credentials already belong to. In single-account mode it
reads the credentials' own account.
"""

from __future__ import annotations

import dataclasses

from baseline.audit.session import AuditSession, assume_role
from baseline.capabilities.accounts.section import ACCOUNT_ROLES
from baseline.providers import role_arn
from baseline.spec import Spec

# The key of the one account read in single-account mode.
SINGLE_ACCOUNT = "account"


def audited_role_arns(spec: Spec, role_name: str | None = None) -> dict[str, str]:
    """Baseline account -> the role the audit assumes there (none in single-account mode)."""
    if spec.accounts is None:
        return {}
    roles = {}
    for account_role in ACCOUNT_ROLES:
        account = getattr(spec.accounts, account_role)
        if role_name is not None:
            account = dataclasses.replace(account, role_name=role_name)
        roles[account_role] = role_arn(spec, account)
    return roles


def account_sessions(
    spec: Spec, caller: AuditSession, role_name: str | None = None
) -> dict[str, AuditSession]:
    """Baseline account ("management", "security", "log_archive") -> a session in it; or
    {SINGLE_ACCOUNT: caller} in single-account mode. SpecError when a role is refused."""
    roles = audited_role_arns(spec, role_name)
    if not roles:
        return {SINGLE_ACCOUNT: caller}
    sessions = {}
    for account_role, arn in roles.items():
        account_id = arn.split(":")[4]
        if account_id == caller.account_id:
            sessions[account_role] = caller
        else:
            sessions[account_role] = assume_role(caller, arn, spec.regions.home)
    return sessions
