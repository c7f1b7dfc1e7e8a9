"""Fixtures shared by test modules: the moto server of the audit tests (tests/audit_harness.py),
moto's RSA keys made once (tests/moto_keys.py),
the session's memo of plans and policy verdicts (tests/plan_memo.py) with the warm interpreter
its programs and packs fork from (tests/warm_fork.py), and botocore's service models read once
per session; the garbage collector tuned for a long run."""

import atexit
import functools
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

from tests.audit_harness import endpoint, url
from tests.moto_keys import share_rsa_keys
from tests.plan_memo import PlanMemo, install, shared_directory
from tests.warm_fork import WarmForks, WarmServer

REPO = Path(__file__).resolve().parent.parent
WARM_FORK_ADDRESS = "SECURITY_BASELINE_TESTS_WARM_FORK"

__all__ = ["endpoint", "plan_memo", "url", "warm_forks"]


@pytest.fixture(scope="session")
def warm_forks() -> Iterator[WarmForks]:
    """This worker's connection to the run's warm interpreter (tests/warm_fork.py)."""
    forks = WarmForks(os.environ[WARM_FORK_ADDRESS])
    yield forks
    forks.close()


@pytest.fixture(scope="session", autouse=True)
def plan_memo(
    tmp_path_factory: pytest.TempPathFactory, warm_forks: WarmForks
) -> Iterator[PlanMemo]:
    memo = PlanMemo(shared_directory(tmp_path_factory))
    restore = install(memo, warm_forks)
    yield memo
    restore()


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


@pytest.fixture(scope="session", autouse=True)
def shared_rsa_keys() -> Iterator[None]:
    """moto's RSA keys, one per key spec for the session (tests/moto_keys.py)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        share_rsa_keys(monkeypatch.setattr)
        yield


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep what collection imported (pulumi_aws, moto, botocore: over a million objects) out
    of the collector's full passes, and make those passes rarer.

    Every full pass walks every tracked object: with the default thresholds they took about a
    sixth of the suite's time in this process, collecting almost nothing. Cycles made by the
    tests are still collected, in fewer, later passes, and at the end of each test module.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 1000)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a test module (and its fixtures) is done: collect its cycles, and keep what
    survives (modules it imported, session caches) out of later passes, as after collection."""
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    """The run's first process starts the warm server its workers share (they inherit its
    environment); a worker ends without tearing its heap down."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        atexit.register(_exit_now)
        return
    server = WarmServer(REPO)
    os.environ[WARM_FORK_ADDRESS] = server.address
    config.add_cleanup(server.close)


def _exit_now() -> None:
    """The end of an xdist worker, once it has reported everything to the controller and its
    other exit handlers have run: an orderly interpreter exit would spend seconds freeing the
    worker's heap (pulumi_aws, moto, plans) while the whole run waits for it."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
