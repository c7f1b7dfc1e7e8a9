"""Garbage collection tuned for a Pulumi program: one batch run that keeps what it makes.

A program allocates a few hundred thousand objects (resources, Outputs, their callbacks) that
live until the engine is done with them, and makes few cycles. With CPython's default
thresholds the collector walks every tracked object again and again, about a third of the prod
program's run, collecting almost nothing; what the imports made (pulumi, pulumi_aws) is walked
on every full pass. `make bench` sets the program beside a replay of its plan that is tuned
the same way (benchmarks/replay.py), so the ratio stays the project's own cost.
"""

from __future__ import annotations

import gc

# A young collection every 50,000 net allocations (CPython's default: 700), a middle one every
# 20 young ones, a full one every 100 middle ones (and only when a quarter of the old generation
# is new, CPython's own rule). Cycles are still collected, so memory stays bounded.
YOUNG_THRESHOLD = 50_000
MIDDLE_THRESHOLD = 20
OLD_THRESHOLD = 100


def tune_for_a_batch_run() -> None:
    """Keep what is loaded so far out of every pass, and make the passes rarer."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
