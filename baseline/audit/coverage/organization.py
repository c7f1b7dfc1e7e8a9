"""The organization's accounts, from its management account (Organizations ListAccounts).

Without them nothing can be said about coverage: a failure here stops the audit with one
line (exit 2), as does an organization other than the spec's.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from baseline.audit.coverage.model import CoverageContext, OrganizationAccount, paginate
from baseline.audit.errors import describe_error
from baseline.problems import Problem, SpecError

# ListAccounts' MaxResults allows at most 20 (botocore's model).
PAGE_SIZE = 20


def organization_accounts(context: CoverageContext) -> list[OrganizationAccount]:
    """Every account of the spec's organization, sorted by id; SpecError saying why not."""
    organizations = context.management.client("organizations", context.home_region)
    try:
        organization = organizations.describe_organization()["Organization"]
        _check_organization(context, organization["Id"], organization.get("MasterAccountId"))
        accounts = paginate(
            organizations, "list_accounts", "Accounts", PaginationConfig={"PageSize": PAGE_SIZE}
        )
    except (ClientError, BotoCoreError) as error:
        what = f"cannot list the organization's accounts: {describe_error(error)}"
        raise SpecError([Problem("organizations", what)]) from None
    return sorted(
        (
            OrganizationAccount(
                id=account["Id"],
                name=account.get("Name", ""),
                # State supersedes the older Status (botocore's model has both).
                state=account.get("State") or account.get("Status", ""),
            )
            for account in accounts
        ),
        key=lambda account: account.id,
    )


def _check_organization(context: CoverageContext, found: str, management: str | None) -> None:
    accounts = context.spec.accounts
    assert accounts is not None  # the command refuses --organization in single-account mode
    if found != accounts.organization_id:
        what = f"{accounts.organization_id}, but the management account is in {found}"
        raise SpecError([Problem("baseline.accounts.organization_id", what)])
    if management is not None and management != accounts.management.id:
        what = (
            f"{accounts.management.id}, but the organization's management account is {management}"
        )
        raise SpecError([Problem("baseline.accounts.management.id", what)])
