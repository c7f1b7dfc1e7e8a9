"""Record the AWS calls the Macie remediator makes in its moto tests, and check each against the
prod plan's policies, as the real role would meet them.

Each call becomes the IAM actions S3's and SNS's API references name for it, on the resource it
touches. The test's buckets stand for the prod ones: the quarantine bucket for the prod quarantine
bucket, any other for a bucket the prod Macie job scans in the data-lake account, whose bucket
and key grant the role as docs/macie-remediation.md says (built here with SecureBucket and
`source_key_grant`, as a data owner would). What must allow each action:

- the quarantine bucket and the topic (same account): the role's policy or the resource's policy,
  and neither denies (IAM policy evaluation logic);
- the source bucket (another account): both the role's policy and the bucket policy;
- every KMS key: the key policy and the role's policy (stricter than KMS, which takes the key
  policy alone when it names the role; the prod plan gives both), with `kms:ViaService` and the
  encryption context S3 or SNS send.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pulumi

from baseline.preview.model import Plan, PlannedResource
from baseline.project import load_stack_file
from baseline.spec_loader import CONFIG_KEY, parse_spec
from components import SecureBucket, SecureBucketArgs
from components.kms import ManagedKey, ManagedKeyArgs
from components.macie_remediation_grants import key_region, source_key_grant
from components.policy_evaluation import Decision, Request, evaluate
from tests.components_harness import of_type, only, plan_of
from tests.organization_harness import account_provider
from tests.policy_documents import document
from tests.test_stack import ROOT, planned

DATA_ACCOUNT = "444444444444"  # the data lake the prod Macie job scans

# Writes into the SSE-KMS quarantine bucket (PutObject, CopyObject, multipart uploads).
WRITE_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


@dataclass
class Call:
    operation: str
    params: dict[str, Any]
    status: int | None = None
    response: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Need:
    """One action on one place: `source`, `quarantine` (buckets; `key` None is the bucket
    itself), `topic`, or a KMS key: `source-key`, `quarantine-key`, `topic-key`."""

    action: str
    place: str
    key: str | None = None


@contextmanager
def recorded(clients: dict[str, Any]) -> Iterator[list[Call]]:
    """Every call the given clients make, with its parameters, HTTP status and response."""
    calls: list[Call] = []
    pending = threading.local()  # multipart copies call from several threads

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:
        pending.call = Call(model.name, dict(params))
        calls.append(pending.call)

    def after(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        call = getattr(pending, "call", None)
        if call is not None:
            call.status, call.response = http_response.status_code, parsed
            pending.call = None

    for service, client in clients.items():
        client.meta.events.register(f"provide-client-params.{service}", before)
        client.meta.events.register(f"after-call.{service}", after)
    try:
        yield calls
    finally:
        for service, client in clients.items():
            client.meta.events.unregister(f"provide-client-params.{service}", before)
            client.meta.events.unregister(f"after-call.{service}", after)


def needs(calls: list[Call], quarantine_bucket: str) -> list[Need]:
    """The IAM actions of the recorded calls (S3 API reference, each operation's Permissions)."""
    encrypted_sources = {
        call.params["Key"]
        for call in calls
        if call.operation == "HeadObject"
        and call.params["Bucket"] != quarantine_bucket
        and call.response.get("ServerSideEncryption") == "aws:kms"
    }

    def place(bucket: str) -> str:
        return "quarantine" if bucket == quarantine_bucket else "source"

    found: list[Need] = []
    for call in calls:
        found.extend(_call_needs(call, place, encrypted_sources))
    return found


def _object(action: str, where: str, key: str, versioned: bool, version_action: str) -> list[Need]:
    return [Need(action, where, key), *([Need(version_action, where, key)] if versioned else [])]


def _read(where: str, located: dict[str, Any], encrypted: set[str]) -> list[Need]:
    key = located["Key"]
    reads = _object("s3:GetObject", where, key, "VersionId" in located, "s3:GetObjectVersion")
    if where == "quarantine" or key in encrypted:
        reads.append(Need("kms:Decrypt", f"{where}-key"))
    return reads


def _write(key: str, params: dict[str, Any]) -> list[Need]:
    written = [Need("s3:PutObject", "quarantine", key)]
    if params.get("Tagging"):
        written.append(Need("s3:PutObjectTagging", "quarantine", key))
    return written + [Need(action, "quarantine-key") for action in WRITE_KEY_ACTIONS]


def _call_needs(call: Call, place: Any, encrypted: set[str]) -> list[Need]:
    params, operation = call.params, call.operation
    if operation == "Publish":
        return [Need("sns:Publish", "topic"), *(Need(a, "topic-key") for a in WRITE_KEY_ACTIONS)]
    where, key = place(params["Bucket"]), str(params.get("Key", ""))
    versioned = "VersionId" in params
    if operation in ("HeadObject", "GetObject"):
        located = _read(where, params, encrypted if operation == "GetObject" else set())
        if operation == "HeadObject":  # HeadObject reads no data: no key
            located = [need for need in located if not need.action.startswith("kms:")]
        gone = [Need("s3:ListBucket", where)] if call.status == 404 else []
        return located + gone
    if operation == "GetObjectTagging":
        return _object("s3:GetObjectTagging", where, key, versioned, "s3:GetObjectVersionTagging")
    if operation == "ListObjectVersions":
        return [Need("s3:ListBucketVersions", where)]
    if operation == "DeleteObject":
        return _object("s3:DeleteObject", where, key, versioned, "s3:DeleteObjectVersion")
    if operation == "AbortMultipartUpload":
        return [Need("s3:AbortMultipartUpload", where, key)]
    if operation in ("CreateMultipartUpload", "CompleteMultipartUpload"):
        return _write(key, params)
    if operation in ("CopyObject", "UploadPartCopy"):
        source = params["CopySource"]
        copied = _read(place(source["Bucket"]), source, encrypted)
        if operation == "CopyObject" and params.get("TaggingDirective") != "REPLACE":
            copied.append(Need("s3:GetObjectTagging", place(source["Bucket"]), source["Key"]))
        return copied + _write(key, params)
    raise AssertionError(f"the remediator calls {operation}: say which permissions it needs")


@dataclass(frozen=True)
class Place:
    """A resource of the prod plan (or of the data owner's stack) and its policy."""

    arn: str
    policy: dict[str, Any] | None
    cross_account: bool = False


@dataclass(frozen=True)
class ProdPolicies:
    role_arn: str
    role_policy: dict[str, Any]
    places: dict[str, Place]
    regions: dict[str, str]

    def refusals(self, wanted: list[Need]) -> list[str]:
        """Each needed action that the policies do not allow, with what they said."""
        problems = []
        for need in sorted(set(wanted), key=lambda n: (n.place, n.action, n.key or "")):
            identity, resource = self._decisions(need)
            if not self._allows(need, identity, resource):
                problems.append(
                    f"{need.action} on {need.place} {need.key or ''}: role policy "
                    f"{identity.reason}; resource policy {resource.reason}"
                )
        return problems

    def _decisions(self, need: Need) -> tuple[Decision, Decision]:
        place = self.places[need.place]
        resource = place.arn if need.key is None else f"{place.arn}/{need.key}"
        context = {
            "aws:SecureTransport": "true",
            "aws:PrincipalArn": self.role_arn,
            "aws:PrincipalAccount": self.role_arn.split(":")[4],
            "kms:CallerAccount": self.role_arn.split(":")[4],
        }
        if need.place.endswith("-key"):
            context |= self._key_context(need.place.removesuffix("-key"))
        identity = evaluate(self.role_policy, Request(need.action, resource, None, context))
        if place.policy is None:
            return identity, Decision("not-allowed", "none")
        return identity, evaluate(
            place.policy, Request(need.action, resource, self.role_arn, context)
        )

    def _key_context(self, user: str) -> dict[str, str]:
        """What S3 (with S3 Bucket Keys: the bucket ARN) or SNS send KMS on the role's behalf."""
        arn, service = self.places[user].arn, "sns" if user == "topic" else "s3"
        context_key = "aws:sns:topicArn" if user == "topic" else "aws:s3:arn"
        return {
            "kms:ViaService": f"{service}.{self.regions[user]}.amazonaws.com",
            f"kms:EncryptionContext:{context_key}": arn,
        }

    def _allows(self, need: Need, identity: Decision, resource: Decision) -> bool:
        if "denied" in (identity.outcome, resource.outcome):
            return False
        if need.place.endswith("-key") or self.places[need.place].cross_account:
            return identity.allowed and resource.allowed
        return identity.allowed or resource.allowed


def _by_arn(plan: Plan, type_token: str, arn: str, key: str = "arn") -> PlannedResource:
    (found,) = [r for r in of_type(plan, type_token) if r.outputs.get(key) == arn]
    return found


@cache
def data_owner_policies(
    role_arn: str, bucket: str, key_arn: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data lake account's bucket and key policies, built as docs/macie-remediation.md says."""

    def program() -> None:
        data = account_provider("data", DATA_ACCOUNT)
        key = ManagedKey(
            "data-lake",
            ManagedKeyArgs(
                alias="data-lake", grants=(source_key_grant((role_arn,), key_region(key_arn)),)
            ),
            opts=pulumi.ResourceOptions(provider=data),
        )
        SecureBucket(
            "data-lake-raw",
            SecureBucketArgs(
                kms_key_arn=key.arn,
                bucket_name=bucket,
                remediation_role_arns=(role_arn,),
            ),
            opts=pulumi.ResourceOptions(provider=data),
        )

    plan = plan_of(program)
    return (
        document(only(plan, "aws:s3/bucketPolicy:BucketPolicy")),
        document(only(plan, "aws:kms/key:Key")),
    )


def _scanned_data_lake() -> tuple[str, str]:
    """A bucket the prod Macie job scans in the data-lake account, and the spec's source key."""
    spec = parse_spec(load_stack_file(ROOT, "prod").config[CONFIG_KEY], aws_region="us-east-1")
    (job,) = spec.macie.classification_jobs
    (definition,) = [b for b in job.buckets if b.account_id == DATA_ACCOUNT]
    (key_arn,) = spec.macie.remediation.source_key_arns
    return definition.bucket_names[0], key_arn


@cache
def prod_policies() -> ProdPolicies:
    plan = planned("prod", False)
    remediator = only(plan, "aws:lambda/function:Function", "macie-remediation-remediator")
    role_arn = remediator.inputs["role"]
    environment = remediator.inputs["environment"]["variables"]
    quarantine_key = only(plan, "aws:kms/key:Key", "quarantine-key-key")
    bucket_policy = only(plan, "aws:s3/bucketPolicy:BucketPolicy", "quarantine-bucket-policy")
    topic = _by_arn(plan, "aws:sns/topic:Topic", environment["NOTIFY_TOPIC_ARN"])
    topic_key = _by_arn(plan, "aws:kms/key:Key", topic.inputs["kmsMasterKeyId"])
    topic_policy = _by_arn(plan, "aws:sns/topicPolicy:TopicPolicy", topic.outputs["arn"])
    source_bucket, source_key = _scanned_data_lake()
    source_policy, source_key_policy = data_owner_policies(role_arn, source_bucket, source_key)
    role_policy = only(plan, "aws:iam/rolePolicy:RolePolicy", "macie-remediation-remediator")
    return ProdPolicies(
        role_arn=role_arn,
        role_policy=document(role_policy),
        places={
            "quarantine": Place(
                f"arn:aws:s3:::{environment['QUARANTINE_BUCKET']}", document(bucket_policy)
            ),
            "quarantine-key": Place(quarantine_key.outputs["arn"], document(quarantine_key)),
            "topic": Place(topic.outputs["arn"], document(topic_policy)),
            "topic-key": Place(topic_key.outputs["arn"], document(topic_key)),
            "source": Place(f"arn:aws:s3:::{source_bucket}", source_policy, cross_account=True),
            "source-key": Place(source_key, source_key_policy, cross_account=True),
        },
        regions={
            "quarantine": remediator.inputs["region"],
            "topic": topic.outputs["arn"].split(":")[3],
            "source": key_region(source_key),
        },
    )
