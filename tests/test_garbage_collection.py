"""The program's garbage collector settings (baseline/garbage_collection.py), in a fresh
interpreter: this one's are the test session's own (tests/conftest.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc, json
import pulumi
from baseline.garbage_collection import tune_for_a_batch_run
tune_for_a_batch_run()
cycle = []
cycle.append(cycle)
del cycle
print(json.dumps({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "collected": gc.collect()}))
"""


def _probe() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def test_what_was_imported_is_frozen_and_passes_are_rarer_but_cycles_still_collected() -> None:
    found = _probe()
    assert found["threshold"] == [50_000, 20, 100]
    assert isinstance(found["frozen"], int) and found["frozen"] > 10_000  # pulumi and its imports
    assert found["collected"] == 1


def test_the_program_tunes_before_it_builds() -> None:
    program = (ROOT / "__main__.py").read_text().splitlines()
    assert program.index("tune_for_a_batch_run()") < program.index(
        "build(spec_from_pulumi_config())"
    )
