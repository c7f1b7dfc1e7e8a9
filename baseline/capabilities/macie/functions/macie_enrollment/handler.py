"""Macie enrollment: every active account of the organization becomes a Macie member here.

Macie's organization auto-enable covers the accounts that join the organization after it is on;
the accounts that existed before stay outside until the delegated administrator adds them with
CreateMember (Macie user guide, "Managing Macie member accounts for an organization"). This
function runs in the delegated administrator (security) account, in one region, on a schedule:

1. the organization's accounts: Organizations ListAccounts, which a delegated administrator
   may call;
2. Macie's view of them: ListMembers with onlyAssociated=false, every relationship status;
3. CreateMember for each active account that is not associated (never listed, Removed,
   Resigned, EmailVerificationFailed), the administrator itself excepted.

It is idempotent: associated accounts are left alone, so a second run has nothing to do.
Accounts Macie cannot enroll in this region (the region is disabled for them, the account is
suspended) are reported, not retried. `REQUIRED_ACCOUNTS` (comma-separated) names the accounts
the classification jobs of this region scan; they go first. The run fails (a logged error, the
Errors metric the alarm watches, Lambda's retries, then the dead-letter queue) when a
CreateMember fails or a required account is not an enabled member afterwards. Accounts left
when the time runs short wait for the next run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LOGGER = logging.getLogger(__name__)
LOGGER.setLevel(logging.INFO)

# Organizations and Macie throttle bursts; standard retries back off and try again.
CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=20, retries={"max_attempts": 10, "mode": "standard"}
)
# Members Macie already associates, or is associating: nothing to do. `Paused` is Macie
# suspended for the account by the administrator, a deliberate choice this function respects.
ASSOCIATED = frozenset({"Enabled", "Paused", "Invited", "Created", "EmailVerificationInProgress"})
# Macie cannot enroll these here: the account has not enabled the region, or is suspended.
UNREACHABLE = frozenset({"RegionDisabled", "AccountSuspended"})
# Stop creating members this long before the function's timeout.
TIME_MARGIN_MILLIS = 30_000


class EnrollmentError(Exception):
    """A run that left an account it had to enroll outside Macie."""


@dataclass
class Outcome:
    """What one run found and did, as the log line and the function's result report it."""

    region: str
    organization_accounts: int = 0
    already_members: int = 0
    enrolled: list[str] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    deferred: list[str] = field(default_factory=list)
    missing_required: dict[str, str] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return not (self.failed or self.missing_required)

    def as_dict(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "organization_accounts": self.organization_accounts,
            "already_members": self.already_members,
            "enrolled": self.enrolled,
            "unreachable": self.unreachable,
            "failed": self.failed,
            "deferred": self.deferred,
            "missing_required": self.missing_required,
        }


def active_accounts(organizations: Any) -> dict[str, str]:
    """Account id -> email of the organization's active accounts."""
    accounts = {}
    for page in organizations.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            # `State` replaces `Status`, which Organizations retires in September 2026.
            if account.get("State", account.get("Status")) == "ACTIVE":
                accounts[account["Id"]] = account["Email"]
    return accounts


def member_statuses(macie: Any) -> dict[str, str]:
    """Account id -> relationship status of every account Macie knows in this region."""
    statuses = {}
    for page in macie.get_paginator("list_members").paginate(onlyAssociated="false"):
        for member in page["members"]:
            statuses[member["accountId"]] = member.get("relationshipStatus", "")
    return statuses


def enroll(
    organizations: Any,
    macie: Any,
    *,
    region: str,
    administrator: str,
    required: Iterable[str] = (),
    time_left_millis: Any = None,
) -> Outcome:
    """Make every active account of the organization a Macie member of `administrator`."""
    required = tuple(dict.fromkeys(required))
    accounts = active_accounts(organizations)
    statuses = member_statuses(macie)
    outcome = Outcome(region=region, organization_accounts=len(accounts))
    candidates = [a for a in accounts if a != administrator]
    # The accounts the jobs scan first, then the rest in a stable order.
    order = sorted(candidates, key=lambda a: (a not in required, a))
    for account in order:
        status = statuses.get(account)
        if status in ASSOCIATED:
            outcome.already_members += 1
        elif status in UNREACHABLE:
            outcome.unreachable[account] = status
        elif time_left_millis is not None and time_left_millis() < TIME_MARGIN_MILLIS:
            outcome.deferred.append(account)
        else:
            _create_member(macie, account, accounts[account], outcome)
    _check_required(outcome, required, accounts, statuses, administrator)
    return outcome


def _create_member(macie: Any, account: str, email: str, outcome: Outcome) -> None:
    try:
        macie.create_member(account={"accountId": account, "email": email})
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        outcome.failed[account] = f"{code}: {message}".strip(": ")
        LOGGER.error("CreateMember %s failed: %s", account, outcome.failed[account])
        return
    outcome.enrolled.append(account)


def _check_required(
    outcome: Outcome,
    required: tuple[str, ...],
    accounts: Mapping[str, str],
    statuses: Mapping[str, str],
    administrator: str,
) -> None:
    for account in required:
        if account == administrator or account in outcome.enrolled:
            continue
        status = statuses.get(account)
        if account not in accounts:
            outcome.missing_required[account] = "not an active account of the organization"
        elif account in outcome.failed:
            outcome.missing_required[account] = "CreateMember failed"
        elif status != "Enabled":
            outcome.missing_required[account] = f"Macie relationship status {status or 'none'}"


def required_accounts(value: str) -> tuple[str, ...]:
    """`REQUIRED_ACCOUNTS`: account ids separated by commas; empty for none."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Any event (the schedule's, a manual invoke) runs a full, idempotent enrollment."""
    region = os.environ["AWS_REGION"]
    administrator = context.invoked_function_arn.split(":")[4]
    outcome = enroll(
        boto3.client("organizations", config=CLIENT_CONFIG),
        boto3.client("macie2", region_name=region, config=CLIENT_CONFIG),
        region=region,
        administrator=administrator,
        required=required_accounts(os.environ.get("REQUIRED_ACCOUNTS", "")),
        time_left_millis=context.get_remaining_time_in_millis,
    )
    summary = json.dumps(outcome.as_dict(), sort_keys=True)
    if not outcome.succeeded:
        LOGGER.error("Macie enrollment incomplete: %s", summary)
        raise EnrollmentError(summary)
    LOGGER.info("Macie enrollment: %s", summary)
    return outcome.as_dict()
