"""Every AWS API call the audit makes, with the IAM action and resources it needs.

This table is the single source of the auditor's IAM policy: `read_permissions()` is what
`components.AuditorRole` is given, and the role adds AssumeRole on the roles it may assume. A
check that calls an API missing here is caught by the tests, which record every call a full
audit makes. Only read-only calls belong here, and the one AssumeRole that reaches the
baseline's other accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

# A pattern of the ARNs an action may touch: {partition} and {account} are filled in for the
# audited account; "*" where the action supports no resource-level permission.
ANY_RESOURCE = "*"
# The roles the audit assumes in the baseline's accounts (`baseline.audit.accounts`): their
# ARNs come from the spec, not from a pattern.
ASSUMED_ROLES = "{assumed_roles}"
_BUCKETS = "arn:{partition}:s3:::*"
_KEYS = "arn:{partition}:kms:*:{account}:key/*"
# An organization trail belongs to the management account, whatever account reads it.
_TRAILS = "arn:{partition}:cloudtrail:*:*:trail/*"
_DETECTORS = "arn:{partition}:guardduty:*:{account}:detector/*"
_HUBS = "arn:{partition}:securityhub:*:{account}:hub/default"
_TOPICS = "arn:{partition}:sns:*:{account}:*"
_FMS_POLICIES = "arn:{partition}:fms:*:{account}:policy/*"
_AGGREGATORS = "arn:{partition}:config:*:{account}:config-aggregator/*"
# The organization's policies belong to the management account, the one that reads them.
_ORGANIZATION_POLICIES = "arn:{partition}:organizations::{account}:policy/*"


@dataclass(frozen=True)
class ApiCall:
    service: str  # the boto3 client name
    operation: str  # the API operation, as botocore names it
    action: str  # the IAM action it requires
    resource: str = ANY_RESOURCE


API_CALLS: tuple[ApiCall, ...] = (
    ApiCall("sts", "GetCallerIdentity", "sts:GetCallerIdentity"),
    ApiCall("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    ApiCall("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus", _TRAILS),
    ApiCall("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
    ApiCall("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ApiCall("s3", "GetBucketTagging", "s3:GetBucketTagging", _BUCKETS),
    ApiCall("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", _BUCKETS),
    ApiCall("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration", _BUCKETS),
    ApiCall("s3", "GetBucketVersioning", "s3:GetBucketVersioning", _BUCKETS),
    ApiCall("s3", "GetBucketPolicy", "s3:GetBucketPolicy", _BUCKETS),
    ApiCall("guardduty", "ListDetectors", "guardduty:ListDetectors"),
    ApiCall("guardduty", "GetDetector", "guardduty:GetDetector", _DETECTORS),
    ApiCall("securityhub", "DescribeHub", "securityhub:DescribeHub", _HUBS),
    ApiCall("securityhub", "GetEnabledStandards", "securityhub:GetEnabledStandards", _HUBS),
    ApiCall("macie2", "GetMacieSession", "macie2:GetMacieSession"),
    # The recorder is looked up without knowing its name (its ARN ends in an id AWS makes up):
    # these two take "*".
    ApiCall("config", "DescribeConfigurationRecorders", "config:DescribeConfigurationRecorders"),
    ApiCall(
        "config",
        "DescribeConfigurationRecorderStatus",
        "config:DescribeConfigurationRecorderStatus",
    ),
    ApiCall("config", "DescribeDeliveryChannels", "config:DescribeDeliveryChannels"),
    ApiCall("config", "DescribeConformancePackStatus", "config:DescribeConformancePackStatus"),
    ApiCall(
        "config",
        "DescribeOrganizationConformancePackStatuses",
        "config:DescribeOrganizationConformancePackStatuses",
    ),
    ApiCall("kms", "ListAliases", "kms:ListAliases"),
    ApiCall("kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus", _KEYS),
    ApiCall("kms", "GetKeyPolicy", "kms:GetKeyPolicy", _KEYS),
    ApiCall("sns", "ListTopics", "sns:ListTopics"),
    ApiCall("sns", "GetTopicAttributes", "sns:GetTopicAttributes", _TOPICS),
    ApiCall("shield", "GetSubscriptionState", "shield:GetSubscriptionState"),
    ApiCall("shield", "ListProtections", "shield:ListProtections"),
    ApiCall("fms", "ListPolicies", "fms:ListPolicies"),
    ApiCall("fms", "ListComplianceStatus", "fms:ListComplianceStatus", _FMS_POLICIES),
    # DescribeSecurityGroups has no resource-level permission.
    ApiCall("ec2", "DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
    ApiCall("organizations", "ListRoots", "organizations:ListRoots"),
    ApiCall("organizations", "ListPolicies", "organizations:ListPolicies"),
    ApiCall(
        "organizations", "DescribePolicy", "organizations:DescribePolicy", _ORGANIZATION_POLICIES
    ),
    ApiCall(
        "organizations",
        "ListTargetsForPolicy",
        "organizations:ListTargetsForPolicy",
        _ORGANIZATION_POLICIES,
    ),
    # In organization mode: reaching the three baseline accounts from one set of credentials.
    ApiCall("sts", "AssumeRole", "sts:AssumeRole", ASSUMED_ROLES),
    # --organization: coverage from the organization-level APIs.
    ApiCall("organizations", "DescribeOrganization", "organizations:DescribeOrganization"),
    ApiCall("organizations", "ListAccounts", "organizations:ListAccounts"),
    ApiCall("guardduty", "ListMembers", "guardduty:ListMembers"),
    ApiCall("securityhub", "ListMembers", "securityhub:ListMembers", _HUBS),
    ApiCall("macie2", "ListMembers", "macie2:ListMembers"),
    ApiCall(
        "config", "DescribeConfigurationAggregators", "config:DescribeConfigurationAggregators"
    ),
    ApiCall(
        "config",
        "DescribeConfigurationAggregatorSourcesStatus",
        "config:DescribeConfigurationAggregatorSourcesStatus",
        _AGGREGATORS,
    ),
    ApiCall("fms", "GetAdminAccount", "fms:GetAdminAccount"),
)


def auditor_actions() -> tuple[str, ...]:
    """Every IAM action the audit needs, sorted, each once."""
    return tuple(sorted({call.action for call in API_CALLS}))


def read_permissions() -> dict[str, tuple[str, ...]]:
    """Resource pattern ({partition}, {account}, or "*") -> the sorted read-only actions that
    need it: every call but the AssumeRole of the baseline's accounts, whose roles the
    auditor role is given by ARN."""
    grouped: dict[str, set[str]] = {}
    for call in API_CALLS:
        if call.resource != ASSUMED_ROLES:
            grouped.setdefault(call.resource, set()).add(call.action)
    return {resource: tuple(sorted(actions)) for resource, actions in sorted(grouped.items())}
