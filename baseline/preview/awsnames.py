"""AWS-shaped computed attributes for resources the offline preview plans.

Without these, every input built from another resource's `arn` or `id` stays unknown under
mocks and silently disappears from the plan (see NOTES.md). The values follow the formats AWS
documents for each service, with the partition, region and account of the provider the
resource belongs to, so policies and tests see what they would see after `pulumi up`.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

DNS_SUFFIX = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}


@dataclass(frozen=True)
class Placement:
    """Where a resource lives: what its provider (and its own `region=` input) say."""

    partition: str
    account: str
    region: str


def digest(*parts: str, length: int = 32) -> str:
    """A deterministic hex string, so the same program always plans the same ids."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def physical_name(logical_name: str) -> str:
    """Pulumi's auto-naming: the logical name plus seven random hex characters."""
    return f"{logical_name}-{digest(logical_name, length=7)}"


def key_uuid(seed: str) -> str:
    h = digest(seed)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


@cache
def resource_class(type_token: str) -> type | None:
    """The pulumi_aws class for `aws:<module>/<lower>:<Class>`, or None when there is none."""
    match = re.fullmatch(r"aws:([\w/]+)/\w+:(\w+)", type_token)
    if match is None:
        return None
    module_path = "" if match.group(1) == "index" else "." + match.group(1).replace("/", ".")
    try:
        module = importlib.import_module(f"pulumi_aws{module_path}")
    except ImportError:
        return None
    cls = getattr(module, match.group(2), None)
    return cls if isinstance(cls, type) else None


def has_output(type_token: str, attribute: str) -> bool:
    cls = resource_class(type_token)
    return cls is not None and isinstance(getattr(cls, attribute, None), property)


def _arn_prefix(service: str, at: Placement) -> str:
    return f"arn:{at.partition}:{service}:{at.region}:{at.account}"


Computer = Callable[[str, Mapping[str, Any], Placement], dict[str, Any]]


