"""AWS Config: the recorder records every supported resource type.

Named `awsconfig`, not `config`: the pack directory also holds `config/` (the policy pack
configuration files). A `config.py` beside it would still import, since Python prefers a
module file to a directory without `__init__.py`, but the two would share one name, and
`config` is generic enough to collide with other top-level modules once tests put the pack
directory on `sys.path`.
"""

from __future__ import annotations

from helpers import as_mapping, flag
from metadata import resource_policy
from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

RECORDER = "aws:cfg/recorder:Recorder"


def _validate_all_resources(args: ResourceValidationArgs, report: ReportViolation) -> None:
    # Without a recording group, or without allSupported in it, AWS Config records all.
    if args.resource_type == RECORDER:
        group = as_mapping(args.props.get("recordingGroup"))
        if not flag(group, "allSupported", True):
            report(
                "recording_group.all_supported is false: some resource types go unrecorded.", None
            )


POLICIES = [
    resource_policy(
        name="config-recorder-all-resources",
        summary="AWS Config recorders must record all supported resource types.",
        validate=_validate_all_resources,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Set recording_group.all_supported=True on the aws.cfg.Recorder (and "
            "include_global_resource_types=True in one region)."
        ),
    ),
]
