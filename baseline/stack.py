"""The baseline of one stack: the spec, composed into components per account and region.

`build` is what `__main__.py` runs: the core (keys, log archive, trail, notifications,
quarantine), then each capability on top of it, then the exports users look up.
"""

from __future__ import annotations

import pulumi

from baseline.alerting import build_alerting
from baseline.core import Baseline, build_core
from baseline.detective import build_detective_services
from baseline.devsecops import build_scanner_findings
from baseline.organization import build_organization
from baseline.spec import Spec


def _export(baseline: Baseline) -> None:
    pulumi.export("log_archive_bucket", baseline.log_archive.bucket)
    pulumi.export("log_archive_key_arn", baseline.log_archive.key_arn)
    if baseline.trail is not None:
        pulumi.export("trail_arn", baseline.trail.arn)
        pulumi.export("trail_key_arn", baseline.trail.key_arn)
    pulumi.export("topic_arns", baseline.notifications.topic_arns)
    pulumi.export("notifications_key_arn", baseline.notifications.key_arn)
    pulumi.export("quarantine_bucket", baseline.quarantine.bucket)
    pulumi.export("quarantine_key_arn", baseline.quarantine.key_arn)


def build(spec: Spec) -> Baseline:
    """Declare every resource of the baseline for `spec`."""
    baseline = build_core(spec)
    # Before Config: its organization packs wait for every account's recorder.
    member_recordings = build_organization(baseline)
    build_detective_services(baseline, member_recordings)
    build_alerting(baseline)
    build_scanner_findings(baseline)
    _export(baseline)
    return baseline
