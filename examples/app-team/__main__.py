"""The orders service: what an app team writes with the security-baseline components.

A data bucket, an events topic feeding a work queue (with its dead-letter queue), a log group,
and a load balancer behind AWS WAF. Every resource is encrypted with its own KMS key, refuses
plain HTTP and grants only the team's two roles, so the stack passes the organization's policy
pack without any exception. The VPC, subnets and certificate come from the stack's config:
they belong to the platform team.
"""

import pulumi
import pulumi_aws as aws

from components import (
    DeadLetterQueue,
    EncryptedTopic,
    EncryptedTopicArgs,
    ForwardTarget,
    LifecycleRules,
    ManagedKey,
    ManagedKeyArgs,
    ProtectedLoadBalancer,
    ProtectedLoadBalancerArgs,
    SecureBucket,
    SecureBucketArgs,
    SecureLogGroup,
    SecureLogGroupArgs,
    SecureQueue,
    SecureQueueArgs,
    ServiceSender,
    TopicSubscriber,
)

config = pulumi.Config()
tags = {"Team": "orders", "Environment": pulumi.get_stack()}
deletion_protection = config.get_bool("deletionProtection", True)


def role_arn(role_name: str) -> pulumi.Output[str]:
    """A role of this account by name; the roles exist before the service does."""
    account = aws.get_caller_identity_output().account_id
    partition = aws.get_partition_output().partition
    return pulumi.Output.concat("arn:", partition, ":iam::", account, ":role/", role_name)


api_role = role_arn(config.require("apiRoleName"))
worker_role = role_arn(config.require("workerRoleName"))

data_key = ManagedKey(
    "orders-data",
    ManagedKeyArgs(alias="orders/data", user_arns=(worker_role,), tags=tags),
)
data = SecureBucket(
    "orders-data",
    SecureBucketArgs(
        kms_key_arn=data_key.arn,
        lifecycle=LifecycleRules(noncurrent_version_expiration_days=30),
        tags=tags,
    ),
)

events = EncryptedTopic(
    "order-events",
    EncryptedTopicArgs(publisher_role_arns=(api_role,), tags=tags),
)
work = SecureQueue(
    "order-work",
    SecureQueueArgs(
        visibility_timeout_seconds=120,
        sender_services=(ServiceSender("sns.amazonaws.com", source_arns=(events.arn,)),),
        consumer_role_arns=(worker_role,),
        dead_letter=DeadLetterQueue(max_receive_count=5),
        tags=tags,
    ),
)
events.subscribe(TopicSubscriber("work-queue", protocol="sqs", endpoint=work.arn))

api_logs = SecureLogGroup(
    "orders-api",
    SecureLogGroupArgs(
        log_group_name="/orders/api",
        deletion_protection=deletion_protection,
        tags=tags,
    ),
)

web = ProtectedLoadBalancer(
    "orders",
    ProtectedLoadBalancerArgs(
        vpc_id=config.require("vpcId"),
        subnet_ids=tuple(config.require_object("publicSubnetIds")),
        certificate_arn=config.require("certificateArn"),
        target=ForwardTarget(port=8443, egress_cidrs=(config.require("vpcCidr"),)),
        deletion_protection=deletion_protection,
        shield_advanced=config.get_bool("shieldAdvanced", False),
        tags=tags,
    ),
)

pulumi.export("data_bucket", data.bucket)
pulumi.export("events_topic", events.arn)
pulumi.export("work_queue", work.url)
pulumi.export("dead_letter_queue", work.dlq_arn)
pulumi.export("log_group", api_logs.name)
pulumi.export("url", web.dns_name.apply(lambda name: f"https://{name}"))
pulumi.export("web_acl", web.web_acl_arn)
