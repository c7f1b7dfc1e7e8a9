"""ProtectedLoadBalancer: HTTPS only with HTTP redirected, WAF associated, tight security group."""

import pytest

from components import (
    AccessLogs,
    FixedResponse,
    ForwardTarget,
    ProtectedLoadBalancer,
    ProtectedLoadBalancerArgs,
)
from components.load_balancer import DEFAULT_RULE_GROUPS
from tests.components_harness import descendants, exporting, of_type, only, plan_of

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
SHIELD = "aws:shield/protection:Protection"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/5d8f3c2a-9b1e-4f7a-8c6d-2e4b1a9f0c37"
SUBNETS = ("subnet-0a1", "subnet-0b2")


def balancer_args(**overrides):
    return ProtectedLoadBalancerArgs(
        vpc_id="vpc-0a1b2c3d", subnet_ids=SUBNETS, certificate_arn=CERTIFICATE, **overrides
    )


def balancer_program(**overrides):
    return exporting(
        lambda: ProtectedLoadBalancer("web", balancer_args(**overrides)),
        "arn",
        "dns_name",
        "web_acl_arn",
        "security_group_id",
        "zone_id",
        "target_group_arn",
    )


def listener_on(plan, port):
    matches = [each for each in of_type(plan, LISTENER) if each.inputs["port"] == float(port)]
    assert len(matches) == 1, [each.inputs["port"] for each in of_type(plan, LISTENER)]
    return matches[0]


@pytest.mark.parametrize("preview", [True, False])
def test_the_load_balancer_drops_invalid_headers_and_is_protected_from_deletion(preview):
    plan = plan_of(balancer_program(), preview=preview)
    alb = only(plan, ALB)
    group = only(plan, GROUP)
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["internal"] is False
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["enableDeletionProtection"] is True
    assert alb.inputs["desyncMitigationMode"] == "defensive"
    assert alb.inputs["subnets"] == list(SUBNETS)
    assert alb.inputs["securityGroups"] == [group.id]
    acl = only(plan, WEB_ACL)
    assert plan.stack_outputs == {
        "arn": alb.outputs["arn"],
        "dns_name": alb.outputs["dnsName"],
        "zone_id": alb.outputs["zoneId"],
        "web_acl_arn": acl.outputs["arn"],
        "security_group_id": group.id,
        "target_group_arn": None,
    }
    component = only(plan, "security-baseline:load_balancer:ProtectedLoadBalancer")
    assert {r.type for r in descendants(plan, component)} >= {
        ALB,
        LISTENER,
        WEB_ACL,
        ASSOCIATION,
        GROUP,
        INGRESS,
    }


def test_https_uses_the_certificate_and_a_tls12_policy_and_http_only_redirects():
    plan = plan_of(balancer_program())
    alb_arn = only(plan, ALB).outputs["arn"]
    https = listener_on(plan, 443)
    assert https.inputs["loadBalancerArn"] == alb_arn
    assert https.inputs["protocol"] == "HTTPS"
    assert https.inputs["certificateArn"] == CERTIFICATE
    assert https.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert https.inputs["routingHttpResponseStrictTransportSecurityHeaderValue"] == (
        "max-age=31536000"
    )
    assert https.inputs["defaultActions"] == [
        {
            "type": "fixed-response",
            "fixedResponse": {
                "contentType": "text/plain",
                "messageBody": "Not Found",
                "statusCode": "404",
            },
        }
    ]
    http = listener_on(plan, 80)
    assert http.inputs["loadBalancerArn"] == alb_arn
    assert http.inputs["protocol"] == "HTTP"
    assert "certificateArn" not in http.inputs
    assert http.inputs["defaultActions"] == [
        {
            "type": "redirect",
            "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"},
        }
    ]
    assert of_type(plan, TARGET_GROUP) == []


def test_a_forward_target_gets_an_https_target_group_reached_only_in_its_cidrs():
    target = ForwardTarget(port=8443, egress_cidrs=("10.20.0.0/16",), health_check_path="/health")
    plan = plan_of(balancer_program(target=target))
    group = only(plan, TARGET_GROUP)
    assert group.inputs["vpcId"] == "vpc-0a1b2c3d"
    assert (group.inputs["port"], group.inputs["protocol"]) == (8443.0, "HTTPS")
    assert group.inputs["healthCheck"]["path"] == "/health"
    assert group.inputs["healthCheck"]["protocol"] == "HTTPS"
    assert listener_on(plan, 443).inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": group.outputs["arn"]}
    ]
    assert plan.stack_outputs["target_group_arn"] == group.outputs["arn"]
    egress = only(plan, EGRESS)
    assert egress.inputs["securityGroupId"] == only(plan, GROUP).id
    assert (egress.inputs["fromPort"], egress.inputs["toPort"]) == (8443.0, 8443.0)
    assert egress.inputs["ipProtocol"] == "tcp"
    assert egress.inputs["cidrIpv4"] == "10.20.0.0/16"


