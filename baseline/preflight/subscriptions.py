"""Shield Advanced, behind Firewall Manager's Shield policies (organization mode).

`firewall_manager.shield_advanced.subscription: existing` (the default) says the security
account, Firewall Manager's administrator, is subscribed: Firewall Manager refuses a
SHIELD_ADVANCED policy otherwise. `create` subscribes it: CreateSubscription fails when it is
subscribed already (ResourceAlreadyExistsException), so an active one is adopted.
"""

from __future__ import annotations

from functools import partial

from baseline.audit.model import Check, Status
from baseline.capabilities.firewall_manager.policies import SHIELD_ADVANCED
from baseline.preflight.model import (
    Finding,
    PreflightCheck,
    PreflightContext,
    collision,
    each_target,
    found,
    guarded,
    skipped,
)
from baseline.preflight.planned import Place, Target

SUBSCRIPTION = Check(
    "shield.subscription", "Shield Advanced is subscribed where the spec says it is, and only there"
)
SUBSCRIPTION_TYPE = "aws:shield/subscription:Subscription"


def _state(context: PreflightContext, place: Place) -> str:
    shield = context.clients(place.account).client("shield", place.region)
    return str(shield.get_subscription_state()["SubscriptionState"])


def _created(context: PreflightContext, target: Target) -> list[Finding]:
    if _state(context, target.place) != "ACTIVE":
        return [found(SUBSCRIPTION, Status.PASS, target.place, "-", "not subscribed yet")]
    existing = f"the Shield Advanced subscription of {target.account}"
    # pulumi-aws docs, shield.Subscription "Import": by the id, the account id.
    return [collision(context, SUBSCRIPTION, target, existing, target.account)]


def _existing(context: PreflightContext, place: Place) -> list[Finding]:
    state = _state(context, place)
    if state == "ACTIVE":
        return [found(SUBSCRIPTION, Status.PASS, place, "-", "ACTIVE")]
    reason = (
        f"subscription {state}, but the SHIELD_ADVANCED policies need one: subscribe the "
        "account, or set firewall_manager.shield_advanced.subscription: create (with "
        "acknowledge_one_year_commitment: true)"
    )
    return [found(SUBSCRIPTION, Status.FAIL, place, "-", reason)]


def _subscription(context: PreflightContext) -> list[Finding]:
    spec = context.spec
    home = spec.regions.home
    if spec.accounts is None or not spec.firewall_manager.enabled:
        place = Place(next(iter(context.sessions), "-"), home)
        return skipped(SUBSCRIPTION, place, "firewall_manager is not enabled (organization mode)")
    if context.plan.targets(SUBSCRIPTION_TYPE):
        return each_target(SUBSCRIPTION, SUBSCRIPTION_TYPE, _created, context)
    place = Place(context.spec_account("security"), home)
    if not any(policy.type == SHIELD_ADVANCED for policy in spec.firewall_manager.policies):
        return skipped(SUBSCRIPTION, place, "no SHIELD_ADVANCED policy needs one")
    return guarded(SUBSCRIPTION, place, partial(_existing, context, place))


CHECKS = (PreflightCheck(SUBSCRIPTION, _subscription),)
