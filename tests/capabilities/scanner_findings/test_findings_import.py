"""Scanner reports into moto's Security Hub: one finding per issue, upserts, archiving, batches.

moto implements BatchImportFindings (upsert by Id) and GetFindings (ignoring filters), but not
BatchUpdateFindings; that one call is answered by a hook that records it (``resolved``).
"""

import copy
import json
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from baseline.capabilities.scanner_findings.functions.findings_import import handler
from baseline.capabilities.scanner_findings.functions.findings_import.importer import service
from tests.capabilities.scanner_findings.findings_import_harness import FIXTURE_TOOLS as TOOLS
from tests.capabilities.scanner_findings.findings_import_harness import REGION, load, moto_account

ACCOUNT = "123456789012"
PRODUCT_ARN = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
SOURCE = {
    "repository": "orders-service",
    "branch": "main",
    "commit": "4f2c9a1e8b7d",
    "build_id": "orders-service:1f0c2d3e-42",
}

# GeneratorId -> Severity.Label, one entry per issue each fixture holds.
EXPECTED_LABELS = {
    "dependency-check.json": {
        "Dependency-Check/CVE-2021-44228": "CRITICAL",
        "Dependency-Check/CVE-2021-45105": "MEDIUM",
        "Dependency-Check/CVE-2020-36518": "HIGH",
        "Dependency-Check/CVE-2021-29425": "MEDIUM",
        "Dependency-Check/CVE-2020-8908": "LOW",
        "Dependency-Check/CVE-2019-11358": "MEDIUM",
    },
    "zap.json": {
        "ZAP/40012": "HIGH",
        "ZAP/10038-1": "MEDIUM",
        "ZAP/10010": "LOW",
        "ZAP/10027": "INFORMATIONAL",
        "ZAP/10035-1": "LOW",
    },
    "sonarqube.json": {
        "SonarQube/javasecurity:S3649": "CRITICAL",
        "SonarQube/java:S4423": "HIGH",
        "SonarQube/java:S2259": "MEDIUM",
        "SonarQube/java:S1068": "LOW",
        "SonarQube/java:S1135": "INFORMATIONAL",
    },
    "sarif-bandit.json": {
        "Bandit/B602": "HIGH",
        "Bandit/B108": "MEDIUM",
        "Bandit/B105": "LOW",
        "Bandit/B311": "LOW",
    },
    "sarif-semgrep.json": {
        "Semgrep OSS/python.lang.security.audit.subprocess-shell-true."
        "subprocess-shell-true": "HIGH",
        "Semgrep OSS/python.lang.security.insecure-hash-algorithms-md5."
        "insecure-hash-algorithm-md5": "MEDIUM",
    },
    "sarif-codeql.json": {
        "CodeQL/py/sql-injection": "HIGH",
        "CodeQL/py/command-line-injection": "CRITICAL",
        "CodeQL/py/url-redirection": "MEDIUM",
        "CodeQL/py/unused-import": "LOW",
    },
}


def direct(tool: str, report: Any, **source: str) -> dict[str, Any]:
    return {"tool": tool, "report": report, "source": {**SOURCE, **source}}


