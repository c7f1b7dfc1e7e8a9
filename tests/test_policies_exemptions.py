"""policy-exemptions: per-resource exemptions from the pack config, through the SDK's servicer.

Each test configures the pack as the CLI does (Configure), then analyzes resources (Analyze)
and the stack (AnalyzeStack) in that order, as the engine does.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from google.protobuf import struct_pb2
from jsonschema import Draft7Validator
from pulumi.runtime.proto import analyzer_pb2

from tests.policy_harness import servicer, to_struct, urn_of

# isort: split

import catalog
import exemptions

EXEMPTIONS = catalog.ALL_POLICIES[0]
QUEUE = "aws:sqs/queue:Queue"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET = "aws:s3/bucket:Bucket"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
SQS_REASON = "carries public order ids only (risk RISK-42)"
ALB_REASON = "ELB delivers access logs only to SSE-S3 buckets; the load balancer is in stack web"


@pytest.fixture(autouse=True)
def no_exemptions_left_behind() -> Iterator[None]:
    yield
    exemptions.configure(())


def exemption(policy: str, resource: str, reason: str, **extra: str) -> dict[str, str]:
    return {"policy": policy, "resource": resource, "reason": reason, **extra}


def configured(entries: Sequence[Mapping[str, str]], level: int = analyzer_pb2.ADVISORY) -> Any:
    """The pack's servicer after a Configure carrying `entries`, the others at their defaults."""
    pack = servicer(catalog.ALL_POLICIES)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy in catalog.ALL_POLICIES:
        request.policyConfig[policy.name].enforcementLevel = analyzer_pb2.MANDATORY
    request.policyConfig[exemptions.POLICY_NAME].enforcementLevel = level
    properties = struct_pb2.Struct()
    properties.update({"exemptions": [dict(e) for e in entries]})
    request.policyConfig[exemptions.POLICY_NAME].properties.CopyFrom(properties)
    pack.Configure(request, None)
    return pack


def analyze(pack: Any, resource_type: str, name: str, props: dict) -> list[tuple[str, str]]:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource_type, properties=to_struct(props), urn=urn_of(resource_type, name), name=name
    )
    return [
        (d.policyName, d.message.split("\n", 1)[-1])
        for d in pack.Analyze(request, None).diagnostics
    ]


def analyze_stack(pack: Any, resources: Sequence[tuple[str, str, dict]]) -> list[tuple[str, str]]:
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(type=t, name=n, urn=urn_of(t, n), properties=to_struct(p))
            for t, n, p in resources
        ]
    )
    return [(d.policyName, d.urn) for d in pack.AnalyzeStack(request, None).diagnostics]


def test_without_exemptions_nothing_is_listed_and_the_violation_stands():
    pack = configured([])
    assert analyze(pack, QUEUE, "orders", {}) == [
        (
            "sqs-queue-kms-encrypted",
            "kms_master_key_id is not set: messages are not encrypted with a KMS key.",
        )
    ]


def test_an_exempted_resource_is_listed_with_the_reason_instead_of_the_violation():
    pack = configured([exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON)])
    assert analyze(pack, QUEUE, "orders", {}) == [
        ("policy-exemptions", f"exempted sqs-queue-kms-encrypted: {SQS_REASON}")
    ]
    [(policy, _)] = analyze(pack, QUEUE, "payments", {})
    assert policy == "sqs-queue-kms-encrypted"


def test_the_exemption_is_advisory_and_names_the_exempted_resource():
    pack = configured([exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON)])
    request = analyzer_pb2.AnalyzeRequest(
        type=QUEUE, properties=to_struct({}), urn=urn_of(QUEUE, "orders"), name="orders"
    )
    [diagnostic] = pack.Analyze(request, None).diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    # No URN of its own: the engine files an Analyze diagnostic under the analyzed resource.
    assert diagnostic.urn == ""


def test_an_exemption_waives_one_policy_only_and_is_listed_where_that_policy_looks():
    pack = configured([exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON)])
    # A log group of the same name keeps its own policy, and is not listed as exempted.
    assert [p for p, _ in analyze(pack, LOG_GROUP, "orders", {})] == [
        "cloudwatch-log-group-kms-encrypted"
    ]


