"""SecureQueue: SSE-KMS with its own key, TLS only, named senders and consumers, encrypted DLQ."""

import json

import pytest

from components import DeadLetterQueue, SecureQueue, SecureQueueArgs, ServiceSender
from tests.components_harness import ACCOUNT, ROOT, descendants, exporting, of_type, only, plan_of
from tests.policy_documents import actions, document, lint, principals, statement

QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"
KEY = "aws:kms/key:Key"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:order-events"
API_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-api"
WORKER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-worker"


def queue_program(**overrides):
    return exporting(
        lambda: SecureQueue("work", SecureQueueArgs(**overrides)),
        "arn",
        "url",
        "key_arn",
        "dlq_arn",
    )


def all_senders():
    return {
        "sender_services": (ServiceSender("sns.amazonaws.com", source_arns=(TOPIC_ARN,)),),
        "sender_role_arns": (API_ROLE,),
        "consumer_role_arns": (WORKER_ROLE,),
    }


@pytest.mark.parametrize("preview", [True, False])
def test_both_queues_are_encrypted_with_the_components_own_key(preview):
    plan = plan_of(queue_program(), preview=preview)
    key = only(plan, KEY)
    queue, dead_letter = only(plan, QUEUE, "work-queue"), only(plan, QUEUE, "work-dlq")
    for each in (queue, dead_letter):
        assert each.inputs["kmsMasterKeyId"] == key.outputs["arn"]
        assert each.inputs["kmsDataKeyReusePeriodSeconds"] == 300.0
        assert "sqsManagedSseEnabled" not in each.inputs
    assert key.inputs["enableKeyRotation"] is True
    assert plan.stack_outputs == {
        "arn": queue.outputs["arn"],
        "url": queue.outputs["url"],
        "key_arn": key.outputs["arn"],
        "dlq_arn": dead_letter.outputs["arn"],
    }
    component = only(plan, "security-baseline:queues:SecureQueue")
    assert {r.type for r in descendants(plan, component)} >= {
        QUEUE,
        QUEUE_POLICY,
        REDRIVE_ALLOW,
        KEY,
    }


def test_failed_messages_go_to_the_dead_letter_queue_which_takes_them_from_this_queue_only():
    plan = plan_of(queue_program(dead_letter=DeadLetterQueue(max_receive_count=3)))
    queue, dead_letter = only(plan, QUEUE, "work-queue"), only(plan, QUEUE, "work-dlq")
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dead_letter.outputs["arn"],
        "maxReceiveCount": 3,
    }
    assert dead_letter.inputs["messageRetentionSeconds"] == 1_209_600.0
    assert "redrivePolicy" not in dead_letter.inputs
    allow = only(plan, REDRIVE_ALLOW)
    assert allow.inputs["queueUrl"] == dead_letter.outputs["url"]
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.outputs["arn"]],
    }


def test_without_a_dead_letter_queue_there_is_one_queue_and_no_dlq_output():
    plan = plan_of(queue_program(dead_letter=None))
    assert [q.name for q in of_type(plan, QUEUE)] == ["work-queue"]
    assert "redrivePolicy" not in only(plan, QUEUE).inputs
    assert of_type(plan, REDRIVE_ALLOW) == []
    assert plan.stack_outputs.get("dlq_arn") is None


