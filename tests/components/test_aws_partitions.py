"""Partitions and regions read from botocore's endpoint data agree with a botocore session."""

from __future__ import annotations

import botocore.session
import pytest

from components.aws_partitions import known_regions, partition_of


@pytest.fixture(scope="module")
def session() -> botocore.session.Session:
    return botocore.session.get_session()


def test_known_regions_are_the_sessions_ec2_regions_of_each_partition(
    session: botocore.session.Session,
) -> None:
    expected = {
        region: partition
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition_name=partition)
    }
    assert dict(known_regions()) == expected
    assert known_regions()["us-gov-west-1"] == "aws-us-gov"
    assert known_regions()["cn-north-1"] == "aws-cn"


@pytest.mark.parametrize(
    "region",
    ["us-east-1", "eu-west-1", "us-gov-west-1", "cn-northwest-1", "us-iso-east-1", "ap-east-9"],
)
def test_partition_of_a_region_is_the_sessions(
    session: botocore.session.Session, region: str
) -> None:
    # ap-east-9 is in no list: the partitions' region patterns decide, as in botocore.
    assert partition_of(region) == session.get_partition_for_region(region)


def test_partition_of_a_name_no_partition_holds_is_an_error() -> None:
    with pytest.raises(ValueError, match="no AWS partition holds the region 'mars-1'"):
        partition_of("mars-1")
