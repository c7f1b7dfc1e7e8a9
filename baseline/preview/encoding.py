"""Resources as the engine sends them to an analyzer: property Structs, options, provider.

The engine marshals properties for analyzers with unknowns and secrets kept (as their
signatures), resource references flattened (to the referenced id, or the URN of a
component), and internal `__` keys dropped. Plans from the mock monitor never hold output
values (the monitor refuses that feature), so they need no translation here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from baseline.preview.model import (
    RESOURCE_REFERENCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    PlannedResource,
)


def engine_properties(props: Mapping[str, Any], skip_internal_keys: bool = True) -> Any:
    """The engine-JSON property map as the engine marshals it for an analyzer."""
    return _marshal_object(props, skip_internal_keys)


def properties_struct(props: Mapping[str, Any], skip_internal_keys: bool = True) -> Any:
    """`engine_properties` as the protobuf Struct that goes on the wire."""
    return json_format.ParseDict(engine_properties(props, skip_internal_keys), struct_pb2.Struct())


def _marshal_object(obj: Mapping[str, Any], skip_internal_keys: bool) -> dict[str, Any]:
    return {
        key: _marshal_value(value, skip_internal_keys)
        for key, value in obj.items()
        if not (skip_internal_keys and key.startswith("__"))
    }


def _marshal_value(value: Any, skip_internal_keys: bool) -> Any:
    if isinstance(value, list):
        return [_marshal_value(item, skip_internal_keys) for item in value]
    if not isinstance(value, dict):
        return value
    signature = value.get(SIG_KEY)
    if signature == RESOURCE_REFERENCE_SIG:
        return _flatten_reference(value)
    if signature == SECRET_SIG:
        return {
            SIG_KEY: SECRET_SIG,
            "value": _marshal_value(value.get("value"), skip_internal_keys),
        }
    if signature is not None:
        # Assets and archives travel as they are; the policy SDK rebuilds them.
        return value
    return _marshal_object(value, skip_internal_keys)


def _flatten_reference(reference: Mapping[str, Any]) -> Any:
    if "id" not in reference:
        return reference.get("urn", "")
    resource_id = reference["id"]
    # An empty id is how a reference to a resource not created yet says "unknown".
    return UNKNOWN if resource_id in ("", None) else resource_id


def provider_urn(reference: str) -> str:
    """The URN part of a provider reference `<urn>::<id>`."""
    return reference.rsplit("::", 1)[0] if reference else ""


def urn_name(urn: str) -> str:
    """The resource name at the end of a URN, as the engine's `URN.Name()`."""
    return urn.rsplit("::", 1)[-1]


class PlanEncoder:
    """Builds the Analyze and AnalyzeStack messages for the resources of one plan."""

    def __init__(self, resources: tuple[PlannedResource, ...]) -> None:
        self._by_urn = {resource.urn: resource for resource in resources}

    def analyze_request(
        self, resource: PlannedResource, inputs: Mapping[str, Any], skip_internal_keys: bool = True
    ) -> analyzer_pb2.AnalyzeRequest:
        """What the engine sends to Analyze (and Remediate) for one registration."""
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            urn=resource.urn,
            name=urn_name(resource.urn),
            properties=properties_struct(inputs, skip_internal_keys),
            options=resource_options(resource),
        )
        provider = self.provider_of(resource)
        if provider is not None:
            request.provider.CopyFrom(provider)
        return request

    def stack_resource(
        self, resource: PlannedResource, properties: Mapping[str, Any]
    ) -> analyzer_pb2.AnalyzerResource:
        """One resource of AnalyzeStack, with its final properties and its graph edges."""
        message = analyzer_pb2.AnalyzerResource(
            type=resource.type,
            urn=resource.urn,
            name=urn_name(resource.urn),
            properties=properties_struct(properties),
            options=resource_options(resource),
            parent=resource.parent,
            dependencies=list(resource.dependencies),
            propertyDependencies={
                key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                for key, urns in resource.property_dependencies.items()
                if urns
            },
        )
        provider = self.provider_of(resource)
        if provider is not None:
            message.provider.CopyFrom(provider)
        return message

    def provider_of(
        self, resource: PlannedResource
    ) -> analyzer_pb2.AnalyzerProviderResource | None:
        """The provider resource with its inputs, when the plan holds it."""
        provider = self._by_urn.get(provider_urn(resource.provider))
        if provider is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=provider.type,
            urn=provider.urn,
            name=urn_name(provider.urn),
            properties=properties_struct(provider.inputs),
        )


def resource_options(resource: PlannedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    """The options the engine reports; the engine always sends custom timeouts, zero if unset."""
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        deleteBeforeReplace=resource.delete_before_replace,
        deleteBeforeReplaceDefined=resource.delete_before_replace,
        parent=resource.parent,
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
    )
