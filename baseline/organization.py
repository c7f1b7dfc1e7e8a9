"""Account guardrails at organization scale: one service-managed StackSet, auto-deployed.

Settings with no organization API (IAM Access Analyzer, S3 account Block Public Access, EBS
encryption by default, the IAM password policy, optionally a Config recorder) reach every
account of the spec's OUs, now and future: the program names OUs and regions, never accounts.
With tamper alerts on, the StackSet also forwards the members' calls that weaken the baseline
to the security account's alerts (see components/guardrails.py).
"""

from __future__ import annotations

from baseline.alerting import forwards_member_tamper_events
from baseline.core import Baseline
from components.guardrails import (
    AccountGuardrails,
    AccountGuardrailsArgs,
    ConfigDelivery,
    PasswordPolicy,
)


def build_guardrails(baseline: Baseline) -> AccountGuardrails:
    spec = baseline.spec
    settings = spec.guardrails
    archive = baseline.log_archive
    delivery = (
        ConfigDelivery(
            bucket_name=archive.bucket,
            key_prefix=archive.config_prefix or "config",
            kms_key_arn=archive.key_arn,
        )
        if settings.config_recorder
        else None
    )
    policy = settings.password_policy
    assert spec.accounts is not None  # the spec refuses guardrails without accounts
    return AccountGuardrails(
        "account-guardrails",
        AccountGuardrailsArgs(
            organizational_unit_ids=settings.organizational_units,
            regions=settings.regions or spec.regions.enabled,
            home_region=spec.regions.home,
            access_analyzer=settings.access_analyzer,
            config_recorder=delivery,
            s3_block_public_access=settings.s3_block_public_access,
            ebs_encryption_by_default=settings.ebs_encryption_by_default,
            ebs_default_kms_key_id=settings.ebs_default_kms_key_id,
            password_policy=PasswordPolicy(
                minimum_length=policy.minimum_length,
                max_age_days=policy.max_age_days,
                reuse_prevention=policy.reuse_prevention,
            ),
            security_account_id=(
                spec.accounts.security.id if forwards_member_tamper_events(spec) else None
            ),
            call_as=settings.call_as,
            failure_tolerance_percentage=settings.failure_tolerance_percentage,
            max_concurrent_percentage=settings.max_concurrent_percentage,
        ),
        opts=baseline.providers.options("management"),
    )


def build_organization_guardrails(baseline: Baseline) -> None:
    if baseline.spec.organization_mode and baseline.spec.guardrails.enabled:
        build_guardrails(baseline)
