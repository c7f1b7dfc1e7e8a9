"""Service-linked roles: `create` must not find one (AWS keeps one per service and account:
CreateServiceLinkedRole fails, "has been taken in this account"), `existing` must find it
(the recorders, and the topic and key policies of Firewall Manager, name it).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from botocore.exceptions import ClientError

from baseline.audit.errors import error_code
from baseline.audit.model import Check, Status
from baseline.capabilities.config.recorders import CONFIG_PRINCIPAL, SERVICE_LINKED_ROLE
from baseline.capabilities.firewall_manager.component import FMS_SERVICE_LINKED_ROLE
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    collision,
    each_target,
    found,
    guarded,
)
from baseline.preflight.planned import Place, Target

SERVICE_LINKED_ROLE_CHECK = Check(
    "iam.service-linked-role",
    "Each service-linked role the spec says `create` is absent, each it says `existing` exists",
)
FMS_PRINCIPAL = "fms.amazonaws.com"
# The spec key that chooses between `create` and `existing`, per service.
CHOICE_KEYS = {
    CONFIG_PRINCIPAL: "config.service_linked_role",
    FMS_PRINCIPAL: "firewall_manager.service_linked_role",
}
# role/aws-service-role/<service>/<name>: the role's name is the last part.
ROLE_NAMES = {
    CONFIG_PRINCIPAL: SERVICE_LINKED_ROLE.rsplit("/", 1)[1],
    FMS_PRINCIPAL: FMS_SERVICE_LINKED_ROLE.rsplit("/", 1)[1],
}


def _role_arn(context: PreflightContext, account: str, role_name: str) -> str | None:
    """The role's ARN, or None when the account has no role of that name."""
    iam = context.clients(account).client("iam", context.spec.regions.home)
    try:
        return str(iam.get_role(RoleName=role_name)["Role"]["Arn"])
    except ClientError as error:
        if error_code(error) == "NoSuchEntity":
            return None
        raise


def _created(context: PreflightContext, target: Target) -> list[Finding]:
    service = str(target.inputs.get("awsServiceName"))
    role_name = ROLE_NAMES.get(service) or str(target.resource.outputs.get("name"))
    arn = _role_arn(context, target.account, role_name)
    if arn is None:
        return [found(SERVICE_LINKED_ROLE_CHECK, Status.PASS, target.place, role_name, "absent")]
    choice = CHOICE_KEYS.get(service)
    effect = "fails (CreateServiceLinkedRole: the name has been taken)"
    if choice:
        effect += f"; or set {choice}: existing"
    # pulumi-aws docs, iam.ServiceLinkedRole "Import": by the role's ARN.
    return [collision(context, SERVICE_LINKED_ROLE_CHECK, target, arn, arn, effect=effect)]


def _expected(context: PreflightContext) -> Iterator[tuple[str, str]]:
    """(account, service) of each service-linked role the spec says exists already."""
    spec = context.spec
    if spec.config.enabled and spec.config.service_linked_role == "existing":
        recorders = context.plan.targets("aws:cfg/recorder:Recorder")
        for account in sorted({target.account for target in recorders}):
            yield account, CONFIG_PRINCIPAL
    fms = spec.firewall_manager
    if spec.accounts and fms.enabled and fms.service_linked_role == "existing":
        yield context.spec_account("security"), FMS_PRINCIPAL


def _existing(context: PreflightContext, place: Place, service: str) -> list[Finding]:
    role_name = ROLE_NAMES[service]
    if _role_arn(context, place.account, role_name) is not None:
        reason = f"exists, as {CHOICE_KEYS[service]}: existing says"
        return [found(SERVICE_LINKED_ROLE_CHECK, Status.PASS, place, role_name, reason)]
    reason = (
        f"missing, though {CHOICE_KEYS[service]} is existing: set it to create, or run "
        f"`aws iam create-service-linked-role --aws-service-name {service}` in {place.account}"
    )
    return [found(SERVICE_LINKED_ROLE_CHECK, Status.FAIL, place, role_name, reason)]


def _service_linked_roles(context: PreflightContext) -> list[Finding]:
    created = each_target(
        SERVICE_LINKED_ROLE_CHECK, "aws:iam/serviceLinkedRole:ServiceLinkedRole", _created, context
    )
    home = context.spec.regions.home
    expected = [
        each
        for account, service in _expected(context)
        for each in guarded(
            SERVICE_LINKED_ROLE_CHECK,
            Place(account, home),
            partial(_existing, context, Place(account, home), service),
        )
    ]
    return created + expected


CHECKS = (PreflightCheck(SERVICE_LINKED_ROLE_CHECK, _service_linked_roles),)
