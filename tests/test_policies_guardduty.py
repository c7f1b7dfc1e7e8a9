"""GuardDuty policies: detectors enabled, S3 protection per detector or per organization."""

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy_harness import by_name, resource, urn_of, validate_resource, validate_stack

# isort: split

import guardduty

DETECTOR = "aws:guardduty/detector:Detector"
FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
ORG_CONFIG = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
ORG_FEATURE = "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
DETECTOR_ID = "12abc34d567e8fa901bc2d34e56789f0"


@pytest.mark.parametrize(
    "props", [{}, {"enable": True, "findingPublishingFrequency": "FIFTEEN_MINUTES"}]
)
def test_enabled_detector_passes(props):
    assert (
        validate_resource(by_name(guardduty.POLICIES, "guardduty-enabled"), DETECTOR, props) == []
    )


def test_disabled_detector_fails():
    policy = by_name(guardduty.POLICIES, "guardduty-enabled")
    assert validate_resource(policy, DETECTOR, {"enable": False}) == [
        "enable is false: the detector produces no findings."
    ]


@pytest.mark.parametrize(("members", "violations"), [("ALL", 0), ("NEW", 0), ("NONE", 1)])
def test_organization_must_enroll_members(members, violations):
    policy = by_name(guardduty.POLICIES, "guardduty-enabled")
    props = {"detectorId": DETECTOR_ID, "autoEnableOrganizationMembers": members}
    assert len(validate_resource(policy, ORG_CONFIG, props)) == violations


def detector(**props):
    return resource(DETECTOR, "detector", {"id": DETECTOR_ID, **props})


def tied(resource_type, resource_name, owner, **props):
    return resource(
        resource_type,
        resource_name,
        {"detectorId": DETECTOR_ID, **props},
        property_dependencies={"detectorId": [owner]},
    )


def s3_protection(resources) -> list[str]:
    violations = validate_stack(by_name(guardduty.POLICIES, "guardduty-s3-protection"), resources)
    assert all(v.urn == urn_of(DETECTOR, "detector") for v in violations)
    return [v.message for v in violations]


def test_detector_with_enabled_s3_feature_passes():
    d = detector()
    assert s3_protection([d, tied(FEATURE, "s3", d, name="S3_DATA_EVENTS", status="ENABLED")]) == []


@pytest.mark.parametrize(
    "features",
    [
        [],
        [("S3_DATA_EVENTS", "DISABLED")],
        [("EKS_AUDIT_LOGS", "ENABLED")],
    ],
)
def test_detector_without_enabled_s3_feature_fails(features):
    d = detector()
    stack = [d] + [tied(FEATURE, f"f{i}", d, name=n, status=s) for i, (n, s) in enumerate(features)]
    assert s3_protection(stack) == [
        "detector 'detector' has no DetectorFeature S3_DATA_EVENTS with status ENABLED."
    ]


def test_feature_matched_by_detector_id_without_dependencies():
    stack = [
        detector(),
        resource(
            FEATURE,
            "s3",
            {"detectorId": DETECTOR_ID, "name": "S3_DATA_EVENTS", "status": "ENABLED"},
        ),
    ]
    assert s3_protection(stack) == []


def test_organization_auto_enabling_s3_protection_for_all_passes():
    d = detector(id=UNKNOWN_STRING_VALUE)  # a new detector's id is unknown during preview
    stack = [
        d,
        tied(ORG_CONFIG, "org", d, autoEnableOrganizationMembers="ALL"),
        tied(ORG_FEATURE, "org-s3", d, name="S3_DATA_EVENTS", autoEnable="ALL"),
    ]
    assert s3_protection(stack) == []


def test_organization_without_s3_feature_fails_even_with_own_feature():
    d = detector()
    stack = [
        d,
        tied(FEATURE, "s3", d, name="S3_DATA_EVENTS", status="ENABLED"),
        tied(ORG_CONFIG, "org", d, autoEnableOrganizationMembers="ALL"),
        tied(ORG_FEATURE, "org-s3", d, name="S3_DATA_EVENTS", autoEnable="NONE"),
    ]
    assert s3_protection(stack) == [
        "detector 'detector': the organization configuration has no "
        "OrganizationConfigurationFeature S3_DATA_EVENTS with auto_enable ALL or NEW."
    ]


def test_organization_enabling_only_new_members_leaves_the_admin_detector_to_its_own_feature():
    d = detector()
    stack = [
        d,
        tied(ORG_CONFIG, "org", d, autoEnableOrganizationMembers="NEW"),
        tied(ORG_FEATURE, "org-s3", d, name="S3_DATA_EVENTS", autoEnable="NEW"),
    ]
    assert s3_protection(stack) == [
        "detector 'detector' has no DetectorFeature S3_DATA_EVENTS with status ENABLED."
    ]
    assert (
        s3_protection([*stack, tied(FEATURE, "s3", d, name="S3_DATA_EVENTS", status="ENABLED")])
        == []
    )
