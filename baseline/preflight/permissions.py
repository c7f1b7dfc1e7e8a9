"""Every AWS API call the preflight makes, with the IAM action it needs: all read-only, but
for assuming the deploy roles.

The preflight runs before the first `pulumi up`, so before the baseline's AuditorRole exists:
it runs with the credentials that run `pulumi up` and reads through the spec's deploy roles,
as the providers will. This table is what those roles must allow for it (they allow more, to
deploy); a test records every call a full preflight makes and finds each one here.
"""

from __future__ import annotations

from baseline.audit.model import ApiCall

DEPLOY_ROLES = "{deploy_roles}"

PREFLIGHT_CALLS: tuple[ApiCall, ...] = (
    ApiCall("sts", "GetCallerIdentity", "sts:GetCallerIdentity"),
    # Each account's deploy role (`accounts.<account>.role_name`).
    ApiCall("sts", "AssumeRole", "sts:AssumeRole", DEPLOY_ROLES),
    ApiCall("organizations", "DescribeOrganization", "organizations:DescribeOrganization"),
    ApiCall(
        "organizations",
        "ListAWSServiceAccessForOrganization",
        "organizations:ListAWSServiceAccessForOrganization",
    ),
    ApiCall(
        "organizations", "ListDelegatedAdministrators", "organizations:ListDelegatedAdministrators"
    ),
    ApiCall(
        "organizations",
        "ListDelegatedServicesForAccount",
        "organizations:ListDelegatedServicesForAccount",
    ),
    ApiCall(
        "organizations", "DescribeOrganizationalUnit", "organizations:DescribeOrganizationalUnit"
    ),
    ApiCall(
        "guardduty", "ListOrganizationAdminAccounts", "guardduty:ListOrganizationAdminAccounts"
    ),
    ApiCall(
        "securityhub",
        "ListOrganizationAdminAccounts",
        "securityhub:ListOrganizationAdminAccounts",
    ),
    ApiCall("macie2", "ListOrganizationAdminAccounts", "macie2:ListOrganizationAdminAccounts"),
    ApiCall("fms", "GetAdminAccount", "fms:GetAdminAccount"),
    ApiCall("shield", "GetSubscriptionState", "shield:GetSubscriptionState"),
    ApiCall("iam", "GetRole", "iam:GetRole"),
    ApiCall("config", "DescribeConfigurationRecorders", "config:DescribeConfigurationRecorders"),
    ApiCall("config", "DescribeDeliveryChannels", "config:DescribeDeliveryChannels"),
    ApiCall("guardduty", "ListDetectors", "guardduty:ListDetectors"),
    ApiCall("securityhub", "DescribeHub", "securityhub:DescribeHub"),
    ApiCall("macie2", "GetMacieSession", "macie2:GetMacieSession"),
    ApiCall("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    ApiCall("events", "DescribeEventBus", "events:DescribeEventBus"),
    ApiCall("kms", "ListAliases", "kms:ListAliases"),
    # HeadBucket needs s3:ListBucket (Amazon S3 API reference, HeadBucket).
    ApiCall("s3", "HeadBucket", "s3:ListBucket"),
    ApiCall("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    # Macie remediation sources, in other accounts: their policies must allow these too.
    ApiCall("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
    ApiCall("s3", "GetBucketVersioning", "s3:GetBucketVersioning"),
    ApiCall("kms", "GetKeyPolicy", "kms:GetKeyPolicy"),
)


def preflight_actions() -> tuple[str, ...]:
    """Every IAM action the preflight needs, sorted, each once."""
    return tuple(sorted({call.action for call in PREFLIGHT_CALLS}))
