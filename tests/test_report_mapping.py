"""The compliance mapping table: complete, well formed, loadable without the pack."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import ModuleType

import pytest

from baseline.audit.runner import all_checks
from baseline.problems import SpecError
from baseline.report.mapping import EVERY_RESOURCE, load_mapping, natural_key
from tests.policy_harness import POLICIES_DIR, REMINDERS

# isort: split

import catalog

MAPPING = load_mapping(POLICIES_DIR)
POLICY_NAMES = {policy.name for policy in catalog.ALL_POLICIES}
CHECK_IDS = {check.id for check in all_checks()}
CONTROL_ID_FORMATS = {
    "cis-aws-foundations": r"\d+(\.\d+)+",
    "pci-dss": r"\d+(\.\d+)+",
    "nist-800-53": r"[A-Z]{2}-\d+(\(\d+\))?",
    "nist-csf": r"(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}",
    # CPS 234 paragraphs 13 to 36 hold its requirements.
    "apra-cps-234": r"1[3-9]|2\d|3[0-6]",
    "sec-exam-themes": r"misconfiguration|monitoring-and-oversight|data-protection",
}


def test_every_policy_of_the_pack_and_only_those_is_mapped():
    assert set(MAPPING.policies) == POLICY_NAMES
    assert set(MAPPING.resource_types) == POLICY_NAMES


def test_every_audit_check_and_only_those_is_mapped():
    assert set(MAPPING.checks) == CHECK_IDS


@pytest.mark.parametrize(
    ("table", "name"),
    [("policies", name) for name in sorted(POLICY_NAMES)]
    + [("checks", check) for check in sorted(CHECK_IDS)],
)
def test_each_row_names_every_framework_and_supports_some_control(table, name):
    row = getattr(MAPPING, table)[name]
    assert list(row) == list(MAPPING.frameworks)
    assert any(row.values()) is (name not in REMINDERS)


def test_control_ids_have_each_frameworks_own_format():
    for framework, pattern in CONTROL_ID_FORMATS.items():
        controls = MAPPING.controls(framework)
        assert controls, framework
        bad = [c for c in controls if not re.fullmatch(pattern, c)]
        assert not bad, (framework, bad)
    assert set(CONTROL_ID_FORMATS) == set(MAPPING.frameworks)


def test_pci_dss_v4_intrusion_detection_is_guardduty_at_11_5_1_not_11_4():
    supporters = MAPPING.controls("pci-dss")["11.5.1"]
    assert {"guardduty-enabled", "guardduty-s3-protection"} <= set(supporters.policies)
    assert {"guardduty.detector-enabled", "guardduty.s3-protection"} <= set(supporters.checks)
    # 11.4 is penetration testing in v4.0: nothing here performs it.
    assert not any(c == "11.4" or c.startswith("11.4.") for c in MAPPING.controls("pci-dss"))


def test_audit_checks_and_their_policies_share_controls():
    same = {
        "cloudtrail.log-file-validation": "cloudtrail-log-file-validation",
        "cloudtrail.kms-encryption": "cloudtrail-kms-encrypted",
        "kms.key-rotation": "kms-key-rotation",
        "macie.enabled": "macie-enabled",
        "sns.topic-encryption": "sns-topic-kms-encrypted",
        "guardduty.detector-enabled": "guardduty-enabled",
    }
    for check, policy in same.items():
        assert MAPPING.checks[check] == MAPPING.policies[policy], check


def test_controls_list_their_supporters_in_natural_order():
    cis = MAPPING.controls("cis-aws-foundations")
    assert "cloudtrail-log-file-validation" in cis["3.2"].policies
    assert "cloudtrail.log-file-validation" in cis["3.2"].checks
    assert list(cis) == sorted(cis, key=natural_key)
    assert sorted(["10.2.1", "3.1", "2.1.4"], key=natural_key) == ["2.1.4", "3.1", "10.2.1"]
    assert sorted(["SC-28(1)", "AC-21", "SC-28", "AC-3"], key=natural_key) == [
        "AC-3",
        "AC-21",
        "SC-28",
        "SC-28(1)",
    ]


def _pack_sources(module_name: str) -> str:
    """A pack module's source and that of the pack modules it imports from."""
    path = POLICIES_DIR / f"{module_name}.py"
    tree = ast.parse(path.read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (POLICIES_DIR / f"{node.module}.py").exists()
    }
    return "".join((POLICIES_DIR / f"{m}.py").read_text() for m in {module_name, *imported})


