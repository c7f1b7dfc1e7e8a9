"""Fixtures shared by test modules: the moto server of the audit tests (tests/audit_harness.py),
moto's RSA keys made once (tests/moto_costs.py),
the session's memo of plans and policy verdicts (tests/plan_memo.py) with the warm interpreter
its programs and packs fork from (tests/warm_fork.py), and botocore's service models read once
per session; the garbage collector tuned for a long run.

The fixtures import what they need (boto3, moto, the preview engine) when a worker first uses
them: the run's first process, which only starts the workers, would otherwise spend over half a
second importing it before starting them.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.warm_fork import WarmForks, WarmServer

if TYPE_CHECKING:
    from tests.plan_memo import PlanMemo

REPO = Path(__file__).resolve().parent.parent
WARM_FORK_ADDRESS = "SECURITY_BASELINE_TESTS_WARM_FORK"
# pytest's cache key of how long each test file took (setup, call and teardown) in earlier runs.
SECONDS_PER_FILE = "security-baseline/seconds-per-file"
_seconds_per_file: dict[str, float] = {}


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    """One moto server per test session (per xdist worker); `url` empties it for each test."""
    from tests.audit_harness import moto_endpoint  # noqa: PLC0415 - see the module's docstring

    with moto_endpoint() as url:
        yield url


@pytest.fixture
def url(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server, emptied, with fake credentials in the environment."""
    from tests.audit_harness import fake_aws_env, reset  # noqa: PLC0415

    fake_aws_env(monkeypatch)
    reset(endpoint)
    return endpoint


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
    from tests.plan_memo import PlanMemo, install, shared_directory  # noqa: PLC0415

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
    import botocore.session  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(
            botocore.session, "create_loader", functools.cache(botocore.session.create_loader)
        )
        yield


@pytest.fixture(scope="session", autouse=True)
def shared_rsa_keys() -> Iterator[None]:
    """moto's RSA keys, one per key spec for the session (tests/moto_costs.py)."""
    from tests.moto_costs import share_rsa_keys  # noqa: PLC0415

    with pytest.MonkeyPatch.context() as monkeypatch:
        share_rsa_keys(monkeypatch.setattr)
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest files first, as earlier runs timed them; a file's tests stay together and
    in order, and files never timed keep their place after the timed ones.

    `make test` hands whole files to the two workers (`--dist loadfile`) in this order, each
    the next file when it is done: with the long files early, the workers end together instead
    of one waiting for the other to finish a long file handed out last.
    """
    seconds = config.cache.get(SECONDS_PER_FILE, {}) if config.cache is not None else {}
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], 0.0))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    _seconds_per_file[path] = _seconds_per_file.get(path, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The run's first process (which sees every worker's reports) keeps the files' times."""
    cache = session.config.cache
    if os.environ.get("PYTEST_XDIST_WORKER") or cache is None or not _seconds_per_file:
        return
    cache.set(SECONDS_PER_FILE, {**cache.get(SECONDS_PER_FILE, {}), **_seconds_per_file})


def pytest_collection_finish(session: pytest.Session) -> None:
    """Keep what collection imported (pulumi_aws, moto, botocore: over a million objects) out
    of the collector's full passes, which `pytest_configure` made rarer.

    Every full pass walks every tracked object: with the default thresholds they took about a
    sixth of the suite's time in this process, collecting almost nothing. Cycles made by the
    tests are still collected, in fewer, later passes, and at the end of each test module.
    """
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a test module (and its fixtures) is done: collect its cycles, and keep what
    survives (modules it imported, session caches) out of later passes, as after collection."""
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()


def pytest_configure(config: pytest.Config) -> None:
    """The run's first process starts the warm server its workers share (they inherit its
    environment); a worker ends without tearing its heap down.

    Full collector passes rarer from the start: while the test modules are imported, each
    would walk the whole growing heap (six passes, over half a second per process) to find
    almost nothing; collection ends with one (`pytest_collection_finish`).
    """
    gc.freeze()
    gc.set_threshold(700, 10, 1000)
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
