"""CI scanner findings into Security Hub.

The import function runs in the security account's home region, where Security Hub is the
delegated administrator and aggregates every region: findings are triaged in one place.
"""

from __future__ import annotations

import pulumi

from baseline.capabilities.notifications.component import Notifications
from baseline.capabilities.scanner_findings.component import ScannerFindings, ScannerFindingsArgs
from baseline.program import ROLE_TAG, Baseline
from baseline.providers import deployer_arns


def build(baseline: Baseline) -> None:
    """The reports bucket and import function, when the spec enables them; exported for CI."""
    spec = baseline.spec
    settings = spec.scanner_findings
    if not settings.enabled:
        return
    notifications = baseline.built(Notifications)
    scanner_findings = ScannerFindings(
        "scanner-findings",
        ScannerFindingsArgs(
            codebuild_role_arns=settings.codebuild_role_arns,
            report_retention_days=settings.report_retention_days,
            tools=settings.tools,
            key_administrator_arns=spec.kms.administrators,
            key_deployer_arns=deployer_arns(spec, "security"),
            key_deletion_window_in_days=spec.kms.deletion_window_days,
            # A report lost to a failed import is a pipeline failure.
            alarm_topic_arn=notifications.topic_arns[spec.alerts.topics.pipeline],
            key_user_arns=spec.kms.users,
            region=spec.regions.home,
            tags={ROLE_TAG: "scanner-findings"},
        ),
        opts=baseline.providers.options("security"),
    )
    baseline.record(scanner_findings)
    # What buildspecs name: the bucket to upload reports to, the function to invoke; and the
    # key, which roles of other accounts must name in their own IAM policies.
    pulumi.export("scanner_reports_bucket", scanner_findings.reports_bucket)
    pulumi.export("scanner_reports_key_arn", scanner_findings.reports_key_arn)
    pulumi.export("scanner_findings_function", scanner_findings.function_name)
