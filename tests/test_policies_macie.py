"""macie-enabled: the Macie account is not paused."""

import pytest

from tests.policy_harness import validate_resource

# isort: split

import macie

ACCOUNT = "aws:macie2/account:Account"


@pytest.mark.parametrize(
    "props", [{}, {"status": "ENABLED", "findingPublishingFrequency": "FIFTEEN_MINUTES"}]
)
def test_enabled_macie_passes(props):
    assert validate_resource(macie.POLICIES[0], ACCOUNT, props) == []


def test_paused_macie_fails():
    assert validate_resource(macie.POLICIES[0], ACCOUNT, {"status": "PAUSED"}) == [
        "status is PAUSED: Macie discovers nothing."
    ]
