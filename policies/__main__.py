"""The security-baseline policy pack: run by the Pulumi CLI (or `baseline preview`) as a plugin."""

from catalog import ALL_POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack("security-baseline", policies=ALL_POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
