"""Pulumi mocks that answer like AWS, and a monitor that records the plan as the engine sees it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.settings import get_project, get_stack

from baseline.preview.aliases import alias_urns, make_urn
from baseline.preview.awsnames import (
    DNS_SUFFIX,
    Placement,
    computed_attributes,
    digest,
    organization_id_of,
)
from baseline.preview.model import UNKNOWN, PlannedResource
from baseline.preview.positions import ProgramPositions

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


class UnmockedDataSourceError(Exception):
    """A program called a data source the offline preview cannot answer without AWS."""


def _account_of_arn(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _decode_provider_value(value: Any) -> Any:
    # The engine hands nested provider configuration to providers as JSON strings.
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def provider_placement(inputs: Mapping[str, Any], default: Placement) -> Placement:
    """Account and region of an `aws` provider: its assumed role's account, its region."""
    account = default.account
    roles = _decode_provider_value(inputs.get("assumeRoles") or inputs.get("assumeRole"))
    if isinstance(roles, dict):
        roles = [roles]
    for role in roles or []:
        found = _account_of_arn(str(role.get("roleArn") or role.get("role_arn") or ""))
        account = found or account
    allowed = _decode_provider_value(inputs.get("allowedAccountIds"))
    if isinstance(allowed, list) and len(allowed) == 1:
        account = str(allowed[0])
    region = str(inputs.get("region") or default.region)
    partition = (
        "aws-us-gov"
        if region.startswith("us-gov-")
        else "aws-cn"
        if region.startswith("cn-")
        else "aws"
    )
    return Placement(partition=partition, account=account, region=region)


class AwsMocks(Mocks):
    """Mocks whose resources come back with AWS-shaped ids, ARNs and generated names."""

    def __init__(self, account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION) -> None:
        partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
        self.default = Placement(partition=partition, account=account, region=region)
        self._providers: dict[str, Placement] = {}

    def placement_of(self, provider_ref: str, inputs: Mapping[str, Any]) -> Placement:
        provider_id = provider_ref.rsplit("::", 1)[-1] if provider_ref else ""
        base = self._providers.get(provider_id, self.default)
        region = inputs.get("region")
        if isinstance(region, str) and region:
            return Placement(base.partition, base.account, region)
        return base

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            provider_id = f"{args.name}-{digest(args.typ, args.name, length=12)}"
            self._providers[provider_id] = provider_placement(inputs, self.default)
            return provider_id, inputs
        if not args.custom:
            return None, inputs
        at = self.placement_of(args.provider or "", inputs)
        computed = computed_attributes(args.typ, args.name, inputs, at)
        resource_id = str(computed.pop("id"))
        return resource_id, {**inputs, **computed}

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        at = self.placement_of(args.provider or "", args.args)
        answer = self._answer(args.token, at)
        if answer is None:
            raise UnmockedDataSourceError(
                f"the offline preview cannot answer the data source {args.token} without AWS"
            )
        return answer, []

    def _answer(self, token: str, at: Placement) -> dict[str, Any] | None:
        suffix = DNS_SUFFIX.get(at.partition, "amazonaws.com")
        answers: dict[str, dict[str, Any]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": {
                "id": at.account,
                "accountId": at.account,
                "arn": f"arn:{at.partition}:sts::{at.account}:assumed-role/deployer/pulumi",
                "userId": "AROA" + digest(at.account, length=17).upper() + ":pulumi",
            },
            "aws:index/getPartition:getPartition": {
                "id": at.partition,
                "partition": at.partition,
                "dnsSuffix": suffix,
                "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
            },
            "aws:index/getRegion:getRegion": {
                "id": at.region,
                "name": at.region,
                "region": at.region,
                "endpoint": f"ec2.{at.region}.{suffix}",
                "description": at.region,
            },
            "aws:organizations/getOrganization:getOrganization": _organization(at),
            "aws:index/getAvailabilityZones:getAvailabilityZones": {
                "id": at.region,
                "names": [f"{at.region}{zone}" for zone in "abc"],
                "zoneIds": [f"{at.region[:3]}{at.region[-1]}-az{n}" for n in (1, 2, 3)],
                "state": "available",
            },
        }
        return answers.get(token)


