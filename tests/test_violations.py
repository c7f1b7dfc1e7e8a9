"""The violation table people read, and the counts behind the exit code."""

from __future__ import annotations

from baseline.preview.model import EXEMPTIONS_POLICY, Exemption, Violation
from baseline.preview.violations import (
    render_exemptions,
    render_violations,
    split_exemptions,
    summarize,
    violation_detail,
)

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
    severity="medium",
    remediation="Set enable_key_rotation=True\n  on the aws.kms.Key.",
)
PORTS = Violation(
    "security-baseline",
    "ec2-security-group-no-public-admin-ports",
    "mandatory",
    GROUP,
    "No admin ports open to the world.\nIngress from 0.0.0.0/0\nreaches port 22.",
    "No admin ports open to the world.",
    severity="high",
    remediation="Restrict the rule's source.",
)


def test_table_lists_mandatory_first_with_pack_severity_and_the_fix_on_one_line() -> None:
    table = render_violations([ADVISORY, ROTATION, PORTS])

    assert table.splitlines() == [
        "ENFORCEMENT  SEVERITY  PACK               POLICY"
        "                                    RESOURCE  MESSAGE",
        "mandatory    high      security-baseline  ec2-security-group-no-public-admin-ports"
        "  bastion   Ingress from 0.0.0.0/0 reaches port 22.",
        "             fix: Restrict the rule's source.",
        "mandatory    medium    security-baseline  kms-key-rotation"
        "                          logs-key  Key rotation is disabled.",
        "             fix: Set enable_key_rotation=True on the aws.kms.Key.",
        "advisory     -         security-baseline  tags-no-sensitive-data"
        "                    alerts    Tag 'owner' looks like an email address.",
        "",
        "3 policy violations: 2 mandatory, 1 advisory",
    ]


def exemption_report(message: str) -> Violation:
    """How the pack reports an exemption: a violation of its advisory exemptions policy."""
    description = "Resources exempted from a policy, with the reason."
    return Violation(
        "security-baseline",
        EXEMPTIONS_POLICY,
        "advisory",
        "urn:pulumi:prod::app::aws:s3/bucket:Bucket::alb-logs",
        f"{description}\n{message}",
        description,
    )


def test_exemptions_are_taken_out_of_the_violations_with_policy_and_reason() -> None:
    exempted = exemption_report("exempted s3-bucket-encryption-kms: ELB access logs: SSE-S3 only")

    violations, exemptions = split_exemptions([ROTATION, exempted, PORTS])

    assert violations == (ROTATION, PORTS)
    assert exemptions == (
        Exemption(
            "security-baseline",
            "s3-bucket-encryption-kms",
            exempted.urn,
            "ELB access logs: SSE-S3 only",
        ),
    )
    assert render_exemptions(exemptions).splitlines() == [
        "1 exempted (not counted as violations):",
        "  security-baseline/s3-bucket-encryption-kms  alb-logs: ELB access logs: SSE-S3 only",
    ]


def test_other_reports_of_the_exemptions_policy_stay_violations() -> None:
    not_applied = exemption_report("exemption for 'no-such-policy' names no policy of the pack")
    no_reason = exemption_report("exempted s3-bucket-versioning")

    violations, exemptions = split_exemptions([not_applied, no_reason])

    assert violations == (not_applied, no_reason)
    assert exemptions == ()


def test_an_exemption_message_from_another_policy_is_a_violation() -> None:
    lookalike = Violation("p", "kms-key-rotation", "mandatory", KEY, "exempted a: b")

    assert split_exemptions([lookalike]) == ((lookalike,), ())


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
