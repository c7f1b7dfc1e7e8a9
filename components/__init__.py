"""Building blocks of the security baseline, compliant by construction.

Each component is a `pulumi.ComponentResource` with a frozen args dataclass whose defaults
are the secure choice. Accounts come from the provider the caller passes
(`opts=pulumi.ResourceOptions(provider=...)`); regions from each args' `region`.
"""

from components.auditor import AuditorRole, AuditorRoleArgs, auditor_policy_document
from components.buckets import (
    AccessLogging,
    LifecycleRules,
    ObjectLock,
    SecureBucket,
    SecureBucketArgs,
)
from components.iam import SourceScope
from components.kms import KeyGrant, ManagedKey, ManagedKeyArgs
from components.lambda_function import (
    ExecutionRole,
    OnFailure,
    SecureFunction,
    SecureFunctionArgs,
)
from components.load_balancer import (
    AccessLogs,
    FixedResponse,
    ForwardTarget,
    ProtectedLoadBalancer,
    ProtectedLoadBalancerArgs,
)
from components.logs import SecureLogGroup, SecureLogGroupArgs
from components.queues import DeadLetterQueue, SecureQueue, SecureQueueArgs, ServiceSender
from components.topics import EncryptedTopic, EncryptedTopicArgs, TopicSubscriber

__all__ = [
    "AccessLogging",
    "AccessLogs",
    "AuditorRole",
    "AuditorRoleArgs",
    "DeadLetterQueue",
    "EncryptedTopic",
    "EncryptedTopicArgs",
    "ExecutionRole",
    "FixedResponse",
    "ForwardTarget",
    "KeyGrant",
    "LifecycleRules",
    "ManagedKey",
    "ManagedKeyArgs",
    "ObjectLock",
    "OnFailure",
    "ProtectedLoadBalancer",
    "ProtectedLoadBalancerArgs",
    "SecureBucket",
    "SecureBucketArgs",
    "SecureFunction",
    "SecureFunctionArgs",
    "SecureLogGroup",
    "SecureLogGroupArgs",
    "SecureQueue",
    "SecureQueueArgs",
    "ServiceSender",
    "SourceScope",
    "TopicSubscriber",
    "auditor_policy_document",
]