@pytest.mark.parametrize(
    "pattern",
    ["ord*", "urn:pulumi:test::app::aws:sqs/queue:Queue::orders", "urn:pulumi:*::ord?rs"],
)
def test_resources_are_matched_by_name_or_urn_with_wildcards(pattern):
    pack = configured([exemption("sqs-queue-kms-encrypted", pattern, SQS_REASON)])
    assert [p for p, _ in analyze(pack, QUEUE, "orders", {})] == ["policy-exemptions"]


def test_an_expired_exemption_neither_waives_nor_is_listed():
    old = exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON, expires="2000-01-31")
    pack = configured([old])
    assert [p for p, _ in analyze(pack, QUEUE, "orders", {})] == ["sqs-queue-kms-encrypted"]
    future = exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON, expires="2999-12-31")
    pack = configured([future])
    assert [p for p, _ in analyze(pack, QUEUE, "orders", {})] == ["policy-exemptions"]


def test_disabling_the_exemptions_policy_disables_every_exemption():
    pack = configured(
        [exemption("sqs-queue-kms-encrypted", "orders", SQS_REASON)], level=analyzer_pb2.DISABLED
    )
    assert [p for p, _ in analyze(pack, QUEUE, "orders", {})] == ["sqs-queue-kms-encrypted"]


def sse_s3_bucket(name: str) -> list[tuple[str, str, dict]]:
    rule = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    return [
        (BUCKET, name, {"bucket": name, "id": name}),
        (ENCRYPTION, name, {"bucket": name, "rules": [rule]}),
    ]


def test_a_stack_policy_leaves_out_the_exempted_bucket_only():
    """An access-log bucket of a load balancer in another stack must use SSE-S3: exempted."""
    pack = configured([exemption("s3-bucket-encryption-kms", "alb-logs", ALB_REASON)])
    stack = sse_s3_bucket("alb-logs") + sse_s3_bucket("data")
    # The engine analyzes each resource before the stack: the bucket is listed, not its
    # encryption resource of the same name.
    listed = [analyze(pack, t, n, p) for t, n, p in stack]
    assert [m for found in listed for p, m in found if p == "policy-exemptions"] == [
        f"exempted s3-bucket-encryption-kms: {ALB_REASON}"
    ]
    encryption = [
        urn for policy, urn in analyze_stack(pack, stack) if policy == "s3-bucket-encryption-kms"
    ]
    assert encryption == [urn_of(BUCKET, "data")]


assert EXEMPTIONS.config_schema is not None
SCHEMA = EXEMPTIONS.config_schema.properties["exemptions"]


def schema_errors(entries: list[dict]) -> list[str]:
    # The JSON Schema the CLI (and `baseline preview`) validates the policy's config with.
    return [e.message for e in Draft7Validator(SCHEMA).iter_errors(entries)]


def test_a_valid_exemption_list_passes_the_schema():
    valid = exemption("s3-bucket-encryption-kms", "alb-*", ALB_REASON, expires="2026-06-30")
    assert schema_errors([valid]) == []


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (exemption("s3-bucket-encryption", "alb-logs", ALB_REASON), "is not one of"),
        (exemption("policy-exemptions", "alb-logs", ALB_REASON), "is not one of"),
        (exemption("s3-bucket-encryption-kms", "*", ALB_REASON), "does not match"),
        (exemption("s3-bucket-encryption-kms", "alb-logs", "  "), "does not match"),
        (
            exemption("s3-bucket-encryption-kms", "alb-logs", ALB_REASON, expires="30/06/2026"),
            "does not match",
        ),
        ({"policy": "s3-bucket-encryption-kms", "resource": "alb-logs"}, "'reason' is a required"),
        ({**exemption("s3-bucket-encryption-kms", "a", ALB_REASON), "until": "x"}, "Additional"),
    ],
)
def test_the_schema_refuses_what_would_not_exempt_one_resource_with_a_reason(entry, problem):
    [message] = schema_errors([entry])
    assert problem in message


def test_every_other_policy_of_the_pack_may_be_exempted():
    names = {p.name for p in catalog.ALL_POLICIES} - {exemptions.POLICY_NAME}
    assert set(SCHEMA["items"]["properties"]["policy"]["enum"]) == names
