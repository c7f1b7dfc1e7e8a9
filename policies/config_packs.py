"""AWS Config: an organization conformance pack comes after the recorders it needs.

Every account of the organization (but those excluded) must have a configuration recorder
before an organization conformance pack can be created or updated (AWS Config Developer
Guide, "Managing Conformance Packs Across all Accounts in Your Organization"; pulumi-aws
`OrganizationConformancePack`). The pack cannot see the organization's accounts, so it
checks what the stack can show: each organization pack depends, directly or through other
resources, on something that brings recorders: a Recorder or RecorderStatus, or a StackSet
(or an instance of one) whose template creates an AWS::Config::ConfigurationRecorder with
the parameters it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from cfn_templates import creates, load_template
from graph import Undecided, by_type, first_dependency, named_targets, region_of
from helpers import as_mapping, label, text
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

ORGANIZATION_PACK = "aws:cfg/organizationConformancePack:OrganizationConformancePack"
RECORDER_TYPES = frozenset({"aws:cfg/recorder:Recorder", "aws:cfg/recorderStatus:RecorderStatus"})
STACK_SET = "aws:cloudformation/stackSet:StackSet"
STACK_SET_INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"
CFN_RECORDER = "AWS::Config::ConfigurationRecorder"
DOCUMENT = (
    "AWS Config Developer Guide: Managing Conformance Packs Across all Accounts in Your "
    "Organization"
)


class RecorderSources:
    """Decides whether a resource brings Config recorders to a Region.

    Recorders are regional: a Recorder or RecorderStatus counts in its Region, a StackSet
    instance in its `stackSetInstanceRegion`; a StackSet, whose instances may be anywhere,
    counts everywhere. A Region nobody names (the default provider's, offline) matches any.
    """

    def __init__(self, stack_sets: list[PolicyResource]) -> None:
        self._stack_sets = stack_sets
        self._decided: dict[str, bool] = {}

    def bring_to(self, region: str | None) -> Callable[[PolicyResource], bool]:
        def brings(resource: PolicyResource) -> bool:
            where = _region(resource)
            return (region is None or where in (None, region)) and self.brings_recorders(resource)

        return brings

    def brings_recorders(self, resource: PolicyResource) -> bool:
        if resource.urn not in self._decided:
            self._decided[resource.urn] = self._decide(resource)
        return self._decided[resource.urn]

    def _decide(self, resource: PolicyResource) -> bool:
        kind = resource.resource_type
        if kind in RECORDER_TYPES:
            return True
        if kind == STACK_SET:
            return _template_creates_recorder(resource, {})
        if kind == STACK_SET_INSTANCE:
            overrides = as_mapping(resource.props.get("parameterOverrides"))
            name = lambda: [resource.props.get("stackSetName")]  # noqa: E731
            return any(
                _template_creates_recorder(stack_set, overrides)
                for stack_set in named_targets(
                    resource, "stackSetName", name, self._stack_sets, ("name", "id")
                )
            )
        return False


def _region(resource: PolicyResource) -> str | None:
    kind = resource.resource_type
    if kind == STACK_SET:
        return None
    if kind == STACK_SET_INSTANCE:
        return region_of(resource, "stackSetInstanceRegion")
    return region_of(resource)


def _template_creates_recorder(stack_set: PolicyResource, overrides: Mapping[str, Any]) -> bool:
    template = load_template(text(stack_set.props, "templateBody"))
    parameters = {**as_mapping(stack_set.props.get("parameters")), **overrides}
    return template is not None and creates(template, CFN_RECORDER, parameters)


def _report_missing_recorders(
    pack: PolicyResource, sources: RecorderSources, report: ReportViolation
) -> None:
    region = region_of(pack)
    if first_dependency(pack, sources.bring_to(region)) is None:
        where = f" in {region}" if region else ""
        report(
            f"organization conformance pack {label(pack)} depends on no Config recorder{where} "
            "(Recorder, RecorderStatus, or a StackSet that creates recorders): AWS Config "
            "refuses it until every account of the organization records there "
            f"({DOCUMENT}).",
            pack.urn,
        )


def _validate_packs_after_recorders(args: StackValidationArgs, report: ReportViolation) -> None:
    found = by_type(args.resources, (ORGANIZATION_PACK, STACK_SET))
    sources = RecorderSources(found[STACK_SET])
    undecided = Undecided()
    for pack in found[ORGANIZATION_PACK]:
        undecided.judge(pack, partial(_report_missing_recorders, pack, sources, report))
    undecided.settle()


POLICIES = [
    stack_policy(
        name="config-organization-pack-after-recorders",
        summary=(
            "An organization conformance pack must depend on the resources that give the "
            "organization's accounts a Config recorder, which AWS Config requires before it "
            f"creates the pack ({DOCUMENT})."
        ),
        validate=_validate_packs_after_recorders,
        severity=Severity.HIGH,
        remediation_steps=(
            "Create the Config recorders (aws.cfg.Recorder and RecorderStatus in the accounts "
            "the stack manages, a StackSet that creates AWS::Config::ConfigurationRecorder for "
            "the others) and give the aws.cfg.OrganizationConformancePack depends_on=[...] "
            "those resources."
        ),
    ),
]
