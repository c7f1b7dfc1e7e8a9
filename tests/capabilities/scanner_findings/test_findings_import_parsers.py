"""Report parsers and ASFF building, without AWS: severities, identities, limits, bad input."""

from collections.abc import Iterator
from typing import Any

import pytest

from baseline.capabilities.scanner_findings.functions.findings_import.importer import (
    asff,
    service,
    text,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.model import (
    Issue,
    Source,
    label_from_cvss,
)
from baseline.capabilities.scanner_findings.functions.findings_import.importer.shape import (
    ReportError,
)
from tests.capabilities.scanner_findings.findings_import_harness import FIXTURE_TOOLS, REGION, load

SOURCE = Source(repository="orders-service", branch="main", commit="4f2c9a1e", build_id="b-7")
ACCOUNT = asff.Account(partition="aws", region=REGION, account_id="123456789012")
NOW = "2024-06-03T08:40:00.000Z"


def issues(tool: str, report: Any) -> dict[str, Issue]:
    """The issues of a report, by rule."""
    return {issue.rule: issue for issue in service.PARSERS[tool](report).issues}


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (10.0, "CRITICAL"),
        (9.0, "CRITICAL"),
        (8.9, "HIGH"),
        (7.0, "HIGH"),
        (6.9, "MEDIUM"),
        (4.0, "MEDIUM"),
        (3.9, "LOW"),
        (0.1, "LOW"),
        (0.0, "INFORMATIONAL"),
    ],
)
def test_cvss_bands(score, label):
    assert label_from_cvss(score) == label


def test_truncate_leaves_short_text_alone():
    assert text.truncate("Reflected XSS in search", 256) == "Reflected XSS in search"


def test_truncate_cuts_on_a_word_boundary_with_an_ellipsis():
    sentence = "Apache Log4j2 JNDI features do not protect against attacker controlled endpoints"

    cut = text.truncate(sentence, 40)

    assert cut == "Apache Log4j2 JNDI features do not…"
    assert len(cut) <= 40
    assert sentence.startswith(cut[:-1] + " ")


def test_truncate_keeps_a_word_that_ends_exactly_at_the_limit():
    assert text.truncate("abcd efgh ijkl", 10) == "abcd efgh…"


def test_truncate_cuts_inside_a_single_very_long_word():
    url = "https://example.com/" + "a" * 300

    cut = text.truncate(url, 256)

    assert len(cut) == 256
    assert cut.endswith(text.ELLIPSIS)
    assert url.startswith(cut[:-1])


def test_zap_paragraph_html_becomes_plain_text():
    markup = "<p>Phase: Implementation</p><p>Use &quot;safe&quot; APIs &amp; encode.</p>"

    assert text.plain_text(markup) == 'Phase: Implementation\nUse "safe" APIs & encode.'


# Dependency-Check


def test_dependency_check_skips_suppressed_vulnerabilities():
    found = issues("dependency-check", load("dependency-check.json"))

    assert "CVE-2022-42003" not in found
    assert len(found) == 6


def test_dependency_check_unscored_vulnerability_uses_its_textual_severity():
    jquery = issues("dependency-check", load("dependency-check.json"))["CVE-2019-11358"]

    assert (jquery.severity_label, jquery.severity_original) == ("MEDIUM", "medium")
    assert jquery.vulnerability is not None
    assert jquery.vulnerability.cvss == ()
    assert jquery.vulnerability.vendor == "RETIREJS"
    assert jquery.vulnerability.package.package_manager == "javascript"


def test_dependency_check_prefers_the_newest_cvss_version():
    report = load("dependency-check.json")
    log4shell = report["dependencies"][0]["vulnerabilities"][0]
    log4shell["cvssv4"] = {
        "vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
        "source": "nvd@nist.gov",
        "type": "Primary",
        "version": "4.0",
        "baseScore": 8.9,
        "baseSeverity": "HIGH",
    }

    issue = issues("dependency-check", report)["CVE-2021-44228"]

    assert (issue.severity_label, issue.severity_original) == ("HIGH", "8.9")
    assert issue.vulnerability is not None
    assert [score.version for score in issue.vulnerability.cvss] == ["4.0", "3.1", "2.0"]
    assert issue.vulnerability.cvss[0].base_vector == log4shell["cvssv4"]["vectorString"]


def test_dependency_check_without_a_cvss_version_gives_no_vector():
    report = load("dependency-check.json")
    del report["dependencies"][2]["vulnerabilities"][0]["cvssv3"]["version"]

    issue = issues("dependency-check", report)["CVE-2021-29425"]

    assert issue.vulnerability is not None
    assert issue.vulnerability.cvss[0].version == "3"
    assert issue.vulnerability.cvss[0].base_vector is None


