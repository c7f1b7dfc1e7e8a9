"""organization-policy-size, organization-rcp-deny-only, organization-policy-attachments, and
iam-policy-valid over service and resource control policies."""

import json

import pytest

from tests.policy_harness import by_name, resource, urn_of, validate_resource, validate_stack
from tests.test_stack import of_type, planned

# isort: split

import iam
import organization_policies

SIZE = by_name(organization_policies.POLICIES, "organization-policy-size")
DENY_ONLY = by_name(organization_policies.POLICIES, "organization-rcp-deny-only")
ATTACHMENTS = by_name(organization_policies.POLICIES, "organization-policy-attachments")
VALID = iam.POLICIES[0]
POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
OU = "ou-ab12-34cd56ef"
LEAVE = {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}
TLS = {
    "Sid": "EnforceSecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
}


def content(*statements: dict) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":")
    )


def test_a_policy_of_5120_characters_passes_and_one_more_fails() -> None:
    filler = {**LEAVE, "Resource": "arn:aws:iam::*:role/"}
    padding = 5120 - len(content(filler))
    fits = content({**filler, "Resource": filler["Resource"] + "x" * padding})
    assert len(fits) == 5120

    assert validate_resource(SIZE, POLICY, {"content": fits}) == []
    too_long = fits.replace('"Resource":"', '"Resource":"y', 1)
    assert validate_resource(
        SIZE, POLICY, {"content": too_long, "type": "RESOURCE_CONTROL_POLICY"}
    ) == [
        "The RESOURCE_CONTROL_POLICY holds 5121 characters; AWS Organizations stores at most 5120, "
        "white space included when sent through the API."
    ]


def test_white_space_counts_and_other_policy_types_are_left_alone() -> None:
    pretty = json.dumps({"Version": "2012-10-17", "Statement": [LEAVE] * 40}, indent=4)
    assert len(pretty) > 5120

    assert len(validate_resource(SIZE, POLICY, {"content": pretty})) == 1
    assert validate_resource(SIZE, POLICY, {"content": pretty, "type": "TAG_POLICY"}) == []


def test_an_rcp_of_deny_statements_naming_every_principal_passes() -> None:
    props = {"type": "RESOURCE_CONTROL_POLICY", "content": content(TLS)}

    assert validate_resource(DENY_ONLY, POLICY, props) == []


def test_an_rcp_that_allows_or_names_a_principal_fails() -> None:
    allow = {**TLS, "Sid": "LetPartners", "Effect": "Allow"}
    named = {**TLS, "Sid": "Partner", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}
    props = {"type": "RESOURCE_CONTROL_POLICY", "content": content(allow, named)}

    assert validate_resource(DENY_ONLY, POLICY, props) == [
        "LetPartners is not Deny: only AWS's RCPFullAWSAccess may allow in an RCP.",
        'Partner must name "Principal": "*", as every RCP statement does.',
    ]
    assert validate_resource(DENY_ONLY, POLICY, {"content": content(allow)}) == []  # an SCP


def attached(policies: list, target: str = OU) -> list:
    return [
        resource(
            ATTACHMENT,
            f"{policy.name}-{target}",
            {"policyId": f"p-{index:08d}", "targetId": target},
            property_dependencies={"policyId": [policy]},
        )
        for index, policy in enumerate(policies)
    ]


def policies(count: int, policy_type: str = "SERVICE_CONTROL_POLICY", prefix: str = "scp") -> list:
    return [resource(POLICY, f"{prefix}{n}", {"type": policy_type}) for n in range(count)]


def test_four_policies_on_a_target_pass_and_a_fifth_fails() -> None:
    four = policies(4)
    assert validate_stack(ATTACHMENTS, [*four, *attached(four)]) == []

    five = policies(5)
    [violation] = validate_stack(ATTACHMENTS, [*five, *attached(five)])
    assert violation.urn == urn_of(ATTACHMENT, f"scp4-{OU}")
    assert violation.message.startswith(
        f"5 policies of type SERVICE_CONTROL_POLICY are attached to {OU} ('scp0-{OU}'"
    )
    assert violation.message.endswith(
        "AWS attaches at most 5 to a target, its FullAWSAccess included."
    )


def test_policy_types_targets_and_policies_from_outside_the_stack_are_counted_apart() -> None:
    scps, rcps = policies(4), policies(4, "RESOURCE_CONTROL_POLICY", "rcp")
    elsewhere = attached(policies(4, prefix="other"), "ou-ab12-99zz88yy")
    outside = resource(ATTACHMENT, "existing", {"policyId": "p-12345678", "targetId": OU})

    stack = [*scps, *rcps, *attached(scps), *attached(rcps), *elsewhere, outside]
    assert validate_stack(ATTACHMENTS, stack) == []


def test_iam_policy_valid_lints_scps_as_identity_and_rcps_as_resource_policies() -> None:
    assert validate_resource(VALID, POLICY, {"content": content(LEAVE)}) == []
    typo = {**LEAVE, "Action": "organizations:LeaveOrganisation"}
    [problem] = validate_resource(VALID, POLICY, {"content": content(typo)})
    assert problem.startswith("content (identity policy): UNKNOWN_ACTION")
    problems = validate_resource(VALID, POLICY, {"content": content(TLS)})  # an SCP by default
    assert any("has a Principal, which identity policies cannot have" in p for p in problems)
    rcp = {"type": "RESOURCE_CONTROL_POLICY", "content": content(TLS)}
    assert validate_resource(VALID, POLICY, rcp) == []
    tag_policy = {"type": "TAG_POLICY", "content": '{"tags": {}}'}
    assert validate_resource(VALID, POLICY, tag_policy) == []


@pytest.mark.parametrize("policy", [SIZE, DENY_ONLY, VALID], ids=lambda p: p.name)
def test_the_prod_stacks_organization_policies_pass(policy) -> None:
    for planned_policy in of_type(planned("prod", False), POLICY):
        props = {k: planned_policy.inputs[k] for k in ("type", "content")}
        assert validate_resource(policy, POLICY, props) == [], planned_policy.name