def _organization(at: Placement) -> dict[str, Any]:
    """DescribeOrganization and ListRoots as the management account (`at`) reads them."""
    organization = organization_id_of(at.account)
    root = f"r-{digest('root', at.account, length=4)}"
    prefix = f"arn:{at.partition}:organizations::{at.account}"
    management = {
        "arn": f"{prefix}:account/{organization}/{at.account}",
        "email": f"aws+{at.account}@example.com",
        "id": at.account,
        "joinedMethod": "CREATED",
        "joinedTimestamp": "2020-01-01T00:00:00Z",
        "name": "management",
        "state": "ACTIVE",
        "status": "ACTIVE",
    }
    return {
        "id": organization,
        "arn": f"{prefix}:organization/{organization}",
        "featureSet": "ALL",
        "masterAccountArn": management["arn"],
        "masterAccountEmail": management["email"],
        "masterAccountId": at.account,
        "masterAccountName": management["name"],
        "accounts": [management],
        "nonMasterAccounts": [],
        "awsServiceAccessPrincipals": [],
        "enabledPolicyTypes": ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"],
        "roots": [
            {
                "arn": f"{prefix}:root/{organization}/{root}",
                "id": root,
                "name": "Root",
                "policyTypes": [
                    {"status": "ENABLED", "type": "SERVICE_CONTROL_POLICY"},
                    {"status": "ENABLED", "type": "RESOURCE_CONTROL_POLICY"},
                ],
            }
        ],
    }


def engine_form(struct: Any) -> dict[str, Any]:
    """The JSON form of a protobuf Struct, keeping Pulumi's secret and unknown signatures."""
    return json_format.MessageToDict(struct, preserving_proto_field_name=True)


def default_provider_name(version: str) -> str:
    """The name the engine gives a package's default provider (ProviderRequest.DefaultName)."""
    # URN names may not hold dashes or dots there, so the engine writes the version with "_".
    return "default_" + version.replace(".", "_").replace("-", "_") if version else "default"


class RecordingMonitor(MockMonitor):
    """A mock monitor that also keeps what the engine would know of each registration."""

    def __init__(self, mocks: Mocks, positions: ProgramPositions | None = None) -> None:
        super().__init__(mocks)
        self.planned: list[PlannedResource] = []
        self.duplicate_urns: list[str] = []
        self._registered: set[str] = set()
        self._positions = positions
        self._position_of: dict[str, str] = {}
        self._aliases_of: dict[str, tuple[str, ...]] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine qualifies a child's type with its parent's whole qualified type (pulumi's
        # resource.NewURN with the parent URN's QualifiedType), except under the root stack;
        # the SDK's mock keeps only the parent's own type, wrong two components deep.
        return make_urn(parent, type_, name, get_stack(), get_project())

    def provider_reference(self, request: Any) -> str:
        """The provider reference the engine records: the program's, or the default provider's.

        A custom resource registered without a provider gets its package's default provider,
        which the engine creates at the root; the program never registers it, so its id stays
        unknown, as in a preview.
        """
        if request.provider or not request.custom or request.type.startswith("pulumi:providers:"):
            return str(request.provider)
        package = request.type.split(":", 1)[0]
        name = default_provider_name(request.version)
        return f"{self.make_urn('', f'pulumi:providers:{package}', name)}::{UNKNOWN}"

    def source_position(self, request: Any) -> str:
        """Where the program declared the resource; a resource created where the program's
        code is not on the stack (in a callback of a library) takes its parent's position."""
        if self._positions is None or request.type == "pulumi:pulumi:Stack":
            return ""
        return self._positions.position(request) or self._position_of.get(request.parent, "")

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        urn = response.urn
        # The engine refuses a second registration of a URN (diag.GetDuplicateResourceURNError).
        if urn in self._registered:
            self.duplicate_urns.append(urn)
        self._registered.add(urn)
        registered = self.resources.get(urn)
        inputs = engine_form(request.object)
        # The mock's state lost the inputs' secret marks; only what it computed is taken from it.
        computed = engine_form(response.object) if registered is not None else {}
        outputs = {**{k: v for k, v in computed.items() if k not in inputs}, **inputs}
        position = self._position_of.setdefault(urn, self.source_position(request))
        aliases = alias_urns(request, (get_stack(), get_project()), self._aliases_of)
        self._aliases_of[urn] = aliases
        self.planned.append(
            PlannedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                id=(registered.id or "") if registered is not None else "",
                provider=self.provider_reference(request),
                dependencies=tuple(request.dependencies),
                property_dependencies={
                    key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
                },
                inputs=inputs,
                outputs=outputs,
                protect=bool(request.protect),
                delete_before_replace=bool(request.deleteBeforeReplace),
                source_position=position,
                aliases=aliases,
            )
        )
        return response
