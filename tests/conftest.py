"""Fixtures shared by test modules: the moto server of the audit tests (tests/audit_harness.py),
the session's memo of plans and policy verdicts (tests/plan_memo.py) with the warm interpreter
its programs and packs fork from (tests/warm_fork.py), and botocore's service models read once
per session; the garbage collector tuned for a long run."""

import functools
import gc
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from tests.audit_harness import endpoint, url
from tests.plan_memo import PlanMemo, install, shared_directory
from tests.warm_fork import WarmForks

REPO = Path(__file__).resolve().parent.parent

__all__ = ["endpoint", "plan_memo", "url"]


@pytest.fixture(scope="session", autouse=True)
def plan_memo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanMemo]:
    memo = PlanMemo(shared_directory(tmp_path_factory))
    forks = WarmForks(REPO)
    restore = install(memo, forks)
    yield memo
    restore()
    forks.close()


@pytest.fixture(scope="session", autouse=True)
def shared_service_models() -> Iterator[None]:
    """One botocore loader for every botocore session of the test session.

    moto's `mock_aws` gives each test a new default boto3 session, whose new loader parses the
    JSON service models again (EC2's alone takes a quarter of a second). The models are the
    same files: one loader (per data path) keeps them parsed.
    """
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(
            botocore.session, "create_loader", functools.cache(botocore.session.create_loader)
        )
        yield


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep what collection imported (pulumi_aws, moto, botocore: over a million objects) out
    of the collector's full passes, and make those passes rarer.

    Every full pass walks every tracked object: with the default thresholds they took about a
    sixth of the suite's time in this process, collecting almost nothing. Cycles made by the
    tests are still collected, in fewer, later passes.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1000)