def test_dependency_check_unknown_severity_is_medium_so_it_is_triaged():
    report = load("dependency-check.json")
    report["dependencies"][4]["vulnerabilities"][0]["severity"] = "Unknown"

    assert issues("dependency-check", report)["CVE-2019-11358"].severity_label == "MEDIUM"


def test_dependency_check_package_comes_from_the_purl():
    report = load("dependency-check.json")
    report["dependencies"][4]["packages"] = [
        {"id": "pkg:npm/%40angular/core@12.0.0?arch=any#lib", "confidence": "HIGHEST"}
    ]

    vulnerability = issues("dependency-check", report)["CVE-2019-11358"].vulnerability

    assert vulnerability is not None
    assert vulnerability.package.name == "@angular/core"
    assert vulnerability.package.version == "12.0.0"
    assert vulnerability.package.package_manager == "npm"


def test_dependency_check_without_a_purl_names_the_file():
    report = load("dependency-check.json")
    del report["dependencies"][3]["packages"]

    issue = issues("dependency-check", report)["CVE-2020-8908"]

    assert issue.title == "CVE-2020-8908 in guava-30.1-jre.jar"


def test_dependency_check_identity_survives_an_upgrade_that_does_not_fix():
    before = issues("dependency-check", load("dependency-check.json"))["CVE-2021-45105"]
    report = load("dependency-check.json")
    report["dependencies"][0]["packages"][0]["id"] = (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.16.0"
    )

    after = issues("dependency-check", report)["CVE-2021-45105"]

    assert after.identity == before.identity
    assert after.title.endswith("@2.16.0")


# ZAP


def test_zap_alert_lists_its_instances_and_keeps_its_solution():
    csp = issues("zap", load("zap.json"))["10038-1"]

    assert (
        csp.title
        == "Content Security Policy (CSP) Header Not Set on https://staging.shop.example.com"
    )
    assert "Seen at 7 place(s):" in csp.description
    assert "- GET https://staging.shop.example.com/cart" in csp.description
    assert "- and 2 more" in csp.description
    assert csp.remediation is not None
    assert csp.remediation.startswith("Ensure that your web server")
    assert csp.source_url == (
        "https://developer.mozilla.org/en-US/docs/Web/Security/CSP/"
        "Introducing_Content_Security_Policy"
    )
    assert csp.details == {"cwe": "693", "wasc": "15", "confidence": "High", "instances": "7"}


def test_zap_instance_parameters_are_named():
    xss = issues("zap", load("zap.json"))["40012"]

    assert "(parameter q)" in xss.description
    assert xss.severity_original == "High (Medium)"


# SonarQube


def test_sonarqube_resolved_issues_are_not_imported():
    found = issues("sonarqube", load("sonarqube.json"))

    assert "java:S2095" not in found
    assert len(found) == 5


def test_sonarqube_issue_uses_its_key_and_file_path():
    injection = issues("sonarqube", load("sonarqube.json"))["javasecurity:S3649"]

    assert injection.identity == ("AY9xT2Lr5kQvX2ZqM1aA",)
    assert injection.location == "src/main/java/com/example/orders/OrderRepository.java:57"
    assert injection.types == ("Software and Configuration Checks/Vulnerabilities",)
    assert "Database queries should not be vulnerable to injection attacks" in injection.description


def test_sonarqube_code_smells_are_software_checks_not_vulnerabilities():
    smell = issues("sonarqube", load("sonarqube.json"))["java:S1068"]

    assert smell.types == ("Software and Configuration Checks",)


def test_sonarqube_without_legacy_severity_uses_the_worst_impact():
    report = load("sonarqube.json")
    issue = report["issues"][2]
    del issue["severity"]
    issue["impacts"] = [
        {"softwareQuality": "RELIABILITY", "severity": "LOW"},
        {"softwareQuality": "SECURITY", "severity": "HIGH"},
    ]

    assert issues("sonarqube", report)["java:S2259"].severity_label == "HIGH"


# SARIF


def test_sarif_level_falls_back_to_the_rules_default():
    report = load("sarif-bandit.json")
    result = report["runs"][0]["results"][0]
    del result["level"]

    # B602's rule says error.
    assert issues("sarif", report)["B602"].severity_label == "HIGH"


def test_sarif_level_defaults_to_warning():
    report = load("sarif-semgrep.json")
    del report["runs"][0]["tool"]["driver"]["rules"][1]["defaultConfiguration"]

    found = issues("sarif", report)

    md5 = next(issue for rule, issue in found.items() if "md5" in rule)
    assert (md5.severity_label, md5.severity_original) == ("MEDIUM", "warning")