def test_resource_types_are_types_the_policy_modules_name():
    # The policy modules are those the catalog gathers POLICIES from.
    modules = {
        policy.name: module.__name__
        for module in vars(catalog).values()
        if isinstance(module, ModuleType) and hasattr(module, "POLICIES")
        for policy in module.POLICIES
    }
    assert set(modules) == POLICY_NAMES
    for policy, types in MAPPING.resource_types.items():
        assert types, policy
        if types == [EVERY_RESOURCE]:
            continue
        source = _pack_sources(modules[policy])
        missing = [t for t in types if f'"{t}"' not in source]
        assert not missing, (policy, missing)


def write_pack(directory: Path, text: str) -> Path:
    (directory / "frameworks.py").write_text(text)
    return directory


def problems_of(pack: Path) -> list[str]:
    with pytest.raises(SpecError) as raised:
        load_mapping(pack)
    return [str(problem) for problem in raised.value.problems]


def test_a_pack_without_the_file_is_one_error_naming_it(tmp_path):
    [problem] = problems_of(tmp_path)
    assert problem.startswith(f"error: {tmp_path / 'frameworks.py'}: cannot read")


def test_a_table_that_fails_to_import_is_one_error_naming_the_file(tmp_path):
    pack = write_pack(tmp_path, "import not_a_module_of_any_pack\nFRAMEWORKS = {}\n")
    [problem] = problems_of(pack)
    assert problem == (
        f"error: {tmp_path / 'frameworks.py'}: does not import: "
        "ModuleNotFoundError: No module named 'not_a_module_of_any_pack'"
    )


def test_a_syntax_error_names_its_line(tmp_path):
    pack = write_pack(tmp_path, "FRAMEWORKS = {}\nCONTROLS = {\n")
    [problem] = problems_of(pack)
    assert problem.startswith(f"error: {tmp_path / 'frameworks.py'}: line 2: ")


def test_a_table_of_the_wrong_shape_is_refused(tmp_path):
    pack = write_pack(tmp_path, "FRAMEWORKS = ['cis']\nCONTROLS = CHECKS = RESOURCE_TYPES = {}\n")
    [problem] = problems_of(pack)
    assert "FRAMEWORKS must map each framework to a dict with name, version, specification" in (
        problem
    )


def test_the_table_is_loaded_from_the_pack_given_not_from_an_imported_module(tmp_path):
    text = (POLICIES_DIR / "frameworks.py").read_text()
    renamed = text.replace('"name": "CIS AWS Foundations Benchmark"', '"name": "CIS (a copy)"')
    copy = load_mapping(write_pack(tmp_path, renamed))
    assert copy.frameworks["cis-aws-foundations"]["name"] == "CIS (a copy)"
    assert MAPPING.frameworks["cis-aws-foundations"]["name"] == "CIS AWS Foundations Benchmark"


def test_missing_tables_and_unknown_frameworks_are_reported(tmp_path):
    text = (POLICIES_DIR / "frameworks.py").read_text()
    without_checks = text.split("CHECKS:")[0] + "RESOURCE_TYPES = {}\n"
    assert problems_of(write_pack(tmp_path, without_checks)) == [
        f"error: {tmp_path / 'frameworks.py'}: CHECKS is missing"
    ]
    bad = (
        'FRAMEWORKS = {"a": {"name": "A", "version": "1", "specification": "x"}}\n'
        'CONTROLS = {"p": {"b": ["1"]}}\nCHECKS = {}\nRESOURCE_TYPES = {"p": ["t"]}\n'
    )
    assert problems_of(write_pack(tmp_path, bad)) == [
        f"error: {tmp_path / 'frameworks.py'}: CONTROLS['p'] names an unknown framework 'b'"
    ]
