"""AWS Config: a recorder and delivery channel per region, conformance packs, an aggregator.

Conformance packs are CloudFormation templates of Config rules: the ones shipped under
`conformance_packs/`, or a user's own, passed to AWS as the template body. In organization mode
the security account is Config's delegated administrator (registered by the management account)
and deploys them as organization conformance packs to every member account; member accounts need
a recorder of their own before AWS creates an organization pack (pulumi-aws
OrganizationConformancePack: "Every Organization account ... must have a Configuration Recorder
... before the Organization Conformance Pack will successfully create"): `member_recordings`
names, per region, what gives the other accounts theirs, and each pack there waits for it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws
import yaml

from baseline.capabilities.config.recorders import (
    CONFIG_PRINCIPAL,
    DEFAULT_RECORDER_NAME,
    DeliveryDestination,
    Recording,
    ServiceLinkedRoleChoice,
    check_recorder_name,
    check_service_linked_role,
    record_region,
    recorder_role_arn,
)
from baseline.capabilities.shared import organization_admin, require_region_list
from components.aws_partitions import partition_of
from components.iam import policy_document, trust_policy

PACKS_DIR = Path(__file__).parent / "conformance_packs"
SHIPPED_PACKS = ("baseline", "s3-operational-best-practices")
# AWS's limit on a conformance pack's template body.
MAX_TEMPLATE_BYTES = 51200
# A template parameter the organization fills with the delegated administrator's account.
CENTRAL_MONITORING_PARAMETER = "CentralMonitoringAccount"
# Register the delegated administrator for organization rules and packs, and for aggregators.
MULTI_ACCOUNT_SETUP_PRINCIPAL = "config-multiaccountsetup.amazonaws.com"


class _CloudFormationLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Reads CloudFormation YAML, whose short-form functions (!Ref, !Sub) are local tags.

    libyaml's parser when PyYAML was built with it: a tenth of the pure-Python parser's time.
    """


_CloudFormationLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class _TemplateOutline:
    """What the program reads of a template: whether it has Resources, its parameters."""

    has_resources: bool
    parameters: frozenset[str]


@functools.cache
def _outline(body: str) -> _TemplateOutline:
    """Each template body is parsed once, however many accounts and regions deploy it."""
    document = yaml.load(body, Loader=_CloudFormationLoader)
    if not isinstance(document, dict):
        return _TemplateOutline(has_resources=False, parameters=frozenset())
    return _TemplateOutline(
        has_resources=isinstance(document.get("Resources"), dict),
        parameters=frozenset((document.get("Parameters") or {}).keys()),
    )


@dataclass(frozen=True)
class ConformancePackTemplate:
    name: str
    body: str

    @property
    def parameters(self) -> frozenset[str]:
        """The names of the template's parameters."""
        return _outline(self.body).parameters


def load_conformance_pack(name: str, path: str | Path | None = None) -> ConformancePackTemplate:
    """A shipped pack by name (`baseline`), or a user's template at `path`, checked to be one."""
    template_path = Path(path) if path is not None else PACKS_DIR / f"{name}.yaml"
    if path is None and name not in SHIPPED_PACKS:
        raise ValueError(f"no shipped conformance pack {name!r}: one of {', '.join(SHIPPED_PACKS)}")
    body = template_path.read_text(encoding="utf-8")
    if len(body.encode()) > MAX_TEMPLATE_BYTES:
        raise ValueError(f"{template_path}: larger than the {MAX_TEMPLATE_BYTES} bytes AWS accepts")
    try:
        outline = _outline(body)
    except yaml.YAMLError as error:
        raise ValueError(f"{template_path}: not YAML or JSON: {error}") from error
    if not outline.has_resources:
        raise ValueError(f"{template_path}: a conformance pack template needs a Resources mapping")
    return ConformancePackTemplate(name=name, body=body)


def _shipped_packs() -> tuple[ConformancePackTemplate, ...]:
    return tuple(load_conformance_pack(name) for name in SHIPPED_PACKS)


@dataclass(frozen=True)
class ConfigArgs:
    home_region: str
    regions: tuple[str, ...]
    delivery: DeliveryDestination
    conformance_packs: tuple[ConformancePackTemplate, ...] = field(default_factory=_shipped_packs)
    # None: the service-linked role AWSServiceRoleForConfig, created here or, with
    # `service_linked_role="existing"`, the one the account has (IAM refuses a second one).
    role_arn: pulumi.Input[str] | None = None
    service_linked_role: ServiceLinkedRoleChoice = "create"
    recorder_name: str = DEFAULT_RECORDER_NAME
    # Organization mode only.
    aggregator: bool = True
    # Empty: every region, including future ones.
    aggregator_regions: tuple[str, ...] = ()
    # Organization mode: the (security) account the management account registers.
    delegated_admin_account_id: str | None = None
    # Organization mode: per region, what gives the organization's other accounts a recorder
    # there (their recorders and statuses, the StackSet instances that create them).
    member_recordings: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_region_list("ConfigArgs", self.home_region, self.regions)
        check_recorder_name("ConfigArgs", self.recorder_name)
        check_service_linked_role("ConfigArgs", self.service_linked_role)
        unknown = sorted(set(self.member_recordings) - set(self.regions))
        if unknown:
            raise ValueError(f"ConfigArgs.member_recordings: regions not recorded: {unknown}")
        names = [pack.name for pack in self.conformance_packs]
        if len(set(names)) != len(names):
            raise ValueError("ConfigArgs.conformance_packs: two packs have the same name")