def test_sarif_none_level_is_informational():
    report = load("sarif-bandit.json")
    report["runs"][0]["results"][3]["level"] = "none"

    assert issues("sarif", report)["B311"].severity_label == "INFORMATIONAL"


def test_sarif_security_severity_wins_over_the_level():
    found = issues("sarif", load("sarif-codeql.json"))

    assert found["py/command-line-injection"].severity_original == "9.8"
    assert found["py/command-line-injection"].severity_label == "CRITICAL"
    assert found["py/unused-import"].types == ("Software and Configuration Checks",)
    assert found["py/sql-injection"].types == ("Software and Configuration Checks/Vulnerabilities",)


def test_sarif_rule_is_found_by_id_without_an_index():
    report = load("sarif-bandit.json")
    for result in report["runs"][0]["results"]:
        del result["ruleIndex"]

    found = issues("sarif", report)

    assert found["B108"].source_url == (
        "https://bandit.readthedocs.io/en/1.7.9/plugins/b108_hardcoded_tmp_directory.html"
    )


def test_sarif_suppressed_and_passing_results_are_not_issues():
    report = load("sarif-bandit.json")
    results = report["runs"][0]["results"]
    results[0]["suppressions"] = [{"kind": "inSource", "justification": "trusted input"}]
    results[1]["suppressions"] = [{"kind": "external", "status": "rejected"}]
    results[2]["kind"] = "pass"

    assert sorted(issues("sarif", report)) == ["B108", "B311"]


def test_sarif_run_without_results_speaks_for_no_scanner():
    report = load("sarif-semgrep.json")
    report["runs"].append(load("sarif-bandit.json")["runs"][0])
    del report["runs"][0]["results"]

    scan = service.PARSERS["sarif"](report)

    assert scan.scanners == frozenset({"Bandit"})
    assert len(scan.issues) == 4


def test_sarif_identity_is_the_rule_and_location():
    found = issues("sarif", load("sarif-semgrep.json"))

    shell = found["python.lang.security.audit.subprocess-shell-true.subprocess-shell-true"]
    assert shell.identity == (
        "Semgrep OSS",
        "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true",
        "app/tasks.py",
        "14",
        "5",
    )
    assert shell.location == "app/tasks.py:14"


# ASFF


def test_finding_id_is_readable_and_stable():
    issue = issues("zap", load("zap.json"))["40012"]

    first = asff.finding_id("zap", SOURCE, issue.identity)
    again = asff.finding_id("zap", SOURCE, issues("zap", load("zap.json"))["40012"].identity)

    prefix, digest = first.rsplit("/", 1)
    assert first == again
    assert prefix == "zap/orders-service/main"
    assert len(digest) == 32
    assert int(digest, 16) >= 0


def test_finding_id_differs_by_branch_and_by_issue():
    found = issues("zap", load("zap.json"))
    other_branch = Source("orders-service", "release/1.8", "4f2c9a1e", "b-7")

    ids = {
        asff.finding_id("zap", SOURCE, found["40012"].identity),
        asff.finding_id("zap", other_branch, found["40012"].identity),
        asff.finding_id("zap", SOURCE, found["10010"].identity),
    }

    assert len(ids) == 3


def test_finding_id_keeps_to_512_characters():
    long_source = Source("r" * 300, "b" * 300, "4f2c9a1e", "b-7")

    finding_id = asff.finding_id("sarif", long_source, ("rule", "file.py", "1", "1"))

    assert len(finding_id) == 512


def test_long_titles_and_descriptions_are_cut_cleanly():
    report = load("sarif-bandit.json")
    report["runs"][0]["results"][0]["message"]["text"] = "shell injection " * 40
    report["runs"][0]["tool"]["driver"]["rules"][0]["fullDescription"]["text"] = "words " * 400
    issue = issues("sarif", report)["B602"]

    finding = asff.to_finding("sarif", issue, source=SOURCE, account=ACCOUNT, now=NOW)

    assert len(finding["Title"]) <= 256
    assert finding["Title"].endswith("injection…")
    assert len(finding["Description"]) <= 1024
    assert finding["Description"].endswith("words…")


def test_finding_keeps_what_an_earlier_import_recorded():
    issue = issues("zap", load("zap.json"))["10010"]
    earlier = {
        "CreatedAt": "2024-05-01T00:00:00.000Z",
        "FirstObservedAt": "2024-05-01T00:00:00.000Z",
    }

    finding = asff.to_finding(
        "zap", issue, source=SOURCE, account=ACCOUNT, now=NOW, earlier=earlier
    )

    assert finding["CreatedAt"] == finding["FirstObservedAt"] == "2024-05-01T00:00:00.000Z"
    assert finding["UpdatedAt"] == finding["LastObservedAt"] == NOW