class Recorder:
    """Counts the Security Hub calls an import makes and answers BatchUpdateFindings."""

    def __init__(self, client: Any) -> None:
        self.import_batches: list[list[dict[str, Any]]] = []
        self.resolved: list[dict[str, Any]] = []
        events = client.meta.events
        events.register("before-parameter-build.securityhub.BatchImportFindings", self._imported)
        events.register("before-parameter-build.securityhub.BatchUpdateFindings", self._updated)
        events.register("before-call.securityhub.BatchUpdateFindings", self._answer_update)

    def _imported(self, params: dict[str, Any], **_: Any) -> None:
        self.import_batches.append(copy.deepcopy(params["Findings"]))

    def _updated(self, params: dict[str, Any], **_: Any) -> None:
        self.resolved.append(copy.deepcopy(params))

    @staticmethod
    def _answer_update(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        identifiers = json.loads(params["body"])["FindingIdentifiers"]
        return AWSResponse(None, 200, {}, None), {
            "ProcessedFindings": identifiers,
            "UnprocessedFindings": [],
        }


@pytest.fixture
def aws(monkeypatch):
    with moto_account(monkeypatch):
        yield


@pytest.fixture
def clients(aws):
    return service.AwsClients.from_environment()


@pytest.fixture
def recorder(clients):
    return Recorder(clients.securityhub)


def run(event: object, clients: service.AwsClients) -> dict[str, object]:
    return service.run(event, clients, sleep=lambda _: None)


def all_findings() -> list[dict[str, Any]]:
    client = boto3.client("securityhub", region_name=REGION)
    findings: list[dict[str, Any]] = []
    request: dict[str, Any] = {"MaxResults": 100}
    while True:
        page = client.get_findings(**request)
        findings.extend(page["Findings"])
        if not page.get("NextToken"):
            return findings
        request["NextToken"] = page["NextToken"]


def by_state(findings: list[dict[str, Any]], state: str) -> list[dict[str, Any]]:
    return [finding for finding in findings if finding["RecordState"] == state]


@pytest.mark.parametrize("fixture", sorted(EXPECTED_LABELS))
def test_each_fixture_gives_one_finding_per_issue_with_its_severity(aws, fixture):
    result = handler.handler(direct(TOOLS[fixture], load(fixture)), None)

    findings = all_findings()
    expected = EXPECTED_LABELS[fixture]
    assert result == {"imported": len(expected), "archived": 0, "failed": 0}
    assert {f["GeneratorId"]: f["Severity"]["Label"] for f in findings} == expected
    assert len(findings) == len(expected)
    for finding in findings:
        assert finding["SchemaVersion"] == "2018-10-08"
        assert (
            finding["ProductArn"]
            == f"arn:aws:securityhub:{REGION}:{ACCOUNT}:product/{ACCOUNT}/default"
        )
        assert finding["AwsAccountId"] == ACCOUNT
        assert finding["FindingProviderFields"]["Severity"] == finding["Severity"]
        assert finding["Resources"][0]["Id"] == "orders-service@4f2c9a1e8b7d"
        assert finding["Resources"][0]["Details"]["Other"]["build-id"] == SOURCE["build_id"]
        assert finding["Id"].startswith(f"{TOOLS[fixture]}/orders-service/main/")
        assert finding["CreatedAt"].endswith("Z")
        assert finding["UpdatedAt"].endswith("Z")
        assert 0 < len(finding["Title"]) <= 256
        assert 0 < len(finding["Description"]) <= 1024


def test_sca_findings_carry_cve_cvss_and_package(aws):
    handler.handler(direct("dependency-check", load("dependency-check.json")), None)

    log4shell = next(
        f for f in all_findings() if f["GeneratorId"] == "Dependency-Check/CVE-2021-44228"
    )
    assert log4shell["Types"] == ["Software and Configuration Checks/Vulnerabilities/CVE"]
    assert log4shell["SourceUrl"] == "https://logging.apache.org/log4j/2.x/security.html"
    vulnerability = log4shell["Vulnerabilities"][0]
    assert vulnerability["Id"] == "CVE-2021-44228"
    assert vulnerability["VulnerablePackages"] == [
        {
            "Name": "org.apache.logging.log4j/log4j-core",
            "Version": "2.14.1",
            "PackageManager": "maven",
        }
    ]
    assert vulnerability["Cvss"][0] == {
        "Version": "3.1",
        "BaseScore": 10.0,
        "BaseVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
    }
    assert vulnerability["Cvss"][1]["BaseVector"] == "AV:N/AC:M/Au:N/C:C/I:C/A:C"


def test_importing_the_same_report_again_updates_instead_of_adding(clients, recorder):
    report = load("zap.json")
    first = run(direct("zap", report), clients)
    ids_after_first = sorted(f["Id"] for f in all_findings())

    second = run(direct("zap", report, commit="9d8e7f6a5b4c", build_id="b-43"), clients)

    findings = all_findings()
    assert first == second == {"imported": 5, "archived": 0, "failed": 0}
    assert sorted(f["Id"] for f in findings) == ids_after_first
    assert {f["Resources"][0]["Id"] for f in findings} == {"orders-service@9d8e7f6a5b4c"}
    assert recorder.resolved == []


def test_a_fixed_issue_is_archived_and_resolved(clients, recorder):
    report = load("dependency-check.json")
    run(direct("dependency-check", report), clients)
    guava = report["dependencies"][3]
    assert guava["fileName"] == "guava-30.1-jre.jar"
    del guava["vulnerabilities"]

    result = run(direct("dependency-check", report, commit="0a1b2c3d"), clients)

    findings = all_findings()
    archived = by_state(findings, "ARCHIVED")
    assert result == {"imported": 5, "archived": 1, "failed": 0}
    assert len(findings) == 6
    assert [f["GeneratorId"] for f in archived] == ["Dependency-Check/CVE-2020-8908"]
    assert len(by_state(findings, "ACTIVE")) == 5
    assert [r["FindingIdentifiers"] for r in recorder.resolved] == [
        [{"Id": archived[0]["Id"], "ProductArn": archived[0]["ProductArn"]}]
    ]
    assert recorder.resolved[0]["Workflow"] == {"Status": "RESOLVED"}
    assert all(not key.startswith("aws/") for key in archived[0]["ProductFields"])


def test_an_archived_issue_that_returns_is_active_again(clients, recorder):
    report = load("sonarqube.json")
    fixed = copy.deepcopy(report)
    fixed["issues"] = [i for i in fixed["issues"] if i["rule"] != "java:S4423"]
    run(direct("sonarqube", report), clients)
    run(direct("sonarqube", fixed), clients)

    result = run(direct("sonarqube", report), clients)

    assert result == {"imported": 5, "archived": 0, "failed": 0}
    assert by_state(all_findings(), "ARCHIVED") == []


def test_an_earlier_finding_keeps_when_it_was_first_seen(clients):
    report = load("sarif-bandit.json")
    first_clock = "2024-06-01T10:00:00.000Z"
    service.run(direct("sarif", report), clients, clock=lambda: _moment(first_clock))

    service.run(direct("sarif", report), clients, clock=lambda: _moment("2024-06-02T10:00:00Z"))

    for finding in all_findings():
        assert finding["CreatedAt"] == first_clock
        assert finding["FirstObservedAt"] == first_clock
        assert finding["UpdatedAt"] == "2024-06-02T10:00:00.000Z"


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_sonarqube_creation_date_becomes_created_at(aws):
    handler.handler(direct("sonarqube", load("sonarqube.json")), None)

    injection = next(
        f for f in all_findings() if f["GeneratorId"] == "SonarQube/javasecurity:S3649"
    )
    assert injection["CreatedAt"] == "2024-05-28T12:02:11.000Z"


def test_other_branches_and_other_sarif_scanners_are_left_alone(clients, recorder):
    run(direct("sarif", load("sarif-bandit.json")), clients)
    run(direct("sarif", load("sarif-bandit.json"), branch="feature/export"), clients)
    run(direct("sarif", load("sarif-semgrep.json")), clients)
    semgrep_fixed = load("sarif-semgrep.json")
    semgrep_fixed["runs"][0]["results"] = []

    result = run(direct("sarif", semgrep_fixed), clients)

    findings = all_findings()
    archived = by_state(findings, "ARCHIVED")
    assert result == {"imported": 0, "archived": 2, "failed": 0}
    assert {f["ProductFields"]["security-baseline/scanner"] for f in archived} == {"Semgrep OSS"}
    assert len(by_state(findings, "ACTIVE")) == 8


def test_a_250_issue_report_goes_in_three_batches(clients, recorder):
    report = _dependency_check_with(250)

    result = run(direct("dependency-check", report), clients)

    assert result == {"imported": 250, "archived": 0, "failed": 0}
    assert [len(batch) for batch in recorder.import_batches] == [100, 100, 50]
    assert len(all_findings()) == 250


def test_a_large_earlier_import_is_read_across_pages(clients, recorder):
    run(direct("dependency-check", _dependency_check_with(250)), clients)

    result = run(direct("dependency-check", _dependency_check_with(249)), clients)

    archived = by_state(all_findings(), "ARCHIVED")
    assert result == {"imported": 249, "archived": 1, "failed": 0}
    assert [f["GeneratorId"] for f in archived] == ["Dependency-Check/CVE-2024-20249"]


def _dependency_check_with(count: int) -> dict[str, Any]:
    """The fixture's first dependency, with ``count`` vulnerabilities made from its first one."""
    report = load("dependency-check.json")
    dependency = report["dependencies"][0]
    template = dependency["vulnerabilities"][0]
    dependency["vulnerabilities"] = []
    for number in range(count):
        vulnerability = copy.deepcopy(template)
        vulnerability["name"] = f"CVE-2024-{20000 + number}"
        vulnerability["cvssv3"]["baseScore"] = round(number % 101 / 10, 1)
        dependency["vulnerabilities"].append(vulnerability)
    report["dependencies"] = [dependency]
    return report


def test_partition_and_account_come_from_the_caller_identity(monkeypatch, aws):
    monkeypatch.setenv("AWS_REGION", "us-gov-west-1")
    clients = service.AwsClients.from_environment()
    identity = {
        "UserId": "AROAEXAMPLE:importer",
        "Account": "210987654321",
        "Arn": "arn:aws-us-gov:sts::210987654321:assumed-role/findings-import/importer",
    }
    clients.sts.meta.events.register(
        "before-call.sts.GetCallerIdentity",
        lambda **_: (AWSResponse(None, 200, {}, None), identity),
    )

    run(direct("zap", load("zap.json")), clients)

    findings = boto3.client("securityhub", region_name="us-gov-west-1").get_findings()["Findings"]
    assert {f["ProductArn"] for f in findings} == {
        "arn:aws-us-gov:securityhub:us-gov-west-1:210987654321:product/210987654321/default"
    }
    assert {f["AwsAccountId"] for f in findings} == {"210987654321"}
    assert {f["Resources"][0]["Partition"] for f in findings} == {"aws-us-gov"}
