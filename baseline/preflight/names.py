"""Named things the plan creates whose names may be taken: the trail, the default event bus's
policy, KMS aliases and explicitly named buckets.

CreateTrail fails on a trail of the same name in the region (TrailAlreadyExistsException),
CreateAlias on an alias of the same name (AlreadyExistsException), CreateBucket on a name
another account holds (BucketAlreadyExists). EventBusPolicy puts the whole policy of the bus
(PutPermission with a policy), so it would silently drop statements someone else added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial
from itertools import groupby

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
from baseline.preflight.planned import Place, Target

TRAIL = Check("cloudtrail.trail", "No trail has the name of the plan's")
BUS_POLICY = Check("events.bus-policy", "The event bus the plan sets a policy on has none yet")
KMS_ALIAS = Check("kms.alias", "No KMS alias has a name the plan creates")
BUCKET_NAME = Check("s3.bucket-name", "No bucket has a name the plan creates")


def _trail(context: PreflightContext, target: Target) -> list[Finding]:
    cloudtrail = context.clients(target.account).client("cloudtrail", target.region)
    trails = cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]
    name = str(target.inputs.get("name"))
    same = [trail for trail in trails if trail.get("Name") == name]
    if same:
        # pulumi-aws docs, cloudtrail.Trail "Import": by the trail's ARN.
        arn = str(same[0]["TrailARN"])
        return [collision(context, TRAIL, target, f"trail {arn}", arn)]
    reason = f"no trail named {name}"
    others = sorted(str(t["Name"]) for t in trails if t.get("IsOrganizationTrail"))
    if others:
        # Not in the way, but each organization trail delivers (and bills) its own copy.
        reason += f"; the organization trail(s) {', '.join(others)} will log alongside it"
    return [found(TRAIL, Status.PASS, target.place, "-", reason)]


def _bus_policy(context: PreflightContext, target: Target) -> list[Finding]:
    events = context.clients(target.account).client("events", target.region)
    bus = str(target.inputs.get("eventBusName") or "default")
    policy = events.describe_event_bus(Name=bus).get("Policy")
    if not policy:
        return [found(BUS_POLICY, Status.PASS, target.place, f"event bus {bus}", "no policy")]
    sids = [str(each.get("Sid", "?")) for each in json.loads(policy).get("Statement", [])]
    effect = f"replaces its whole policy (statements {', '.join(sids)})"
    # pulumi-aws docs, cloudwatch.EventBusPolicy "Import": by the event bus name.
    existing = f"policy of event bus {bus}"
    return [collision(context, BUS_POLICY, target, existing, bus, effect=effect)]


def _place(target: Target) -> Place:
    return target.place


def _aliases(context: PreflightContext) -> list[Finding]:
    targets = sorted(context.plan.targets("aws:kms/alias:Alias"), key=_place)
    return [
        each
        for place, group in groupby(targets, key=_place)
        for each in guarded(KMS_ALIAS, place, partial(_aliases_in, context, place, list(group)))
    ]


def _aliases_in(
    context: PreflightContext, place: Place, targets: Iterable[Target]
) -> list[Finding]:
    kms = context.clients(place.account).client("kms", place.region)
    pages = kms.get_paginator("list_aliases").paginate()
    existing = {str(alias["AliasName"]) for page in pages for alias in page["Aliases"]}
    findings = []
    for target in targets:
        name = str(target.inputs.get("name"))
        if name in existing:
            # pulumi-aws docs, kms.Alias "Import": by the alias name.
            findings.append(collision(context, KMS_ALIAS, target, name, name))
        else:
            findings.append(found(KMS_ALIAS, Status.PASS, target.place, name, "free"))
    return findings


def _bucket(context: PreflightContext, target: Target) -> list[Finding]:
    name = target.inputs.get("bucket")
    if not name:
        reason = "named by Pulumi with a random suffix: no name to collide with"
        return [found(BUCKET_NAME, Status.PASS, target.place, target.resource.name, reason)]
    s3 = context.clients(target.account).client("s3", target.region)
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as error:
        if error_code(error) in {"404", "NoSuchBucket"}:
            return [found(BUCKET_NAME, Status.PASS, target.place, name, "free")]
        if error_code(error) != "403":
            raise
    owned = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name in owned:
        # pulumi-aws docs, s3.Bucket "Import": by the bucket name.
        return [collision(context, BUCKET_NAME, target, f"bucket {name}", str(name))]
    reason = "the name belongs to a bucket of another account: choose another name"
    return [found(BUCKET_NAME, Status.FAIL, target.place, str(name), reason)]


CHECKS = (
    PreflightCheck(TRAIL, partial(each_target, TRAIL, "aws:cloudtrail/trail:Trail", _trail)),
    PreflightCheck(
        BUS_POLICY,
        partial(
            each_target, BUS_POLICY, "aws:cloudwatch/eventBusPolicy:EventBusPolicy", _bus_policy
        ),
    ),
    PreflightCheck(KMS_ALIAS, _aliases),
    PreflightCheck(BUCKET_NAME, partial(each_target, BUCKET_NAME, "aws:s3/bucket:Bucket", _bucket)),
)
