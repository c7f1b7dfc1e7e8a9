"""ec2-security-group-no-public-admin-ports: inline rules and separate rule resources alike."""

import pytest

from tests.policy_harness import validate_resource

# isort: split

import ec2

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
POLICY = ec2.POLICIES[0]


def inline(protocol, from_port, to_port, cidrs=("0.0.0.0/0",), ipv6=()):
    rule = {"protocol": protocol, "fromPort": from_port, "toPort": to_port}
    rule |= {"cidrBlocks": list(cidrs), "ipv6CidrBlocks": list(ipv6)}
    return {"vpcId": "vpc-0a1b2c3d", "ingress": [rule]}


@pytest.mark.parametrize(
    "props",
    [
        inline("tcp", 443, 443),
        inline("tcp", 22, 22, cidrs=("10.0.0.0/8",)),
        inline("tcp", 1024, 3388),
        inline("icmp", -1, -1),
        inline("-1", 0, 0, cidrs=("192.168.0.0/16",)),
        {"vpcId": "vpc-0a1b2c3d"},
    ],
)
def test_security_group_without_public_admin_ingress_passes(props):
    assert validate_resource(POLICY, SG, props) == []


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (inline("tcp", 22, 22), "ingress[0] allows protocol tcp from 0.0.0.0/0 to port 22."),
        (
            inline("tcp", 0, 65535),
            "ingress[0] allows protocol tcp from 0.0.0.0/0 to port 22, 3389.",
        ),
        (inline("-1", 0, 0), "ingress[0] allows protocol -1 from 0.0.0.0/0 to port 22, 3389."),
        (inline("all", 0, 0), "ingress[0] allows protocol all from 0.0.0.0/0 to port 22, 3389."),
        (inline("6", 3000, 4000), "ingress[0] allows protocol 6 from 0.0.0.0/0 to port 3389."),
        (
            inline("udp", 3389, 3389, cidrs=(), ipv6=("::/0",)),
            "ingress[0] allows protocol udp from ::/0 to port 3389.",
        ),
    ],
)
def test_inline_ingress_reaching_an_admin_port_fails(props, expected):
    assert validate_resource(POLICY, SG, props) == [expected]


def test_separate_security_group_rule_is_checked_and_egress_ignored():
    rule = {
        "securityGroupId": "sg-0123456789abcdef0",
        "protocol": "tcp",
        "fromPort": 3389,
        "toPort": 3389,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    assert validate_resource(POLICY, SG_RULE, {**rule, "type": "ingress"}) == [
        "rule allows protocol tcp from 0.0.0.0/0 to port 3389."
    ]
    assert validate_resource(POLICY, SG_RULE, {**rule, "type": "egress"}) == []


@pytest.mark.parametrize(
    ("props", "violations"),
    [
        ({"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}, 1),
        ({"ipProtocol": "-1", "cidrIpv6": "::/0"}, 1),
        ({"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "203.0.113.0/24"}, 0),
        ({"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv4": "0.0.0.0/0"}, 0),
    ],
)
def test_vpc_ingress_rule_resource(props, violations):
    props = {"securityGroupId": "sg-0123456789abcdef0", **props}
    assert len(validate_resource(POLICY, VPC_RULE, props)) == violations


def test_admin_ports_come_from_config():
    config = {"ports": [5432.0]}  # Configure hands numbers over as doubles
    assert validate_resource(POLICY, SG, inline("tcp", 22, 22), config) == []
    assert validate_resource(POLICY, SG, inline("tcp", 5432, 5432), config) == [
        "ingress[0] allows protocol tcp from 0.0.0.0/0 to port 5432."
    ]
