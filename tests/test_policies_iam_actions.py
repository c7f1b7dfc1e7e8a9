"""iam_actions (policies/): which actions exist, from a file that matches the pinned
parliament's data."""

from __future__ import annotations

import pytest

from tests.policy_harness import POLICIES_DIR
from tools.iam_actions import iam_actions, render

# isort: split

from iam_actions import action_index


def test_the_committed_action_list_is_the_pinned_parliaments() -> None:
    committed = (POLICIES_DIR / "iam_actions.json").read_text()
    assert committed == render(iam_actions()), "stale: run `make iam-actions`"


@pytest.mark.parametrize(
    ("prefix", "name", "exists"),
    [
        ("s3", "GetObject", True),
        ("S3", "getobject", True),  # IAM compares both parts case-insensitively
        ("s3", "GetObjects", False),
        ("s3", "Get*", True),
        ("s3", "*Object", True),
        ("s3", "Fetch*", False),
        ("s3", "GetObjec?", True),
        ("s3", "GetObjec[tx]", True),
        ("s3", "GetObjec[xy]", False),
        ("*", "AssumeRole", True),
        ("*", "AssumeRoles", False),
        ("s4", "*", False),
    ],
)
def test_actions_match_as_iam_reads_wildcards(prefix: str, name: str, exists: bool) -> None:
    assert action_index().matches(prefix, name) is exists


def test_prefixes_are_known_case_insensitively() -> None:
    index = action_index()
    assert not index.unknown_prefix("KMS")
    assert not index.unknown_prefix("*")
    assert index.unknown_prefix("kms2")


def test_services_sharing_a_prefix_pool_their_actions() -> None:
    """iam appears twice in parliament's data, under two names of the service."""
    services = iam_actions()["services"]
    shared = [actions for prefix, actions in services if prefix == "iam"]
    assert len(shared) > 1
    assert all(action_index().matches("iam", action) for actions in shared for action in actions)