def test_archived_copy_is_the_providers_finding_with_a_new_state():
    issue = issues("zap", load("zap.json"))["10010"]
    earlier = asff.to_finding("zap", issue, source=SOURCE, account=ACCOUNT, now=NOW)
    as_returned = {
        **earlier,
        "ProductName": "Default",
        "CompanyName": "Personal",
        "Region": "eu-west-1",
        "ProcessedAt": NOW,
        "Workflow": {"Status": "NEW"},
        "ProductFields": {**earlier["ProductFields"], "aws/securityhub/ProductName": "Default"},
    }

    archived = asff.archived(as_returned, "2024-06-04T00:00:00.000Z")

    assert archived == {
        **earlier,
        "RecordState": "ARCHIVED",
        "UpdatedAt": "2024-06-04T00:00:00.000Z",
    }


# Malformed reports never escape as anything but a ReportError.


def _dc(vulnerability: dict[str, Any]) -> dict[str, Any]:
    return {
        "reportSchema": "1.1",
        "dependencies": [{"fileName": "a.jar", "vulnerabilities": [vulnerability]}],
    }


def _zap(alert: dict[str, Any]) -> dict[str, Any]:
    return {"site": [{"@name": "https://x", "alerts": [alert]}]}


def _sonar(issue: dict[str, Any]) -> dict[str, Any]:
    return {"paging": {}, "issues": [{"key": "k", "rule": "r", "component": "c", **issue}]}


def _sarif(driver: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    return {"version": "2.1.0", "runs": [{"tool": {"driver": driver}, "results": [result]}]}


BROKEN_REPORTS: dict[str, dict[str, object]] = {
    "dependency-check": {
        "not an object": [],
        "no reportSchema": {"dependencies": []},
        "dependencies not a list": {"reportSchema": "1.1", "dependencies": {}},
        "vulnerability without name": _dc({"severity": "HIGH"}),
        "score out of range": _dc({"name": "CVE-1", "cvssv3": {"baseScore": 11}}),
        "score not a number": _dc({"name": "CVE-1", "cvssv2": {"score": "high"}}),
    },
    "zap": {
        "no site": {"@programName": "ZAP"},
        "site without name": {"site": [{"alerts": []}]},
        "unknown riskcode": _zap({"pluginid": "1", "alert": "A", "riskcode": "4"}),
        "instance without uri": _zap(
            {"pluginid": "1", "alert": "A", "riskcode": "1", "instances": [{"method": "GET"}]}
        ),
    },
    "sonarqube": {
        "no paging": {"issues": []},
        "unknown severity": _sonar({"severity": "URGENT"}),
        "no severity at all": _sonar({}),
        "bad creation date": _sonar({"severity": "MAJOR", "creationDate": "yesterday"}),
    },
    "sarif": {
        "wrong version": {"version": "2.0.0", "runs": []},
        "run without driver name": _sarif({}, {"ruleId": "R"}),
        "bad security-severity": _sarif(
            {"name": "T", "rules": [{"id": "R", "properties": {"security-severity": "high"}}]},
            {"ruleId": "R"},
        ),
        "unknown level": _sarif({"name": "T"}, {"ruleId": "R", "level": "fatal"}),
        "no rule id": _sarif({"name": "T"}, {"message": {"text": "m"}}),
    },
}


@pytest.mark.parametrize(
    ("tool", "report"),
    [
        pytest.param(tool, report, id=f"{tool}: {name}")
        for tool, cases in BROKEN_REPORTS.items()
        for name, report in cases.items()
    ],
)
def test_a_malformed_report_is_a_report_error(tool, report):
    with pytest.raises(ReportError):
        service.PARSERS[tool](report)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        children: Any = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        children = ()
    for key, child in children:
        yield from _paths(child, (*path, key))


@pytest.mark.parametrize("fixture", sorted(FIXTURE_TOOLS))
def test_any_node_of_the_wrong_type_gives_a_result_or_a_report_error(fixture):
    """Every node of every fixture swapped for a value of another type: no other exception."""
    document = load(fixture)
    tool = FIXTURE_TOOLS[fixture]
    outcomes = {"parsed": 0, "refused": 0}
    for path in list(_paths(document))[1:]:
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        original = parent[path[-1]]
        wrong_types: tuple[object, ...] = (None, 7, "x", [], {}, True)
        for value in wrong_types:
            parent[path[-1]] = value
            try:
                scan = service.PARSERS[tool](document)
            except ReportError:
                outcomes["refused"] += 1
                continue
            finally:
                parent[path[-1]] = original
            for issue in scan.issues:
                asff.to_finding(tool, issue, source=SOURCE, account=ACCOUNT, now=NOW)
            outcomes["parsed"] += 1
    assert outcomes["parsed"] > 0
    assert outcomes["refused"] > 0