class Config(pulumi.ComponentResource):
    """Recorders, delivery channels, conformance packs and (organization mode) an aggregator.

    `opts.provider` is the security account; `management_provider` (organization mode) is the
    management account, which registers the security account as Config's delegated administrator.
    """

    recordings: dict[str, Recording]
    conformance_pack_names: list[pulumi.Output[str]]
    aggregator_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: ConfigArgs,
        management_provider: pulumi.ProviderResource | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("security-baseline:config:Config", name, None, opts)
        admin_account_id = organization_admin(args.delegated_admin_account_id, management_provider)
        role_arn = (
            args.role_arn
            if args.role_arn is not None
            else recorder_role_arn(self, name, args.service_linked_role)
        )
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
        self.conformance_pack_names = []
        self.aggregator_arn = None
        if management_provider is not None and admin_account_id is not None:
            self._organization(name, args, admin_account_id, management_provider)
        else:
            self._account_packs(name, args)
        self.register_outputs(
            {
                "conformance_pack_names": self.conformance_pack_names,
                "aggregator_arn": self.aggregator_arn,
            }
        )

    def _account_packs(self, name: str, args: ConfigArgs) -> None:
        for region in args.regions:
            for pack in args.conformance_packs:
                created = aws.cfg.ConformancePack(
                    f"{name}-pack-{pack.name}-{region}",
                    name=pack.name,
                    template_body=pack.body,
                    region=region,
                    opts=pulumi.ResourceOptions(
                        parent=self, depends_on=[self.recordings[region].status]
                    ),
                )
                self.conformance_pack_names.append(created.name)

    def _organization(
        self,
        name: str,
        args: ConfigArgs,
        admin_account_id: str,
        management_provider: pulumi.ProviderResource,
    ) -> None:
        from_management = pulumi.ResourceOptions(parent=self, provider=management_provider)
        packs_admin = aws.organizations.DelegatedAdministrator(
            f"{name}-admin-multiaccountsetup",
            account_id=admin_account_id,
            service_principal=MULTI_ACCOUNT_SETUP_PRINCIPAL,
            opts=from_management,
        )
        for region in args.regions:
            recorded = [
                *self.recordings[region].resources,
                *args.member_recordings.get(region, ()),
                packs_admin,
            ]
            for pack in args.conformance_packs:
                self._organization_pack(name, region, pack, admin_account_id, recorded)
        if args.aggregator:
            aggregator_admin = aws.organizations.DelegatedAdministrator(
                f"{name}-admin-config",
                account_id=admin_account_id,
                service_principal=CONFIG_PRINCIPAL,
                opts=from_management,
            )
            self.aggregator_arn = self._aggregator(name, args, admin_account_id, aggregator_admin)

    def _organization_pack(
        self,
        name: str,
        region: str,
        pack: ConformancePackTemplate,
        admin_account_id: str,
        prerequisites: Sequence[pulumi.Resource],
    ) -> None:
        """`prerequisites`: every account's recording in `region`, and the registration."""
        parameters = (
            [
                aws.cfg.OrganizationConformancePackInputParameterArgs(
                    parameter_name=CENTRAL_MONITORING_PARAMETER, parameter_value=admin_account_id
                )
            ]
            if CENTRAL_MONITORING_PARAMETER in pack.parameters
            else None
        )
        created = aws.cfg.OrganizationConformancePack(
            f"{name}-pack-{pack.name}-{region}",
            name=pack.name,
            template_body=pack.body,
            input_parameters=parameters,
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(prerequisites)),
        )
        self.conformance_pack_names.append(created.name)

    def _aggregator(
        self,
        name: str,
        args: ConfigArgs,
        admin_account_id: str,
        aggregator_admin: aws.organizations.DelegatedAdministrator,
    ) -> pulumi.Output[str]:
        role = aws.iam.Role(
            f"{name}-aggregator-role",
            description="Lets AWS Config read the organization's accounts for the aggregator",
            assume_role_policy=policy_document(
                [
                    trust_policy(
                        "ConfigAggregator",
                        {"Service": CONFIG_PRINCIPAL},
                        {"StringEquals": {"aws:SourceAccount": admin_account_id}},
                    )
                ]
            ),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-aggregator-role-policy",
            role=role.name,
            policy_arn=(
                f"arn:{partition_of(args.home_region)}:iam::aws:policy/service-role/"
                "AWSConfigRoleForOrganizations"
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aggregator = aws.cfg.ConfigurationAggregator(
            f"{name}-aggregator",
            organization_aggregation_source=aws.cfg.ConfigurationAggregatorOrganizationAggregationSourceArgs(
                role_arn=role.arn,
                all_regions=True if not args.aggregator_regions else None,
                regions=list(args.aggregator_regions) or None,
            ),
            region=args.home_region,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment, aggregator_admin]),
        )
        return aggregator.arn
