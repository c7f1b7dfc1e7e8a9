"""config-recorder-all-resources: the recorder records every supported type."""

import pytest

from tests.policy_harness import validate_resource

# isort: split

import awsconfig

RECORDER = "aws:cfg/recorder:Recorder"
ROLE = (
    "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
)


@pytest.mark.parametrize(
    "props",
    [
        {"roleArn": ROLE},
        {"roleArn": ROLE, "recordingGroup": {"includeGlobalResourceTypes": True}},
        {
            "roleArn": ROLE,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        },
    ],
)
def test_recorder_of_all_supported_types_passes(props):
    assert validate_resource(awsconfig.POLICIES[0], RECORDER, props) == []


def test_recorder_of_selected_types_fails():
    group = {"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]}
    assert validate_resource(
        awsconfig.POLICIES[0], RECORDER, {"roleArn": ROLE, "recordingGroup": group}
    ) == ["recording_group.all_supported is false: some resource types go unrecorded."]
