"""Delegated administrators (organization mode): each one the plan registers is the spec's
security account or not registered yet.

Read from the management account, as `pulumi up` registers them: Organizations for the
registrations the plan makes with it (ListDelegatedAdministrators, then
ListDelegatedServicesForAccount), each service's own API for the rest (GuardDuty, Security
Hub, Macie ListOrganizationAdminAccounts per region; Firewall Manager GetAdminAccount, one
administrator for the organization). A registration that exists already makes the plan's
fail (RegisterDelegatedAdministrator: AccountAlreadyRegisteredException): it is adopted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code
from baseline.audit.model import Check, Status
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    collision,
    each_target,
    found,
    guarded,
)
from baseline.preflight.organization import organization_only
from baseline.preflight.planned import Place, Target

DELEGATED_ADMIN = Check(
    "organizations.delegated-admin",
    "Each delegated administrator the plan registers is the security account or none yet",
)
ORGANIZATIONS_TYPE = "aws:organizations/delegatedAdministrator:DelegatedAdministrator"


def _registered(context: PreflightContext, place: Place) -> dict[str, set[str]]:
    """Service principal -> the accounts registered as its delegated administrator."""
    organizations = context.clients(place.account).client("organizations", place.region)
    pages = organizations.get_paginator("list_delegated_administrators").paginate()
    admins = [str(admin["Id"]) for page in pages for admin in page["DelegatedAdministrators"]]
    registered: dict[str, set[str]] = {}
    for admin in admins:
        services = organizations.get_paginator("list_delegated_services_for_account")
        for page in services.paginate(AccountId=admin):
            for service in page["DelegatedServices"]:
                registered.setdefault(str(service["ServicePrincipal"]), set()).add(admin)
    return registered


def organizations_registrations(context: PreflightContext) -> list[Finding]:
    targets = context.plan.targets(ORGANIZATIONS_TYPE)
    if not targets:
        return []
    produce = partial(_organizations_read, context, targets)
    return guarded(DELEGATED_ADMIN, targets[0].place, produce)


def _organizations_read(context: PreflightContext, targets: Sequence[Target]) -> list[Finding]:
    registered = _registered(context, targets[0].place)
    findings = []
    for target in targets:
        principal = str(target.inputs.get("servicePrincipal"))
        wanted = str(target.inputs.get("accountId"))
        registration = Registration(
            service=principal,
            wanted=wanted,
            admins=tuple(sorted(registered.get(principal, ()))),
            fix="`aws organizations deregister-delegated-administrator --account-id {admin} "
            f"--service-principal {principal}`",
            # pulumi-aws docs, organizations.DelegatedAdministrator "Import".
            import_id=f"{wanted}/{principal}",
        )
        findings.append(registration.verdict(context, target))
    return findings


@dataclass(frozen=True)
class Registration:
    """Who administers `service` (`admins`), and who the plan registers (`wanted`)."""

    service: str
    wanted: str
    admins: tuple[str, ...]
    fix: str  # the command that removes an administrator {admin}
    import_id: str

    def verdict(self, context: PreflightContext, target: Target) -> Finding:
        others = [admin for admin in self.admins if admin != self.wanted]
        if others:
            commands = "; ".join(self.fix.format(admin=admin) for admin in others)
            reason = (
                f"{', '.join(others)} is the delegated administrator of {self.service}, the "
                f"spec's security account is {self.wanted}: deregister it ({commands})"
            )
            return found(DELEGATED_ADMIN, Status.FAIL, target.place, self.service, reason)
        if self.wanted in self.admins:
            existing = f"{self.wanted} as delegated administrator of {self.service}"
            return collision(context, DELEGATED_ADMIN, target, existing, self.import_id)
        return found(DELEGATED_ADMIN, Status.PASS, target.place, self.service, "none yet")


@dataclass(frozen=True)
class ServiceAdmins:
    """A service's own delegated-administrator API, as boto3 names it."""

    client: str
    principal: str
    list_key: str
    id_key: str
    status_key: str
    disable: str  # the CLI command that removes an administrator

    def admins(self, context: PreflightContext, target: Target) -> list[str]:
        client = context.clients(target.account).client(self.client, target.region)
        pages = client.get_paginator("list_organization_admin_accounts").paginate()
        return [
            str(item[self.id_key])
            for page in pages
            for item in page.get(self.list_key, [])
            # ENABLED; an administrator being removed (DISABLE_IN_PROGRESS,
            # DISABLING_IN_PROGRESS) is on its way out but still registered.
            if item.get(self.status_key)
        ]


SERVICE_ADMINS: Mapping[str, ServiceAdmins] = {
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": ServiceAdmins(
        "guardduty",
        "guardduty.amazonaws.com",
        "AdminAccounts",
        "AdminAccountId",
        "AdminStatus",
        "aws guardduty disable-organization-admin-account",
    ),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": ServiceAdmins(
        "securityhub",
        "securityhub.amazonaws.com",
        "AdminAccounts",
        "AccountId",
        "Status",
        "aws securityhub disable-organization-admin-account",
    ),
    "aws:macie2/organizationAdminAccount:OrganizationAdminAccount": ServiceAdmins(
        "macie2",
        "macie.amazonaws.com",
        "adminAccounts",
        "accountId",
        "status",
        "aws macie2 disable-organization-admin-account",
    ),
}


def _service_admin(
    service: ServiceAdmins, context: PreflightContext, target: Target
) -> list[Finding]:
    wanted = str(target.inputs.get("adminAccountId"))
    registration = Registration(
        service=service.principal,
        wanted=wanted,
        admins=tuple(service.admins(context, target)),
        fix=f"`{service.disable} --admin-account-id {{admin}} --region {target.region}`",
        # pulumi-aws docs, <service>.OrganizationAdminAccount "Import": the admin account id.
        import_id=wanted,
    )
    return [registration.verdict(context, target)]


def _firewall_manager(context: PreflightContext, target: Target) -> list[Finding]:
    fms = context.clients(target.account).client("fms", target.region)
    try:
        admins: tuple[str, ...] = (str(fms.get_admin_account()["AdminAccount"]),)
    except ClientError as error:
        # GetAdminAccount of an organization without a Firewall Manager administrator.
        if error_code(error) != "ResourceNotFoundException":
            raise
        admins = ()
    wanted = str(target.inputs.get("accountId"))
    registration = Registration(
        service="fms.amazonaws.com",
        wanted=wanted,
        admins=admins,
        fix="`aws fms disassociate-admin-account` (in the management account)",
        # pulumi-aws docs, fms.AdminAccount "Import": by the account id.
        import_id=wanted,
    )
    return [registration.verdict(context, target)]


def _delegated_admins(context: PreflightContext) -> list[Finding]:
    findings = organizations_registrations(context)
    for type_token, service in SERVICE_ADMINS.items():
        findings += each_target(
            DELEGATED_ADMIN, type_token, partial(_service_admin, service), context
        )
    return findings + each_target(
        DELEGATED_ADMIN, "aws:fms/adminAccount:AdminAccount", _firewall_manager, context
    )


CHECKS = (PreflightCheck(DELEGATED_ADMIN, organization_only(DELEGATED_ADMIN, _delegated_admins)),)
