"""The violation table people read, and the counts behind the exit code."""

from __future__ import annotations

from baseline.preview.model import Violation
from baseline.preview.violations import render_violations, summarize, violation_detail

KEY = "urn:pulumi:prod::baseline::aws:kms/key:Key::logs-key"
TOPIC = "urn:pulumi:prod::baseline::aws:sns/topic:Topic::alerts"
GROUP = "urn:pulumi:prod::baseline::aws:ec2/securityGroup:SecurityGroup::bastion"

ADVISORY = Violation(
    "security-baseline",
    "tags-no-sensitive-data",
    "advisory",
    TOPIC,
    "Tags hold no sensitive data.\nTag 'owner' looks like an email address.",
    "Tags hold no sensitive data.",
)
ROTATION = Violation(
    "security-baseline",
    "kms-key-rotation",
    "mandatory",
    KEY,
    "KMS keys rotate.\nKey rotation is disabled.",
    "KMS keys rotate.",
)
PORTS = Violation(
    "security-baseline",
    "ec2-security-group-no-public-admin-ports",
    "mandatory",
    GROUP,
    "No admin ports open to the world.\nIngress from 0.0.0.0/0\nreaches port 22.",
    "No admin ports open to the world.",
)


def test_table_lists_mandatory_first_with_short_resource_names() -> None:
    table = render_violations([ADVISORY, ROTATION, PORTS])

    assert table.splitlines() == [
        "ENFORCEMENT  POLICY                                    RESOURCE  MESSAGE",
        "mandatory    ec2-security-group-no-public-admin-ports  bastion   "
        "Ingress from 0.0.0.0/0 reaches port 22.",
        "mandatory    kms-key-rotation                          logs-key  "
        "Key rotation is disabled.",
        "advisory     tags-no-sensitive-data                    alerts    "
        "Tag 'owner' looks like an email address.",
        "",
        "3 policy violations: 2 mandatory, 1 advisory",
    ]


def test_no_violations_says_so() -> None:
    assert render_violations([]) == "No policy violations."


def test_summarize_counts_by_enforcement() -> None:
    assert summarize([ADVISORY, ROTATION, PORTS]) == {"mandatory": 2, "advisory": 1, "total": 3}
    assert summarize([]) == {"mandatory": 0, "advisory": 0, "total": 0}


def test_detail_keeps_messages_that_do_not_repeat_the_description() -> None:
    preview = Violation(
        "p",
        "kms-key-rotation",
        "advisory",
        KEY,
        "can't run policy 'kms-key-rotation' from policy pack 'p@v0.0.1' during preview: "
        "string value at .enableKeyRotation can't be known during preview",
        "KMS keys rotate.",
    )

    assert violation_detail(preview) == preview.message
    assert violation_detail(ROTATION) == "Key rotation is disabled."
