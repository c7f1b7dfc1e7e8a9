"""Access: the deploy role of each baseline account can be assumed, and lands in that account.

`pulumi up` assumes `accounts.<account>.role_name` in each account (`baseline.providers`), even
in the account the credentials belong to, and refuses any other account (`allowed_account_ids`).
The preflight does the same, so it must run with the credentials that run `pulumi up`; the
sessions it opens are the ones every other check reads through.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from baseline.audit.errors import ACCESS_DENIED_CODES, describe_error, error_code
from baseline.audit.model import Check, Clients, Status
from baseline.audit.session import AuditSession, assumed_session
from baseline.capabilities.accounts.section import ACCOUNT_ROLES
from baseline.preflight.model import Finding, found
from baseline.preflight.planned import Place
from baseline.providers import role_arn
from baseline.spec import Spec

DEPLOY_ROLE = Check("access.deploy-role", "The deploy role of each baseline account can be assumed")
SESSION_NAME = "security-baseline-preflight"


def open_sessions(
    spec: Spec, caller: AuditSession
) -> tuple[dict[str, Clients | str], list[Finding]]:
    """Account id -> a session as its deploy role (or why there is none), and the findings."""
    region = spec.regions.home
    identity = caller.client("sts", region).get_caller_identity()
    if spec.accounts is None:
        reason = f"single-account mode: deploys as {identity['Arn']}"
        place = Place(caller.account_id, region)
        return {caller.account_id: caller}, [found(DEPLOY_ROLE, Status.PASS, place, "-", reason)]
    sessions: dict[str, Clients | str] = {}
    findings = []
    for account_role in ACCOUNT_ROLES:
        account = getattr(spec.accounts, account_role)
        place = Place(str(account.id), region)
        sessions[place.account], finding = _assume(caller, role_arn(spec, account), place)
        findings.append(finding)
    return sessions, findings


def _assume(caller: AuditSession, arn: str, place: Place) -> tuple[Clients | str, Finding]:
    try:
        session = assumed_session(caller, arn, place.region, SESSION_NAME)
        landed = session.client("sts", place.region).get_caller_identity()["Account"]
    except (ClientError, BotoCoreError) as error:
        reason = describe_error(error)
        refused = isinstance(error, ClientError) and error_code(error) in ACCESS_DENIED_CODES
        if refused:
            reason += f": the role must exist in account {place.account} and trust the caller"
        status = Status.FAIL if refused else Status.ERROR
        return f"no session: {reason}", found(DEPLOY_ROLE, status, place, arn, reason)
    if landed != place.account:
        reason = f"the role's session is in account {landed}: pulumi up refuses it"
        return reason, found(DEPLOY_ROLE, Status.FAIL, place, arn, reason)
    return session, found(DEPLOY_ROLE, Status.PASS, place, arn, "assumed")