def test_a_public_load_balancer_admits_443_and_80_from_anywhere_and_sends_nowhere():
    plan = plan_of(balancer_program())
    group_id = only(plan, GROUP).id
    opened = {
        (
            rule.inputs["fromPort"],
            rule.inputs["toPort"],
            rule.inputs["ipProtocol"],
            rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6"),
        )
        for rule in of_type(plan, INGRESS)
        if rule.inputs["securityGroupId"] == group_id
    }
    assert opened == {
        (443.0, 443.0, "tcp", "0.0.0.0/0"),
        (443.0, 443.0, "tcp", "::/0"),
        (80.0, 80.0, "tcp", "0.0.0.0/0"),
        (80.0, 80.0, "tcp", "::/0"),
    }
    assert len(of_type(plan, INGRESS)) == 4
    assert "ingress" not in only(plan, GROUP).inputs
    assert of_type(plan, EGRESS) == []


def test_an_internal_load_balancer_admits_only_the_given_ranges():
    plan = plan_of(balancer_program(internal=True, ingress_cidrs=("10.0.0.0/8",)))
    assert only(plan, ALB).inputs["internal"] is True
    sources = {rule.inputs["cidrIpv4"] for rule in of_type(plan, INGRESS)}
    assert sources == {"10.0.0.0/8"}
    assert {rule.inputs["fromPort"] for rule in of_type(plan, INGRESS)} == {443.0, 80.0}


def test_the_web_acl_runs_the_aws_baseline_rule_groups_with_metrics_and_guards_the_alb():
    plan = plan_of(balancer_program())
    acl = only(plan, WEB_ACL)
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert acl.inputs["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
    assert acl.inputs["visibilityConfig"]["sampledRequestsEnabled"] is True
    rules = acl.inputs["rules"]
    groups = [rule["statement"]["managedRuleGroupStatement"] for rule in rules]
    assert [(g["vendorName"], g["name"]) for g in groups] == [
        ("AWS", "AWSManagedRulesCommonRuleSet"),
        ("AWS", "AWSManagedRulesAmazonIpReputationList"),
        ("AWS", "AWSManagedRulesKnownBadInputsRuleSet"),
    ]
    assert len({rule["priority"] for rule in rules}) == len(rules)
    assert len({rule["name"] for rule in rules}) == len(rules)
    for rule in rules:
        # "none" keeps each managed rule's own Block action; "count" would only watch.
        assert rule["overrideAction"] == {"none": {}}
        assert rule["visibilityConfig"]["cloudwatchMetricsEnabled"] is True
        assert rule["visibilityConfig"]["sampledRequestsEnabled"] is True
    association = only(plan, ASSOCIATION)
    assert association.inputs["resourceArn"] == only(plan, ALB).outputs["arn"]
    assert association.inputs["webAclArn"] == acl.outputs["arn"]


def test_shield_advanced_protects_the_alb_only_when_the_account_subscribes():
    assert of_type(plan_of(balancer_program()), SHIELD) == []
    plan = plan_of(balancer_program(shield_advanced=True))
    assert only(plan, SHIELD).inputs["resourceArn"] == only(plan, ALB).outputs["arn"]


def test_access_logs_and_weakened_defaults_take_explicit_arguments():
    plan = plan_of(
        balancer_program(
            access_logs=AccessLogs(bucket="orders-alb-logs", prefix="web"),
            deletion_protection=False,
            strict_transport_security=None,
            target=FixedResponse(status_code=503, message_body="maintenance"),
        )
    )
    alb = only(plan, ALB)
    assert alb.inputs["accessLogs"] == {
        "bucket": "orders-alb-logs",
        "prefix": "web",
        "enabled": True,
    }
    assert alb.inputs["enableDeletionProtection"] is False
    https = listener_on(plan, 443)
    assert "routingHttpResponseStrictTransportSecurityHeaderValue" not in https.inputs
    assert https.inputs["defaultActions"][0]["fixedResponse"]["statusCode"] == "503"


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS-1-1-2017-01",
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "ELBSecurityPolicy-TLS13-1-1-2021-06",
        "ELBSecurityPolicy-FS-1-1-2019-08",
    ],
)
def test_policies_that_allow_tls_below_12_are_refused(policy):
    with pytest.raises(ValueError, match=r"not a TLS 1\.2\+ ELB security policy"):
        balancer_args(ssl_policy=policy)


@pytest.mark.parametrize(
    "policy",
    [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    ],
)
def test_tls12_and_tls13_policies_are_accepted(policy):
    assert balancer_args(ssl_policy=policy).ssl_policy == policy


def test_args_refuse_what_would_leave_the_load_balancer_open_or_broken():
    with pytest.raises(ValueError, match="internal load balancer needs ingress_cidrs"):
        balancer_args(internal=True)
    with pytest.raises(ValueError, match="at least two zones"):
        ProtectedLoadBalancerArgs(vpc_id="v", subnet_ids=("s",), certificate_arn=CERTIFICATE)
    with pytest.raises(ValueError, match="is not a CIDR block"):
        balancer_args(ingress_cidrs=("10.0.0.0/33",))
    with pytest.raises(ValueError, match="nobody could reach"):
        balancer_args(ingress_cidrs=())
    with pytest.raises(ValueError, match="where the targets live"):
        ForwardTarget(egress_cidrs=())
    with pytest.raises(ValueError, match="at least one AWS managed rule group"):
        balancer_args(managed_rule_groups=())
    assert balancer_args().managed_rule_groups == DEFAULT_RULE_GROUPS