def test_each_queue_policy_refuses_plain_http():
    plan = plan_of(queue_program())
    for queue_name, policy_name in (("work-queue", "work-policy"), ("work-dlq", "work-dlq-policy")):
        queue = only(plan, QUEUE, queue_name)
        policy_resource = only(plan, QUEUE_POLICY, policy_name)
        assert policy_resource.inputs["queueUrl"] == queue.outputs["url"]
        deny = statement(document(policy_resource), "DenyInsecureTransport")
        assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
        assert actions(deny) == {"sqs:*"}
        assert deny["Resource"] == [queue.outputs["arn"]]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_senders_and_consumers_are_named_in_the_queue_policy_with_source_conditions():
    plan = plan_of(queue_program(**all_senders()))
    queue_arn = only(plan, QUEUE, "work-queue").outputs["arn"]
    policy = document(only(plan, QUEUE_POLICY, "work-policy"))
    assert [each["Sid"] for each in policy["Statement"]] == [
        "DenyInsecureTransport",
        "AllowSnsSend",
        "AllowSenderRoles",
        "AllowConsumerRoles",
    ]
    sns = statement(policy, "AllowSnsSend")
    assert sns["Principal"] == {"Service": "sns.amazonaws.com"}
    assert actions(sns) == {"sqs:SendMessage"}
    assert sns["Resource"] == [queue_arn]
    assert sns["Condition"] == {"ArnEquals": {"aws:SourceArn": [TOPIC_ARN]}}
    senders = statement(policy, "AllowSenderRoles")
    assert principals(senders, "AWS") == [ROOT]
    assert "sqs:SendMessage" in actions(senders)
    assert "sqs:ReceiveMessage" not in actions(senders)
    assert senders["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [API_ROLE]}}
    consumers = statement(policy, "AllowConsumerRoles")
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= actions(consumers)
    assert "sqs:SendMessage" not in actions(consumers)
    assert consumers["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [WORKER_ROLE]}}


def test_the_dead_letter_queue_admits_consumers_but_no_senders():
    plan = plan_of(queue_program(**all_senders()))
    policy = document(only(plan, QUEUE_POLICY, "work-dlq-policy"))
    assert [each["Sid"] for each in policy["Statement"]] == [
        "DenyInsecureTransport",
        "AllowConsumerRoles",
    ]


def test_the_key_lets_senders_encrypt_and_consumers_only_decrypt():
    plan = plan_of(queue_program(**all_senders()))
    key_policy = document(only(plan, KEY))
    sns = statement(key_policy, "AllowSnsEncrypt")
    assert principals(sns, "Service") == ["sns.amazonaws.com"]
    assert actions(sns) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert sns["Condition"] == {"ArnEquals": {"aws:SourceArn": [TOPIC_ARN]}}
    senders = statement(key_policy, "AllowSenderRoles")
    assert actions(senders) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    assert senders["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [API_ROLE]}}
    consumers = statement(key_policy, "AllowConsumerRoles")
    assert actions(consumers) == {"kms:Decrypt"}
    assert consumers["Condition"] == {"ArnEquals": {"aws:PrincipalArn": [WORKER_ROLE]}}


def test_policies_lint_clean():
    plan = plan_of(queue_program(**all_senders()))
    for policy in of_type(plan, QUEUE_POLICY):
        assert lint(policy.inputs["policy"], "resource") == []
    assert lint(only(plan, KEY).inputs["policy"], "key") == []


def test_limits_sqs_refuses_are_refused():
    with pytest.raises(ValueError, match="kms_data_key_reuse_period_seconds must be between 60"):
        SecureQueueArgs(kms_data_key_reuse_period_seconds=30)
    with pytest.raises(ValueError, match="message_retention_seconds must be between"):
        SecureQueueArgs(message_retention_seconds=1_209_601)
    with pytest.raises(ValueError, match="visibility_timeout_seconds"):
        SecureQueueArgs(visibility_timeout_seconds=43_201)
    with pytest.raises(ValueError, match="max_receive_count"):
        DeadLetterQueue(max_receive_count=0)
    with pytest.raises(ValueError, match="FIFO queues are not supported"):
        SecureQueueArgs(queue_name="orders.fifo")


def test_senders_must_be_scoped():
    with pytest.raises(ValueError, match="name the source ARNs"):
        ServiceSender("sns.amazonaws.com", source_arns=())
    with pytest.raises(ValueError, match="not a service principal"):
        ServiceSender("*", source_arns=(TOPIC_ARN,))
    with pytest.raises(ValueError, match="sender services repeat"):
        SecureQueueArgs(
            sender_services=(
                ServiceSender("sns.amazonaws.com", (TOPIC_ARN,)),
                ServiceSender("sns.amazonaws.com", (TOPIC_ARN,)),
            )
        )
    with pytest.raises(ValueError, match="consumer_role_arns: not IAM role ARNs"):
        SecureQueueArgs(consumer_role_arns=("arn:aws:iam::123456789012:user/alice",))


def test_a_named_queue_names_its_dead_letter_queue_after_it():
    plan = plan_of(queue_program(queue_name="orders-work"))
    assert only(plan, QUEUE, "work-queue").inputs["name"] == "orders-work"
    assert only(plan, QUEUE, "work-dlq").inputs["name"] == "orders-work-dlq"
