"""Services whose delegated administrator lists the organization's accounts as members:
GuardDuty, Security Hub, Macie. The administrator (the security account) is covered by its
own enablement; every other account by a member relationship the service calls Enabled."""

from __future__ import annotations

from collections.abc import Iterable

from baseline.audit.coverage.model import RegionCoverage, Verdict, covered, missing

# Each service's relationship status of a member that the administrator manages and that
# has the service on (GuardDuty RelationshipStatus, Security Hub MemberStatus, Macie
# relationshipStatus: botocore's models document "Enabled"; compared without case, as
# emulators answer "ENABLED").
ENABLED_RELATIONSHIP = "enabled"


def member_verdict(relationship: str) -> Verdict:
    if relationship.lower() == ENABLED_RELATIONSHIP:
        return covered(f"member ({relationship})")
    return missing(f"member, but its relationship status is {relationship or 'unknown'}")


def members_coverage(
    service: str, admin_id: str, admin: Verdict, members: Iterable[tuple[str, str]]
) -> RegionCoverage:
    """`members`: (account id, relationship status) as the administrator lists them."""
    accounts = {account: member_verdict(relationship) for account, relationship in members}
    accounts[admin_id] = admin
    others = missing(f"not a {service} member of the administrator account {admin_id}")
    return RegionCoverage(others, accounts)


def admin_not_enabled(service: str, admin_id: str, what: str) -> Verdict:
    return missing(f"{service} is not on in the administrator account {admin_id}: {what}")
