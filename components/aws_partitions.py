"""AWS partitions and regions as botocore's endpoint data lists them, read once.

The program needs only `endpoints.json`; a botocore session costs a quarter of a second to
import, and listing a service's regions through it loads the whole service model (EC2's is
several megabytes). The lookups below are botocore's own (`botocore.regions.EndpointResolver`:
`get_partition_for_region`, `get_available_endpoints`), over the same data file.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# Found without importing botocore, whose package __init__ sets up logging and more.
_BOTOCORE = importlib.util.find_spec("botocore")
assert _BOTOCORE is not None and _BOTOCORE.submodule_search_locations, "botocore is installed"
ENDPOINTS_FILE = Path(_BOTOCORE.submodule_search_locations[0]) / "data" / "endpoints.json"
# Regions are what EC2 has endpoints in: every region of a partition has EC2.
REGIONS_SERVICE = "ec2"


@functools.cache
def _partitions() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(ENDPOINTS_FILE.read_text(encoding="utf-8"))["partitions"])


@functools.cache
def partition_of(region: str) -> str:
    """`aws`, `aws-cn`, `aws-us-gov`...: the first partition listing the region or matching
    its region pattern; ValueError for a name no partition could hold."""
    for partition in _partitions():
        if region in partition["regions"] or re.match(partition.get("regionRegex", "$^"), region):
            return str(partition["partition"])
    raise ValueError(f"no AWS partition holds the region {region!r}")


@functools.cache
def known_regions() -> Mapping[str, str]:
    """Every region with an EC2 endpoint, across partitions -> its partition."""
    return {
        endpoint: partition["partition"]
        for partition in _partitions()
        for endpoint in partition["services"].get(REGIONS_SERVICE, {}).get("endpoints", {})
        if endpoint in partition["regions"]
    }
