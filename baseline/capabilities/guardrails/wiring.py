"""Account guardrails: one service-managed StackSet from the management account, auto-deployed to
the spec's OUs, now and future.

Settings with no organization API (IAM Access Analyzer, S3 account Block Public Access, EBS
encryption by default, the IAM password policy, a Config recorder) reach every account of the
OUs: the program names OUs and regions, never accounts. With tamper alerts on, the StackSet also
forwards the members' calls that weaken the baseline to the security account's alerts (see
component.py).
"""

from __future__ import annotations

from baseline.capabilities.alerts.wiring import forwards_member_tamper_events
from baseline.capabilities.config.wiring import records_program_accounts
from baseline.capabilities.guardrails.component import (
    AccountGuardrails,
    AccountGuardrailsArgs,
    ConfigDelivery,
    PasswordPolicy,
)
from baseline.capabilities.log_archive.component import LogArchive
from baseline.program import Baseline


def build(baseline: Baseline) -> None:
    spec = baseline.spec
    settings = spec.guardrails
    if not (spec.organization_mode and settings.enabled):
        return
    archive = baseline.built(LogArchive)
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
    own_recorders = (
        (spec.accounts.security.id, spec.accounts.log_archive.id)
        if delivery is not None and records_program_accounts(spec)
        else ()
    )
    guardrails = AccountGuardrails(
        "account-guardrails",
        AccountGuardrailsArgs(
            organizational_unit_ids=settings.organizational_units,
            regions=settings.regions or spec.regions.enabled,
            home_region=spec.regions.home,
            access_analyzer=settings.access_analyzer,
            config_recorder=delivery,
            accounts_with_own_config_recorder=own_recorders,
            s3_block_public_access=settings.s3_block_public_access,
            ebs_encryption_by_default=settings.ebs_encryption_by_default,
            ebs_default_kms_key_id=settings.ebs_default_kms_key_id,
            close_default_security_groups=settings.close_default_security_groups,
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
    baseline.record(guardrails)
