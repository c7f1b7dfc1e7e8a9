"""The security-baseline policy pack: run by the Pulumi CLI (or `baseline preview`) as a plugin."""

import shared_decoding
from catalog import ALL_POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

# Every request decoded once for the whole pack, not once per policy (pinned SDK only).
shared_decoding.install()
PolicyPack("security-baseline", policies=ALL_POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
