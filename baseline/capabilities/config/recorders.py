"""AWS Config recording in one account: a recorder, delivery channel and status per region.

`Config` (component.py) records its own account this way; `ConfigRecorders` does it for
another account of the organization (the management and log-archive accounts), whose recorders
organization conformance packs and Firewall Manager need as much as the members' ones.

    ConfigRecorders("config-recorders-management", ConfigRecordersArgs(
        home_region="eu-west-1",
        regions=("eu-west-1", "us-east-1"),
        delivery=DeliveryDestination(bucket_name=archive.bucket, kms_key_arn=archive.key_arn),
    ), opts=pulumi.ResourceOptions(provider=management))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from baseline.capabilities.shared import require_region_list
from components.iam import aws_context

CONFIG_PRINCIPAL = "config.amazonaws.com"
# AWS creates the service-linked role at this path; its name is fixed (IAM user guide,
# "Using service-linked roles for AWS Config").
SERVICE_LINKED_ROLE = f"role/aws-service-role/{CONFIG_PRINCIPAL}/AWSServiceRoleForConfig"
# The name AWS's own console gives the recorder and the delivery channel.
DEFAULT_RECORDER_NAME = "default"
# RecorderName and ChannelName: 1 to 256 characters (botocore's config model).
RECORDER_NAME = re.compile(r"\S{1,256}")
SERVICE_LINKED_ROLE_CHOICES = ("create", "existing")
ServiceLinkedRoleChoice = Literal["create", "existing"]


@dataclass(frozen=True)
class DeliveryDestination:
    """Where Config delivers history and snapshots: a bucket (and prefix), with a KMS key.

    AWS requires the key in the bucket's region.
    """

    bucket_name: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    prefix: str = "config"


@dataclass(frozen=True)
class Recording:
    """What one account and region record with: its recorder and the status that starts it."""

    recorder: aws.cfg.Recorder
    status: aws.cfg.RecorderStatus

    @property
    def resources(self) -> tuple[pulumi.Resource, ...]:
        """What a resource needing this recording waits for: the recorder, and its start."""
        return (self.recorder, self.status)


def check_recorder_name(owner: str, name: str) -> None:
    if not RECORDER_NAME.fullmatch(name):
        raise ValueError(f"{owner}.recorder_name: 1 to 256 characters without spaces: {name!r}")


def check_service_linked_role(owner: str, choice: str) -> None:
    if choice not in SERVICE_LINKED_ROLE_CHOICES:
        allowed = " or ".join(SERVICE_LINKED_ROLE_CHOICES)
        raise ValueError(f"{owner}.service_linked_role: {allowed}, got {choice!r}")


def recorder_role_arn(
    parent: pulumi.Resource, name: str, service_linked_role: ServiceLinkedRoleChoice
) -> pulumi.Output[str]:
    """The service-linked role of `parent`'s account: created here, or the one AWS has.

    IAM refuses to create the role twice in an account, so an account that has it (another
    tool, or an earlier Config setup) says `existing`.
    """
    if service_linked_role == "create":
        role = aws.iam.ServiceLinkedRole(
            f"{name}-service-role",
            aws_service_name=CONFIG_PRINCIPAL,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        return role.arn
    return aws_context(parent).apply(
        lambda context: f"arn:{context.partition}:iam::{context.account_id}:{SERVICE_LINKED_ROLE}"
    )


def record_region(
    parent: pulumi.Resource,
    name: str,
    region: str,
    *,
    home: bool,
    role_arn: pulumi.Input[str],
    delivery: DeliveryDestination,
    recorder_name: str,
) -> Recording:
    """The recorder of `region` in `parent`'s account, its delivery channel, and its start."""
    recorder = aws.cfg.Recorder(
        f"{name}-recorder-{region}",
        # AWS allows one customer managed recorder per account and region.
        name=recorder_name,
        role_arn=role_arn,
        recording_group=aws.cfg.RecorderRecordingGroupArgs(
            all_supported=True,
            # IAM and other global resources once, from the home region, not once per region.
            include_global_resource_types=home,
            recording_strategies=[
                aws.cfg.RecorderRecordingGroupRecordingStrategyArgs(
                    use_only="ALL_SUPPORTED_RESOURCE_TYPES"
                )
            ],
        ),
        recording_mode=aws.cfg.RecorderRecordingModeArgs(recording_frequency="CONTINUOUS"),
        region=region,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    channel = aws.cfg.DeliveryChannel(
        f"{name}-delivery-{region}",
        name=recorder_name,
        s3_bucket_name=delivery.bucket_name,
        s3_key_prefix=delivery.prefix,
        s3_kms_key_arn=delivery.kms_key_arn,
        snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
            delivery_frequency="TwentyFour_Hours"
        ),
        region=region,
        # AWS refuses a delivery channel before the recorder exists.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[recorder]),
    )
    status = aws.cfg.RecorderStatus(
        f"{name}-recording-{region}",
        name=recorder.name,
        is_enabled=True,
        region=region,
        # A recorder only starts with somewhere to deliver to.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[channel]),
    )
    return Recording(recorder=recorder, status=status)


@dataclass(frozen=True)
class ConfigRecordersArgs:
    home_region: str
    regions: tuple[str, ...]
    delivery: DeliveryDestination
    recorder_name: str = DEFAULT_RECORDER_NAME
    service_linked_role: ServiceLinkedRoleChoice = "create"

    def __post_init__(self) -> None:
        require_region_list("ConfigRecordersArgs", self.home_region, self.regions)
        check_recorder_name("ConfigRecordersArgs", self.recorder_name)
        check_service_linked_role("ConfigRecordersArgs", self.service_linked_role)


class ConfigRecorders(pulumi.ComponentResource):
    """Continuous recording of every supported type in `regions` of the provider's account."""

    recordings: dict[str, Recording]

    def __init__(
        self, name: str, args: ConfigRecordersArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("security-baseline:config_recorders:ConfigRecorders", name, None, opts)
        role_arn = recorder_role_arn(self, name, args.service_linked_role)
        self.recordings = {
            region: record_region(
                self,
                name,
                region,
                home=region == args.home_region,
                role_arn=role_arn,
                delivery=args.delivery,
                recorder_name=args.recorder_name,
            )
            for region in args.regions
        }
        self.register_outputs(
            {"recorder_names": {r: rec.recorder.name for r, rec in self.recordings.items()}}
        )
