"""The import file: `pulumi import --file` rebuilds, from each entry, the URN the plan gives
the resource; the commands create the providers first, then import, preview and deploy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baseline.preflight.imports import commands, import_document
from baseline.preflight.model import Adoption, with_region
from baseline.preflight.planned import PlanIndex
from baseline.preflight.state import StackState
from baseline.preview.model import Plan, PlannedResource
from tests.audit_harness import HOME
from tests.preflight_harness import MANAGEMENT, REPO, plan_of

# Nested two components deep (LogArchive > ManagedKey > Alias), one deep, and regional ones.
ADOPTED_TYPES = (
    "aws:kms/alias:Alias",
    "aws:cfg/recorder:Recorder",
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",
)


def qualified_type(urn: str) -> str:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>
    return urn.split("::")[2]


def engine_urns(document: dict[str, Any], stack: str, project: str) -> dict[str, str]:
    """Entry name -> the URN Pulumi makes of it (pulumi's parseImportFile: the parent's
    qualified type, `$`, the type, `::`, the logical name; no parent: under the stack)."""
    entries = {entry["name"]: entry for entry in document["resources"]}
    urns: dict[str, str] = {}

    def urn_of(name: str) -> str:
        if name in document["nameTable"]:
            return str(document["nameTable"][name])
        if name not in urns:
            entry = entries[name]
            parent = entry.get("parent")
            prefix = f"{qualified_type(urn_of(parent))}$" if parent else ""
            logical = entry.get("logicalName", entry["name"])
            urns[name] = f"urn:pulumi:{stack}::{project}::{prefix}{entry['type']}::{logical}"
        return urns[name]

    for name in entries:
        urn_of(name)
    return urns


def prod_index() -> PlanIndex:
    return PlanIndex(plan_of(REPO, "prod"), MANAGEMENT, HOME)


def adoptions_of(index: PlanIndex, types: tuple[str, ...]) -> list[Adoption]:
    return [
        Adoption(target, f"id-of-{target.resource.name}")
        for type_token in types
        for target in index.targets(type_token)
    ]


def test_every_entry_rebuilds_the_urn_the_plan_gives_it() -> None:
    index = prod_index()
    adoptions = adoptions_of(index, ADOPTED_TYPES)
    document = import_document(adoptions, index)
    urns = engine_urns(document, "prod", "security-baseline")
    by_id = {entry.get("id"): entry["name"] for entry in document["resources"]}
    for adoption in adoptions:
        assert urns[by_id[adoption.id]] == adoption.target.resource.urn
    components = [entry for entry in document["resources"] if entry.get("component")]
    assert components and all("id" not in entry for entry in components)
    assert {urns[entry["name"]] for entry in components} <= set(index.by_urn)
    nested = [e for e in components if e["type"] == "security-baseline:kms:ManagedKey"]
    assert nested and all(e["parent"] for e in nested)


def test_parents_come_before_their_children_and_providers_are_named_by_urn() -> None:
    index = prod_index()
    document = import_document(adoptions_of(index, ADOPTED_TYPES), index)
    seen: set[str] = set()
    for entry in document["resources"]:
        assert entry.get("parent") is None or entry["parent"] in seen
        seen.add(entry["name"])
    assert set(document["nameTable"].values()) == {
        resource.urn for resource in index.plan.resources if resource.type == "pulumi:providers:aws"
    }
    adopted = [entry for entry in document["resources"] if "id" in entry]
    assert {entry["provider"] for entry in adopted} == set(document["nameTable"])


def resource(urn_tail: str, type_token: str, name: str, parent: str = "") -> PlannedResource:
    urn = f"urn:pulumi:dev::p::{urn_tail}::{name}"
    return PlannedResource(urn=urn, type=type_token, name=name, custom=True, parent=parent)


def test_entries_sharing_a_logical_name_get_names_of_their_own() -> None:
    stack = resource("pulumi:pulumi:Stack", "pulumi:pulumi:Stack", "p-dev")
    first = resource("a:b:C", "a:b:C", "x", stack.urn)
    second = resource("a:b:D", "a:b:D", "x", stack.urn)
    child = resource("a:b:C$aws:s3/bucket:Bucket", "aws:s3/bucket:Bucket", "x", first.urn)
    plan = Plan("p", "dev", (stack, first, second, child), {}, 0.0)
    index = PlanIndex(plan, "123456789012", HOME)
    document = import_document(
        [Adoption(index.target(second), "s"), Adoption(index.target(child), "c")], index
    )
    names = [entry["name"] for entry in document["resources"]]
    assert len(names) == len(set(names))
    urns = engine_urns(document, "dev", "p")
    assert sorted(urns.values()) == sorted([first.urn, second.urn, child.urn])


def test_a_resource_outside_its_providers_region_is_imported_with_the_region() -> None:
    index = prod_index()
    detectors = {t.region: t for t in index.targets("aws:guardduty/detector:Detector")}
    assert with_region(detectors["us-east-1"], "d1") == "d1"
    assert with_region(detectors["eu-west-1"], "d2") == "d2@eu-west-1"
    (role,) = index.targets("aws:iam/serviceLinkedRole:ServiceLinkedRole")[:1]
    assert with_region(role, "arn:aws:iam::1:role/r") == "arn:aws:iam::1:role/r"


def test_commands_create_the_missing_providers_then_import_preview_and_deploy() -> None:
    index = prod_index()
    adoptions = adoptions_of(index, ("aws:guardduty/detector:Detector",))
    path = Path("imports dir/import.json")
    config = Path("policies/config/prod.json")
    steps = commands("prod", path, adoptions, StackState(), config)
    (provider,) = {adoption.target.provider_urn for adoption in adoptions}
    pack = "--policy-pack policies --policy-pack-config policies/config/prod.json"
    assert steps == [
        f"pulumi up --stack prod --target {provider}",
        "pulumi import --stack prod --file 'imports dir/import.json' --generate-code=false",
        f"pulumi preview --stack prod {pack}",
        f"pulumi up --stack prod {pack}",
    ]
    deployed = StackState(resources={provider: "provider-id"})
    assert commands("prod", path, adoptions, deployed)[0].startswith("pulumi import ")
