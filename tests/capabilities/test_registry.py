"""One registry of capabilities: the schema, the spec, the program, the audit and the auditor's
permissions are all made from it, and every capability folder is in it."""

from dataclasses import fields
from types import UnionType
from typing import get_origin, get_type_hints

import pytest

from baseline.audit import permissions
from baseline.audit.coverage import runner as coverage_runner
from baseline.audit.model import ApiCall
from baseline.audit.runner import SERVICES
from baseline.capabilities.registry import CAPABILITIES
from baseline.program import Baseline
from baseline.schema import SECTIONS
from baseline.spec import Spec
from baseline.spec_loader import parse_spec
from tests.paths import REPO

CAPABILITIES_DIR = REPO / "baseline" / "capabilities"
NAMES = [capability.name for capability in CAPABILITIES]


def test_every_capability_folder_is_registered_once():
    folders = sorted(path.name for path in CAPABILITIES_DIR.iterdir() if path.is_dir())
    folders = [name for name in folders if name != "__pycache__"]
    assert sorted(NAMES) == folders
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_a_capability_folder_holds_its_section_and_its_record(name):
    folder = CAPABILITIES_DIR / name
    assert (folder / "section.py").is_file()
    assert (folder / "capability.py").is_file()


def test_the_spec_has_one_typed_section_per_capability_in_the_registry_order():
    assert [field.name for field in fields(Spec)] == NAMES


def test_the_schema_is_the_capabilities_sections_in_the_registry_order():
    assert list(SECTIONS) == NAMES
    assert all(SECTIONS[c.name] is c.rules for c in CAPABILITIES)


def test_each_capability_parses_its_section_into_the_type_the_spec_declares():
    spec = parse_spec({}, aws_region="us-east-1")
    declared = get_type_hints(Spec)
    for capability in CAPABILITIES:
        expected = declared[capability.name]
        kind = expected if isinstance(expected, UnionType) else get_origin(expected) or expected
        assert isinstance(getattr(spec, capability.name), kind), capability.name


def test_the_audit_runs_the_capabilities_checks_in_the_registry_order():
    assert tuple(service for c in CAPABILITIES for service in c.audits) == SERVICES
    covered = tuple(service for c in CAPABILITIES for service in c.coverage)
    assert covered == coverage_runner.SERVICES


def test_the_auditor_may_make_every_call_a_capability_declares_and_each_once():
    declared = [call for capability in CAPABILITIES for call in capability.api_calls]
    assert set(declared) <= set(permissions.API_CALLS)
    operations = [(call.service, call.operation) for call in permissions.API_CALLS]
    assert len(operations) == len(set(operations))


def test_every_audit_and_coverage_service_declares_the_calls_it_makes():
    audits = [service for capability in CAPABILITIES for service in capability.audits]
    coverage = [service for capability in CAPABILITIES for service in capability.coverage]
    declared = [*(s.api_calls for s in audits), *(s.api_calls for s in coverage)]
    assert all(declared)
    assert all(isinstance(call, ApiCall) for calls in declared for call in calls)


class _Built:
    pass


def _baseline() -> Baseline:
    return Baseline(parse_spec({}, aws_region="us-east-1"), providers=None)  # type: ignore[arg-type]


def test_a_capability_finds_what_one_before_it_recorded_by_its_type():
    baseline = _baseline()
    assert baseline.find(_Built) is None
    built = _Built()
    baseline.record(built)
    assert baseline.built(_Built) is built


def test_asking_for_what_no_capability_built_yet_names_the_order_as_the_cause():
    with pytest.raises(LookupError, match="no _Built built yet: check the capabilities' order"):
        _baseline().built(_Built)


def test_a_type_is_recorded_once():
    baseline = _baseline()
    baseline.record(_Built())
    with pytest.raises(ValueError, match="a _Built is recorded already"):
        baseline.record(_Built())


def test_each_coverage_service_shares_the_controls_of_a_check_of_its_own_capability():
    for capability in CAPABILITIES:
        own = {check for service in capability.audits for check in service.checks}
        for service in capability.coverage:
            assert service.account_check in own, (capability.name, service.name)
