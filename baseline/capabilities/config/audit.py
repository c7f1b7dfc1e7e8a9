"""AWS Config: the recorder, its delivery channel, and the spec's conformance packs.

Service-linked recorders (those other AWS services create) are not the baseline's: only the
customer managed recorder counts. Conformance packs are the account's own, or in
organization mode the organization's, deployed from the management or delegated admin
account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from baseline.audit.model import (
    ApiCall,
    AuditContext,
    Check,
    CheckResult,
    Probe,
    Scope,
    ServiceAudit,
)

RECORDER_ALL_SUPPORTED = Check(
    "config.recorder-all-supported", "The Config recorder records every supported resource type"
)
RECORDER_RECORDING = Check("config.recorder-recording", "The Config recorder is recording")
DELIVERY_CHANNEL = Check("config.delivery-channel", "Config has a delivery channel")
CONFORMANCE_PACKS = Check(
    "config.conformance-packs", "Every conformance pack the spec lists is deployed"
)
_DEPLOYED_PACK = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})
_DEPLOYED_ORGANIZATION_PACK = frozenset({"CREATE_SUCCESSFUL", "UPDATE_SUCCESSFUL"})


def customer_recorders(config: Any) -> list[Mapping[str, Any]]:
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    return [recorder for recorder in recorders if not recorder.get("servicePrincipal")]


def _resource(context: AuditContext, region: str, name: str) -> str:
    return f"arn:{context.clients.partition}:config:{region}:{context.clients.account_id}:{name}"


def _recorder_probe(context: AuditContext, region: str) -> list[CheckResult]:
    recorders = customer_recorders(context.clients.client("config", region))
    if not recorders:
        resource = _resource(context, region, "configuration-recorder")
        return [RECORDER_ALL_SUPPORTED.failed(region, resource, "no configuration recorder")]
    return [
        RECORDER_ALL_SUPPORTED.verdict(
            recorder.get("recordingGroup", {}).get("allSupported") is True,
            region,
            recorder.get("arn") or recorder["name"],
            "records all supported resource types",
            "records selected resource types only",
        )
        for recorder in recorders
    ]


def _status_probe(context: AuditContext, region: str) -> list[CheckResult]:
    config = context.clients.client("config", region)
    names = [recorder["name"] for recorder in customer_recorders(config)]
    if not names:
        resource = _resource(context, region, "configuration-recorder")
        return [RECORDER_RECORDING.failed(region, resource, "no configuration recorder")]
    statuses = config.describe_configuration_recorder_status(ConfigurationRecorderNames=names)
    return [
        RECORDER_RECORDING.verdict(
            status.get("recording") is True,
            region,
            status.get("arn") or status["name"],
            "recording",
            f"not recording (last status {status.get('lastStatus', 'unknown')})",
        )
        for status in statuses["ConfigurationRecordersStatus"]
    ]


def _delivery_probe(context: AuditContext, region: str) -> list[CheckResult]:
    config = context.clients.client("config", region)
    channels = config.describe_delivery_channels()["DeliveryChannels"]
    if not channels:
        resource = _resource(context, region, "delivery-channel")
        return [DELIVERY_CHANNEL.failed(region, resource, "no delivery channel")]
    return [
        DELIVERY_CHANNEL.passed(
            region, channel["name"], f"delivers to s3://{channel.get('s3BucketName', '?')}"
        )
        for channel in channels
    ]


def expected_packs(context: AuditContext) -> tuple[str, ...]:
    section = context.spec.config
    return section.conformance_packs + tuple(p.name for p in section.custom_conformance_packs)


def _packs_probe(context: AuditContext, region: str) -> list[CheckResult]:
    expected = expected_packs(context)
    if not expected:
        return [CONFORMANCE_PACKS.skipped(region, "-", "the spec lists no conformance packs")]
    config = context.clients.client("config", region)
    if context.spec.organization_mode:
        states = _organization_pack_states(config)
        deployed = _DEPLOYED_ORGANIZATION_PACK
    else:
        states = _account_pack_states(config)
        deployed = _DEPLOYED_PACK
    return [_pack_result(name, states.get(name), deployed, region) for name in expected]


def _pack_result(
    name: str, state: str | None, deployed: frozenset[str], region: str
) -> CheckResult:
    if state is None:
        return CONFORMANCE_PACKS.failed(region, name, "not deployed")
    return CONFORMANCE_PACKS.verdict(state in deployed, region, name, state, state)


def _account_pack_states(config: Any) -> dict[str, str]:
    pages = config.get_paginator("describe_conformance_pack_status").paginate()
    return _states(
        pages, "ConformancePackStatusDetails", "ConformancePackName", "ConformancePackState"
    )


def _organization_pack_states(config: Any) -> dict[str, str]:
    pages = config.get_paginator("describe_organization_conformance_pack_statuses").paginate()
    return _states(
        pages, "OrganizationConformancePackStatuses", "OrganizationConformancePackName", "Status"
    )


def _states(
    pages: Iterable[Mapping[str, Any]], items: str, name: str, state: str
) -> dict[str, str]:
    return {item[name]: item[state] for page in pages for item in page.get(items, [])}


API_CALLS: tuple[ApiCall, ...] = (
    # The recorder is looked up without knowing its name (its ARN ends in an id AWS makes up):
    # these two take "*".
    ApiCall("config", "DescribeConfigurationRecorders", "config:DescribeConfigurationRecorders"),
    ApiCall(
        "config",
        "DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
    ),
    ApiCall("config", "DescribeDeliveryChannels", "config:DescribeDeliveryChannels"),
    ApiCall("config", "DescribeConformancePackStatus", "config:DescribeConformancePackStatus"),
    ApiCall(
        "config",
        "DescribeOrganizationConformancePackStatuses",
        "config:DescribeOrganizationConformancePackStatuses",
    ),
)


SERVICE = ServiceAudit(
    name="config",
    scope=Scope.REGIONAL,
    probes=(
        Probe((RECORDER_ALL_SUPPORTED,), _recorder_probe),
        Probe((RECORDER_RECORDING,), _status_probe),
        Probe((DELIVERY_CHANNEL,), _delivery_probe),
        Probe((CONFORMANCE_PACKS,), _packs_probe),
    ),
    skip_reason=lambda context: (
        None if context.spec.config.enabled else "config.enabled is false in the spec"
    ),
    api_calls=API_CALLS,
)
