"""The baseline of one stack: the spec, built capability by capability.

`build` is what `__main__.py` runs. Each capability's wiring maps its spec section onto its
components, in the registry's order (baseline/capabilities/registry.py), so that every
capability finds what it builds on. After the last one, the baseline completes: the policies
that admit what was granted to the earlier capabilities' resources are rendered then.
"""

from __future__ import annotations

from baseline.capabilities.registry import CAPABILITIES
from baseline.program import Baseline
from baseline.providers import account_providers
from baseline.spec import Spec


def build(spec: Spec) -> Baseline:
    """Declare every resource of the baseline for `spec`."""
    baseline = Baseline(spec, account_providers(spec))
    try:
        for capability in CAPABILITIES:
            if capability.build is not None:
                capability.build(baseline)
    except BaseException as error:
        # Else the runtime would wait for ever for what waits on the completion.
        baseline.abandon(error)
        raise
    # Grants came from the capabilities above; the policies that name them wait for this.
    baseline.complete()
    return baseline
