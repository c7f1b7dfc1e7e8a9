"""S3: every bucket encrypted with KMS, private, TLS-only and versioned.

pulumi-aws 7 configures a bucket through separate resources (encryption, public access block,
versioning, policy, ACL, ownership controls), so these are stack policies: each bucket is
matched with the settings resources whose `bucket` input refers to it. Only those resources
count as configuration; the bucket's deprecated inline arguments are not accepted as a
substitute, except that a public inline ACL is still reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from documents import denies_insecure_transport, documents_of_resource, parse
from helpers import (
    as_list,
    as_mapping,
    flag,
    group_by_reference,
    label,
    names_a_value,
    of_types,
    python_name,
    referenced,
    text,
)
from metadata import stack_policy
from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
ENCRYPTION_TYPES = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
PUBLIC_ACCESS_BLOCK_TYPES = frozenset({"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"})
VERSIONING_TYPES = frozenset(
    {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}
)
POLICY_TYPES = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
LOGGING_TYPES = frozenset(
    {"aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"}
)
ACL_TYPES = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
OWNERSHIP_TYPES = frozenset({"aws:s3/bucketOwnershipControls:BucketOwnershipControls"})

# A settings resource names its bucket by the bucket's name, which is also its id.
BUCKET_ID_PROPS = ("bucket", "id")
LB_TYPES = frozenset({"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"})
KMS_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse"})
PUBLIC_ACCESS_FLAGS = (
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
)
PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEE_GROUPS = frozenset(
    {
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    }
)


def buckets_with(
    args: StackValidationArgs, setting_types: frozenset[str]
) -> list[tuple[PolicyResource, list[PolicyResource]]]:
    """Each bucket of the stack with its settings resources of the given types."""
    buckets = of_types(args.resources, BUCKET_TYPES)
    settings = of_types(args.resources, setting_types)
    grouped = group_by_reference(settings, "bucket", buckets, BUCKET_ID_PROPS)
    return [(bucket, grouped[bucket.urn]) for bucket in buckets]


def _default_encryption(rule: Any) -> Mapping[str, Any]:
    return as_mapping(as_mapping(rule).get("applyServerSideEncryptionByDefault"))


def _is_kms_rule(rule: Any) -> bool:
    default = _default_encryption(rule)
    algorithm = text(default, "sseAlgorithm")
    return algorithm in KMS_ALGORITHMS and names_a_value(default, "kmsMasterKeyId")


def _is_sse_s3_rule(rule: Any) -> bool:
    return text(_default_encryption(rule), "sseAlgorithm") == "AES256"


def access_log_targets(args: StackValidationArgs) -> set[str]:
    """URNs of the buckets that receive access logs: S3 server access logs (BucketLogging
    targetBucket) and load balancer access logs (accessLogs.bucket), which both need SSE-S3."""
    buckets = of_types(args.resources, BUCKET_TYPES)
    loggings = of_types(args.resources, LOGGING_TYPES)
    targets = [referenced(lg, "targetBucket", buckets, BUCKET_ID_PROPS) for lg in loggings]
    targets += [_load_balancer_log_bucket(lb, buckets) for lb in of_types(args.resources, LB_TYPES)]
    return {target.urn for target in targets if target is not None}


def _load_balancer_log_bucket(
    load_balancer: PolicyResource, buckets: Sequence[PolicyResource]
) -> PolicyResource | None:
    access_logs = load_balancer.props.get("accessLogs")
    if not isinstance(access_logs, Mapping) or access_logs.get("enabled") is False:
        return None
    for dependency in load_balancer.property_dependencies.get("accessLogs", []):
        if dependency in buckets:
            return dependency
    name = access_logs.get("bucket")
    return next((b for b in buckets if name and b.props.get("bucket") == name), None)


def _validate_encryption(args: StackValidationArgs, report: ReportViolation) -> None:
    # S3 cannot deliver server access logs into an SSE-KMS bucket: those take SSE-S3.
    log_targets = access_log_targets(args)
    for bucket, configurations in buckets_with(args, ENCRYPTION_TYPES):
        rules = [rule for c in configurations for rule in as_list(c.props.get("rules"))]
        log_target = bucket.urn in log_targets
        if not configurations:
            report(
                f"bucket {label(bucket)} has no BucketServerSideEncryptionConfiguration.",
                bucket.urn,
            )
        elif not any(_is_kms_rule(r) or (log_target and _is_sse_s3_rule(r)) for r in rules):
            report(
                f"bucket {label(bucket)}: default encryption is not SSE-KMS with a named key "
                "(sse_algorithm aws:kms or aws:kms:dsse, and kms_master_key_id).",
                bucket.urn,
            )


def _validate_public_access_block(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket, blocks in buckets_with(args, PUBLIC_ACCESS_BLOCK_TYPES):
        if not blocks:
            report(f"bucket {label(bucket)} has no BucketPublicAccessBlock.", bucket.urn)
            continue
        off = [f for f in PUBLIC_ACCESS_FLAGS if not any(flag(b.props, f, False) for b in blocks)]
        if off:
            report(
                f"bucket {label(bucket)}: BucketPublicAccessBlock leaves "
                f"{', '.join(python_name(f) for f in off)} off.",
                bucket.urn,
            )


def _validate_versioning(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket, versionings in buckets_with(args, VERSIONING_TYPES):
        statuses = [
            text(as_mapping(v.props.get("versioningConfiguration")), "status") for v in versionings
        ]
        if not versionings:
            report(f"bucket {label(bucket)} has no BucketVersioning.", bucket.urn)
        elif "Enabled" not in statuses:
            report(
                f"bucket {label(bucket)}: versioning is {statuses[0] or 'unset'}, not Enabled.",
                bucket.urn,
            )


def _denies_insecure_transport(bucket_policy: PolicyResource) -> bool:
    documents = [parse(found.text) for found in documents_of_resource(bucket_policy)]
    return any(denies_insecure_transport(d) for d in documents if d is not None)


def _validate_tls_only(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket, policies in buckets_with(args, POLICY_TYPES):
        if not any(_denies_insecure_transport(p) for p in policies):
            report(
                f"bucket {label(bucket)}: no BucketPolicy denies s3:* on the bucket and its "
                "objects to every principal when aws:SecureTransport is false.",
                bucket.urn,
            )


def _public_acl_grants(canned_acl: str, grantee_uris: list[str]) -> list[str]:
    found = [f"canned ACL {canned_acl}"] if canned_acl in PUBLIC_CANNED_ACLS else []
    return found + [
        f"a grant to {uri.rsplit('/', 1)[-1]}"
        for uri in grantee_uris
        if uri in PUBLIC_GRANTEE_GROUPS
    ]


def _acl_resource_grants(acl: PolicyResource) -> list[str]:
    policy = as_mapping(acl.props.get("accessControlPolicy"))
    uris = [
        text(as_mapping(as_mapping(grant).get("grantee")), "uri")
        for grant in as_list(policy.get("grants"))
    ]
    return _public_acl_grants(text(acl.props, "acl"), uris)


def _inline_acl_grants(bucket_props: Mapping[str, Any]) -> list[str]:
    uris = [text(as_mapping(grant), "uri") for grant in as_list(bucket_props.get("grants"))]
    return _public_acl_grants(text(bucket_props, "acl"), uris)


def _acls_disabled(ownership_controls: list[PolicyResource]) -> bool:
    rules = [rule for c in ownership_controls for rule in as_list(c.props.get("rule"))]
    return any(text(as_mapping(rule), "objectOwnership") == "BucketOwnerEnforced" for rule in rules)


def _validate_no_public_acl(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket, acls in buckets_with(args, ACL_TYPES):
        for grant in (g for acl in acls for g in _acl_resource_grants(acl)):
            report(f"bucket {label(bucket)}: BucketAcl has {grant}.", bucket.urn)
    # The bucket's own (deprecated, computed) ACL outputs may be unknown during preview, so
    # they are read last, after every certain finding is reported; with ownership controls
    # set to BucketOwnerEnforced, S3 ignores ACLs altogether.
    for bucket, controls in buckets_with(args, OWNERSHIP_TYPES):
        if _acls_disabled(controls):
            continue
        for grant in _inline_acl_grants(bucket.props):
            report(f"bucket {label(bucket)} has {grant}.", bucket.urn)


POLICIES = [
    stack_policy(
        name="s3-bucket-encryption-kms",
        summary=(
            "S3 buckets must encrypt objects by default with SSE-KMS and a named KMS key "
            "(SSE-S3 for server access log targets, which S3 cannot deliver to under SSE-KMS)."
        ),
        validate=_validate_encryption,
        severity=Severity.HIGH,
        remediation_steps=(
            "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with "
            "sse_algorithm='aws:kms', kms_master_key_id set to a customer managed key, and "
            "bucket_key_enabled=True. A bucket that receives server access logs needs "
            "sse_algorithm='AES256' instead."
        ),
    ),
    stack_policy(
        name="s3-bucket-public-access-block",
        summary="S3 buckets must block public access with all four Block Public Access settings.",
        validate=_validate_public_access_block,
        severity=Severity.HIGH,
        remediation_steps=(
            "Add an aws.s3.BucketPublicAccessBlock for the bucket with block_public_acls, "
            "block_public_policy, ignore_public_acls and restrict_public_buckets all True."
        ),
    ),
    stack_policy(
        name="s3-bucket-tls-only",
        summary="S3 bucket policies must deny requests that do not use TLS.",
        validate=_validate_tls_only,
        severity=Severity.MEDIUM,
        remediation_steps=(
            "Add to the bucket's aws.s3.BucketPolicy a statement: Effect Deny, Principal '*', "
            "Action 's3:*', Resource the bucket ARN and '<bucket ARN>/*', Condition "
            "Bool aws:SecureTransport 'false'."
        ),
    ),
    stack_policy(
        name="s3-bucket-no-public-acl",
        summary="S3 buckets must not grant access to everyone or to any AWS user through ACLs.",
        validate=_validate_no_public_acl,
        severity=Severity.CRITICAL,
        remediation_steps=(
            "Remove public canned ACLs and AllUsers/AuthenticatedUsers grants, and add an "
            "aws.s3.BucketOwnershipControls with object_ownership='BucketOwnerEnforced' to "
            "disable ACLs."
        ),
    ),
    stack_policy(
        name="s3-bucket-versioning",
        summary="S3 buckets must keep object versions.",
        validate=_validate_versioning,
        severity=Severity.LOW,
        remediation_steps=(
            "Add an aws.s3.BucketVersioning for the bucket with versioning_configuration "
            "status='Enabled'."
        ),
    ),
]
