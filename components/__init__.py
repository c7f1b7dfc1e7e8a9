"""Building blocks of the security baseline, compliant by construction.

Each component is a `pulumi.ComponentResource` with a frozen args dataclass whose defaults
are the secure choice. Accounts come from the provider the caller passes
(`opts=pulumi.ResourceOptions(provider=...)`); regions from each args' `region`.
"""

from components.buckets import (
    AccessLogging,
    LifecycleRules,
    ObjectLock,
    SecureBucket,
    SecureBucketArgs,
)
from components.cloudtrail import CloudWatchLogsDelivery, OrganizationTrail, OrganizationTrailArgs
from components.iam import SourceScope
from components.kms import KeyGrant, ManagedKey, ManagedKeyArgs
from components.log_archive import LogArchive, LogArchiveArgs
from components.notifications import Notifications, NotificationsArgs, TopicArgs
from components.quarantine import QuarantineBucket, QuarantineBucketArgs

__all__ = [
    "AccessLogging",
    "CloudWatchLogsDelivery",
    "KeyGrant",
    "LifecycleRules",
    "LogArchive",
    "LogArchiveArgs",
    "ManagedKey",
    "ManagedKeyArgs",
    "Notifications",
    "NotificationsArgs",
    "ObjectLock",
    "OrganizationTrail",
    "OrganizationTrailArgs",
    "QuarantineBucket",
    "QuarantineBucketArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "SourceScope",
    "TopicArgs",
]
