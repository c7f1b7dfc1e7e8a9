"""Analyze and AnalyzeStack that decode each request once for the whole pack.

pulumi-policy 1.21's servicer (`pulumi_policy.policy._PolicyAnalyzerServicer`) decodes a
resource's properties, options and provider again for every policy: each `Analyze` decodes the
resource once per resource policy, and `AnalyzeStack` decodes the whole stack once per stack
policy. This servicer decodes each request once and hands the same values to every policy
(the SDK's proxy would let a policy assign to them; this pack's policies only read them). It
skips a resource policy whose `resource_types` (metadata.TypedResourcePolicy) leave the
resource's type out before any work, where the policy's own validation would return at once.
Everything else is the SDK's, step for step: the order of policies and diagnostics,
enforcement levels, "can't run policy ... during preview" advisories, not-applicable answers.
tests/test_policies_shared_decoding.py compares its answers with the SDK servicer's over whole
plans. docs/upstream/pulumi-policy-deserialize-once.md asks upstream for the same.

`install()` makes `PolicyPack` serve with this servicer. It relies on the SDK's private
servicer, so it does so only for the pinned version (policies/requirements.txt); on any other
version it changes nothing and the SDK's own servicer gives the same answers, only slower.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import pulumi_policy.policy as sdk
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from pulumi_policy.version import VERSION

# The SDK version whose private servicer this one extends (policies/requirements.txt).
PINNED_SDK_VERSION = "1.21.0"
# The SDK offers no hook for its servicer: this extends the private class of the pinned version.
_SDK_SERVICER = sdk._PolicyAnalyzerServicer


@dataclass(frozen=True)
class _Decoded:
    """One resource of a request as policies read it: decoded once, shared, never changed."""

    props: Any
    opts: PolicyResourceOptions
    provider: PolicyProviderResource | None


class SharedDecodingServicer(_SDK_SERVICER):
    """The SDK's servicer, decoding each Analyze and AnalyzeStack request once."""

    def _private(self, name: str) -> Any:
        return getattr(self, f"_PolicyAnalyzerServicer__{name}")

    def _decode(self, resource: Any) -> _Decoded:
        props = unknown_checking_proxy(deserialize_properties(_to_dict(resource.properties)))
        return _Decoded(
            props, self._get_resource_options(resource), self._get_provider_resource(resource)
        )

    def Analyze(self, request: Any, _context: Any) -> Any:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        decoded: _Decoded | None = None
        for policy in self._private("policies"):
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(
                policy, ResourceValidationPolicy
            ):
                continue
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            if not evaluates(policy, request.type):
                continue
            decoded = decoded or self._decode(request)
            args = ResourceValidationArgs(
                request.type,
                decoded.props,
                request.urn,
                request.name,
                decoded.opts,
                decoded.provider,
                self._get_policy_config(policy.name),
                self._private("stack_tags"),
            )
            self._run(policy, level, response, args)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        resources: list[PolicyResource] | None = None
        for policy in self._private("policies"):
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, StackValidationPolicy):
                continue
            resources = resources if resources is not None else self._stack_resources(request)
            # Each policy gets its own list, as from the SDK; the resources are shared.
            stack_args = StackValidationArgs(
                list(resources), self._get_policy_config(policy.name), self._private("stack_tags")
            )
            self._run(policy, level, response, stack_args)
        return response

    def _stack_resources(self, request: Any) -> list[PolicyResource]:
        """The stack's resources linked to their parents and dependencies, as the SDK links
        them for each stack policy."""
        made = []
        for r in request.resources:
            decoded = self._decode(r)
            resource = PolicyResource(
                r.type, decoded.props, r.urn, r.name, decoded.opts, decoded.provider, None, [], {}
            )
            made.append((resource, r))
        by_urn = {resource.urn: resource for resource, _ in made}
        for resource, r in made:
            if r.parent in by_urn:
                resource.parent = by_urn[r.parent]
            resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
            for key, deps in r.propertyDependencies.items():
                resource.property_dependencies[key] = [by_urn[d] for d in deps.urns if d in by_urn]
        return [resource for resource, _ in made]

    def _run(
        self,
        policy: Policy,
        level: EnforcementLevel,
        response: Any,
        args: ResourceValidationArgs | StackValidationArgs,
    ) -> None:
        """One policy's validation with the SDK's handling of its outcome."""
        if level == EnforcementLevel.REMEDIATE:
            # Remediation already ran: what is still reported is mandatory (as in the SDK).
            level = EnforcementLevel.MANDATORY
        report = self._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )
        try:
            result = policy.validate(args, report)  # type: ignore[attr-defined]
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))  # type: ignore[arg-type]
                loop.close()
        except UnknownValueError as error:
            name, version = self._private("policy_pack_name"), self._private("policy_pack_version")
            response.diagnostics.append(
                proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=name,
                    policyPackVersion=version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{name}@v{version}' during preview: {error.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
                )
            )
        except sdk._NotApplicableError as error:  # what args.not_applicable() raises
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
            )


def _to_dict(struct: Any) -> dict[str, Any]:
    # The SDK's own conversion (protobuf's json_format, which the SDK imports).
    result: dict[str, Any] = sdk.json_format.MessageToDict(struct)
    return result


def evaluates(policy: Policy, resource_type: str) -> bool:
    """Whether `policy` does any work for a resource of `resource_type`."""
    types: frozenset[str] | None = getattr(policy, "resource_types", None)
    return types is None or resource_type in types


def install() -> bool:
    """Make `PolicyPack` serve with `SharedDecodingServicer`; False (and nothing changed) on
    a pulumi-policy version other than the pinned one."""
    if VERSION != PINNED_SDK_VERSION:
        print(
            f"security-baseline: pulumi-policy {VERSION} is not {PINNED_SDK_VERSION}: "
            "policies decode each resource once per policy (slower, same results)",
            file=sys.stderr,
        )
        return False
    sdk._PolicyAnalyzerServicer = SharedDecodingServicer  # type: ignore[misc]
    return True
