"""The Pulumi projects the benchmarks preview, generated into a scratch directory.

Two families: the baseline itself (the real program and the prod spec, with N enabled regions)
and an app team's project of about N resources built from the compliant components.
"""

from __future__ import annotations

import copy
import os
import textwrap
from pathlib import Path
from typing import Any

import yaml

from baseline.project import load_stack_file
from baseline.regions import known_regions

ROOT = Path(__file__).resolve().parents[1]
BENCH_STACK = "bench"
SPEC_KEY = "security-baseline:baseline"

# The 17 commercial regions enabled in every account without opt-in, the prod spec's three
# first: a spec with N regions is what an organization gets by enabling the first N.
DEFAULT_ENABLED_REGIONS = (
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "us-east-2",
    "us-west-1",
    "ca-central-1",
    "eu-central-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
)

# What every app project registers besides its payload: the root stack and the shared
# ManagedKey (component, key, alias). Default providers are not registrations the plan holds.
APP_FIXED_RESOURCES = 4
# A SecureBucket: the component, the bucket and its five settings resources.
RESOURCES_PER_BUCKET = 7


def enabled_regions(count: int) -> list[str]:
    """The first `count` default regions, each checked against botocore's region list."""
    if not 1 <= count <= len(DEFAULT_ENABLED_REGIONS):
        raise ValueError(f"between 1 and {len(DEFAULT_ENABLED_REGIONS)} regions, not {count}")
    regions = list(DEFAULT_ENABLED_REGIONS[:count])
    unknown = [region for region in regions if known_regions().get(region) != "aws"]
    if unknown:
        raise ValueError(f"botocore does not know these commercial regions: {unknown}")
    return regions


def prod_region_count() -> int:
    return len(load_stack_file(ROOT, "prod").config[SPEC_KEY]["regions"]["enabled"])


def region_spec_config(count: int) -> dict[str, Any]:
    """The prod stack's config with `count` enabled regions, home region first."""
    config = copy.deepcopy(load_stack_file(ROOT, "prod").config)
    spec = config[SPEC_KEY]
    regions = enabled_regions(count)
    spec["regions"] = {"home": regions[0], "enabled": regions}
    config["aws:region"] = regions[0]
    for policy in spec.get("firewall_manager", {}).get("policies", []):
        _scale_regional_options(policy, regions)
    return config


def _scale_regional_options(policy: dict[str, Any], regions: list[str]) -> None:
    """Keep per-region settings to the enabled regions, one primary group per region."""
    common = policy.get("security_groups_common")
    if common is not None:
        common["primary_security_groups"] = {
            region: f"sg-{index + 1:017x}" for index, region in enumerate(regions)
        }
    audit = policy.get("security_groups_content_audit")
    if audit is not None and "audit_vpcs" in audit:
        audit["audit_vpcs"] = {
            region: vpc for region, vpc in audit["audit_vpcs"].items() if region in regions
        }


def write_region_project(directory: Path, count: int) -> Path:
    """The real program and project file, with a bench stack of `count` regions."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("__main__.py", "Pulumi.yaml"):
        os.symlink(ROOT / name, directory / name)
    _write_stack(directory, region_spec_config(count))
    return directory


def app_composition(target: int) -> tuple[int, int]:
    """(buckets, topics) so that the project registers `target` resources: about half of
    them in SecureBuckets, the rest plain encrypted topics that make the count exact."""
    payload = target - APP_FIXED_RESOURCES
    if payload < 0:
        raise ValueError(f"an app project has at least {APP_FIXED_RESOURCES} resources")
    buckets = payload // 2 // RESOURCES_PER_BUCKET
    return buckets, payload - buckets * RESOURCES_PER_BUCKET


APP_PROGRAM = textwrap.dedent(
    '''\
    """An app team's project for the benchmarks: compliant buckets and topics, one key."""

    import pulumi_aws as aws

    from components import ManagedKey, ManagedKeyArgs, SecureBucket, SecureBucketArgs

    BUCKETS = {buckets}
    TOPICS = {topics}

    key = ManagedKey("app", ManagedKeyArgs(alias="bench-app", tags={{"Team": "bench"}}))
    for index in range(BUCKETS):
        SecureBucket(f"data-{{index}}", SecureBucketArgs(kms_key_arn=key.arn))
    for index in range(TOPICS):
        aws.sns.Topic(f"events-{{index}}", kms_master_key_id=key.arn)
    '''
)


def write_app_project(directory: Path, target: int) -> Path:
    """A Python Pulumi project that registers `target` resources."""
    directory.mkdir(parents=True, exist_ok=True)
    buckets, topics = app_composition(target)
    (directory / "__main__.py").write_text(APP_PROGRAM.format(buckets=buckets, topics=topics))
    (directory / "Pulumi.yaml").write_text(
        yaml.safe_dump({"name": "bench-app", "runtime": "python"}, sort_keys=False)
    )
    _write_stack(directory, {"aws:region": "us-east-1"})
    return directory


def _write_stack(directory: Path, config: dict[str, Any]) -> None:
    # safe_dump quotes every string YAML could read as another type (account ids stay strings).
    text = yaml.safe_dump({"config": config}, sort_keys=False, allow_unicode=True)
    (directory / f"Pulumi.{BENCH_STACK}.yaml").write_text(text, encoding="utf-8")
