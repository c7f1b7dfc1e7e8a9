"""sqs-queue-kms-encrypted: a KMS key, or SSE-SQS only where the policy config allows it."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import analyze, validate_resource

# isort: split

import sqs

POLICY = sqs.POLICIES[0]
QUEUE = "aws:sqs/queue:Queue"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALLOW_SSE_SQS = {"allowSseSqs": True}


def check(props: dict, config: dict | None = None) -> list[str]:
    return validate_resource(POLICY, QUEUE, props, config)


@pytest.mark.parametrize("key", [KEY_ARN, "alias/orders"])
def test_a_queue_with_a_kms_key_passes(key):
    assert check({"kmsMasterKeyId": key}) == []


def test_a_key_from_another_resource_unknown_during_preview_passes():
    # That a key is named is certain even when its ARN is not known yet.
    assert analyze([POLICY], QUEUE, {"kmsMasterKeyId": UNKNOWN_STRING_VALUE}).diagnostics == []


def test_a_plain_queue_fails_naming_the_python_argument():
    assert check({"name": "orders"}) == [
        "kms_master_key_id is not set: messages are not encrypted with a KMS key."
    ]


def test_sse_sqs_turned_off_fails_whatever_the_config():
    assert check({"sqsManagedSseEnabled": False}, ALLOW_SSE_SQS) == [
        "kms_master_key_id is not set and sqs_managed_sse_enabled is false: messages are "
        "stored unencrypted."
    ]


def test_sse_sqs_fails_by_default():
    assert check({"sqsManagedSseEnabled": True}) == [
        "kms_master_key_id is not set: sqs_managed_sse_enabled encrypts with a key SQS owns, "
        'which no key policy governs (the policy config\'s "allowSseSqs" is off).'
    ]


def test_sse_sqs_passes_where_the_config_allows_it_but_only_when_set():
    assert check({"sqsManagedSseEnabled": True}, ALLOW_SSE_SQS) == []
    # Unset, the provider leaves the queue as it is: an old queue may be unencrypted.
    assert len(check({}, ALLOW_SSE_SQS)) == 1


def test_other_types_are_not_read():
    assert validate_resource(POLICY, "aws:sns/topic:Topic", {}) == []