def _bucket(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    bucket = inputs.get("bucket") or physical_name(name)
    suffix = DNS_SUFFIX.get(at.partition, "amazonaws.com")
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:{at.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.{suffix}",
        "bucketRegionalDomainName": f"{bucket}.s3.{at.region}.{suffix}",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
    }


def _kms_key(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    key_id = key_uuid(f"kms/{at.account}/{at.region}/{name}")
    return {
        "id": key_id,
        "keyId": key_id,
        "arn": f"arn:{at.partition}:kms:{at.region}:{at.account}:key/{key_id}",
    }


def _kms_alias(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    alias = inputs.get("name") or f"alias/{physical_name(name)}"
    key = str(inputs.get("targetKeyId", ""))
    target_arn = (
        key
        if key.startswith("arn:")
        else f"arn:{at.partition}:kms:{at.region}:{at.account}:key/{key}"
    )
    return {
        "id": alias,
        "name": alias,
        "arn": f"arn:{at.partition}:kms:{at.region}:{at.account}:{alias}",
        "targetKeyArn": target_arn,
    }


def _named_arn(
    service: str, shape: str, *, global_service: bool = False, id_is_arn: bool = False
) -> Computer:
    """ARN `arn:<p>:<service>:<region>:<account>:<shape with {name}>`."""

    def compute(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
        physical = inputs.get("name") or physical_name(name)
        region = "" if global_service else at.region
        arn = f"arn:{at.partition}:{service}:{region}:{at.account}:{shape.format(name=physical)}"
        return {"id": arn if id_is_arn else physical, "name": physical, "arn": arn}

    return compute


def _iam_role(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    role = inputs.get("name") or physical_name(name)
    path = inputs.get("path") or "/"
    return {
        "id": role,
        "name": role,
        "arn": f"arn:{at.partition}:iam::{at.account}:role{path}{role}",
        "uniqueId": "AROA" + digest(role, length=17).upper(),
    }


def _iam_policy(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    policy = inputs.get("name") or physical_name(name)
    path = inputs.get("path") or "/"
    arn = f"arn:{at.partition}:iam::{at.account}:policy{path}{policy}"
    return {
        "id": arn,
        "name": policy,
        "arn": arn,
        "policyId": "ANPA" + digest(policy, length=17).upper(),
    }


def _service_linked_role(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    service = str(inputs.get("awsServiceName", ""))
    role = _SERVICE_LINKED_ROLE_NAMES.get(service) or physical_name(name)
    arn = f"arn:{at.partition}:iam::{at.account}:role/aws-service-role/{service}/{role}"
    return {"id": arn, "arn": arn, "name": role, "path": f"/aws-service-role/{service}/"}


# The names AWS gives the service-linked roles the baseline creates.
_SERVICE_LINKED_ROLE_NAMES = {
    "config.amazonaws.com": "AWSServiceRoleForConfig",
    "macie.amazonaws.com": "AWSServiceRoleForAmazonMacie",
    "guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty",
    "securityhub.amazonaws.com": "AWSServiceRoleForSecurityHub",
    "fms.amazonaws.com": "AWSServiceRoleForFMS",
}


def _sqs_queue(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    queue = inputs.get("name") or physical_name(name)
    suffix = DNS_SUFFIX.get(at.partition, "amazonaws.com")
    url = f"https://sqs.{at.region}.{suffix}/{at.account}/{queue}"
    return {
        "id": url,
        "url": url,
        "name": queue,
        "arn": f"arn:{at.partition}:sqs:{at.region}:{at.account}:{queue}",
    }


def _secret(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    secret = inputs.get("name") or physical_name(name)
    suffix = digest(secret, length=6)
    arn = f"arn:{at.partition}:secretsmanager:{at.region}:{at.account}:secret:{secret}-{suffix}"
    return {"id": arn, "name": secret, "arn": arn}


def _lambda_function(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    function = inputs.get("name") or physical_name(name)
    arn = f"arn:{at.partition}:lambda:{at.region}:{at.account}:function:{function}"
    api = f"arn:{at.partition}:apigateway:{at.region}:lambda:path/2015-03-31"
    invoke = f"{api}/functions/{arn}/invocations"
    return {
        "id": function,
        "name": function,
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": invoke,
        "version": "$LATEST",
    }


def _detector(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    detector = digest(f"guardduty/{at.account}/{at.region}/{name}")
    return {
        "id": detector,
        "accountId": at.account,
        "arn": f"arn:{at.partition}:guardduty:{at.region}:{at.account}:detector/{detector}",
    }


def _http_api(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    api = digest(f"apigw/{name}", length=10)
    suffix = DNS_SUFFIX.get(at.partition, "amazonaws.com")
    return {
        "id": api,
        "apiEndpoint": f"https://{api}.execute-api.{at.region}.{suffix}",
        "executionArn": f"arn:{at.partition}:execute-api:{at.region}:{at.account}:{api}",
        "arn": f"arn:{at.partition}:apigateway:{at.region}::/apis/{api}",
    }


def _cloudformation_stack(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    stack = inputs.get("name") or physical_name(name)
    prefix = f"arn:{at.partition}:cloudformation:{at.region}:{at.account}"
    arn = f"{prefix}:stack/{stack}/{key_uuid(stack)}"
    return {"id": arn, "name": stack}


def _stack_set(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    stack_set = inputs.get("name") or physical_name(name)
    set_id = f"{stack_set}:{key_uuid(stack_set)}"
    arn = f"arn:{at.partition}:cloudformation:{at.region}:{at.account}:stackset/{set_id}"
    return {"id": stack_set, "name": stack_set, "arn": arn, "stackSetId": set_id}


def _security_group(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    group = "sg-" + digest(f"sg/{at.account}/{at.region}/{name}", length=17)
    return {
        "id": group,
        "name": inputs.get("name") or physical_name(name),
        "arn": f"arn:{at.partition}:ec2:{at.region}:{at.account}:security-group/{group}",
        "ownerId": at.account,
    }


def _load_balancer(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    lb = inputs.get("name") or physical_name(name)
    kind = "net" if inputs.get("loadBalancerType") == "network" else "app"
    arn = (
        f"arn:{at.partition}:elasticloadbalancing:{at.region}:{at.account}:"
        f"loadbalancer/{kind}/{lb}/{digest(lb, length=16)}"
    )
    return {
        "id": arn,
        "arn": arn,
        "name": lb,
        "dnsName": f"{lb}-{digest(lb, length=10)}.{at.region}.elb.amazonaws.com",
        "zoneId": "Z35SXDOTRQ7X7K",
    }


def _web_acl(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    acl = inputs.get("name") or physical_name(name)
    acl_id = key_uuid(f"wafv2/{acl}")
    scope = "global" if inputs.get("scope") == "CLOUDFRONT" else "regional"
    region = "us-east-1" if scope == "global" else at.region
    arn = f"arn:{at.partition}:wafv2:{region}:{at.account}:{scope}/webacl/{acl}/{acl_id}"
    return {"id": acl_id, "name": acl, "arn": arn}


def _uuid_arn(service: str, shape: str) -> Computer:
    def compute(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
        ident = key_uuid(f"{service}/{at.account}/{at.region}/{name}")
        return {
            "id": ident,
            "arn": f"{_arn_prefix(service, at)}:{shape.format(id=ident)}",
        }

    return compute


def organization_id_of(account: str) -> str:
    """The organization the mocks' management account `account` runs (see mocks._organization)."""
    return f"o-{digest('organization', account, length=10)}"


def _organizations_policy(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    # AWS Organizations API reference, Policy: "p-" and 8 to 128 lowercase letters or digits;
    # ARN arn:<p>:organizations::<management>:policy/<organization>/<type>/<policy id>.
    policy_id = f"p-{digest('policy', at.account, name, length=8)}"
    kind = str(inputs.get("type") or "SERVICE_CONTROL_POLICY").lower()
    organization = organization_id_of(at.account)
    arn = f"arn:{at.partition}:organizations::{at.account}:policy/{organization}/{kind}/{policy_id}"
    return {"id": policy_id, "arn": arn}


def _policy_attachment(name: str, inputs: Mapping[str, Any], at: Placement) -> dict[str, Any]:
    # pulumi-aws's id of an attachment: "<target id>:<policy id>".
    return {"id": f"{inputs.get('targetId')}:{inputs.get('policyId')}"}


SPECIFIC: dict[str, Computer] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:sns/topic:Topic": _named_arn("sns", "{name}", id_is_arn=True),
    "aws:cloudtrail/trail:Trail": _named_arn("cloudtrail", "trail/{name}", id_is_arn=True),
    "aws:cloudwatch/logGroup:LogGroup": _named_arn("logs", "log-group:{name}"),
    "aws:cloudwatch/eventRule:EventRule": _named_arn("events", "rule/{name}"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named_arn("cloudwatch", "alarm:{name}"),
    "aws:firehose/firehoseDeliveryStream:FirehoseDeliveryStream": _named_arn(
        "firehose", "deliverystream/{name}", id_is_arn=True
    ),
    "aws:iam/role:Role": _iam_role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:sqs/queue:Queue": _sqs_queue,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:lambda/function:Function": _lambda_function,
    "aws:guardduty/detector:Detector": _detector,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:cloudformation/stack:Stack": _cloudformation_stack,
    "aws:cloudformation/stackSet:StackSet": _stack_set,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:fms/policy:Policy": _uuid_arn("fms", "policy/{id}"),
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": _service_linked_role,
    "aws:macie/customDataIdentifier:CustomDataIdentifier": _uuid_arn(
        "macie2", "custom-data-identifier/{id}"
    ),
    "aws:securityhub/configurationPolicy:ConfigurationPolicy": _uuid_arn(
        "securityhub", "configuration-policy/{id}"
    ),
    "aws:organizations/policy:Policy": _organizations_policy,
    "aws:organizations/policyAttachment:PolicyAttachment": _policy_attachment,
    "aws:macie2/classificationJob:ClassificationJob": _uuid_arn(
        "macie2", "classification-job/{id}"
    ),
}


def _generic(
    type_token: str, name: str, inputs: Mapping[str, Any], at: Placement
) -> dict[str, Any]:
    """Resources of no specific shape: an id, and a physical name and an ARN if they have them."""
    computed: dict[str, Any] = {"id": f"{name}-{digest(type_token, name, length=8)}"}
    physical = inputs.get("name")
    if physical is None and has_output(type_token, "name"):
        physical = physical_name(name)
        computed["name"] = physical
    if has_output(type_token, "arn") and "arn" not in inputs:
        service = type_token.split(":")[1].split("/", maxsplit=1)[0]
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", type_token.rsplit(":", 1)[1]).lower()
        computed["arn"] = f"{_arn_prefix(service, at)}:{kind}/{physical or computed['id']}"
    return computed


def computed_attributes(
    type_token: str, name: str, inputs: Mapping[str, Any], at: Placement
) -> dict[str, Any]:
    """What AWS (and the provider) would fill in after creating `type_token` named `name`."""
    compute = SPECIFIC.get(type_token)
    computed = compute(name, inputs, at) if compute else _generic(type_token, name, inputs, at)
    if has_output(type_token, "region") and "region" not in inputs:
        computed["region"] = at.region
    if has_output(type_token, "tagsAll") or has_output(type_token, "tags_all"):
        computed["tagsAll"] = dict(inputs.get("tags") or {})
    return computed
