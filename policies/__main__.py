"""The security-baseline policy pack: run by the Pulumi CLI (or `baseline preview`) as a plugin."""

import threading

import shared_decoding
from catalog import ALL_POLICIES
from iam import load_parliament
from pulumi_policy import EnforcementLevel, PolicyPack

# Every request decoded once for the whole pack, not once per policy (pinned SDK only).
shared_decoding.install()
# The engine starts the pack before it runs the program: parliament loads meanwhile.
threading.Thread(target=load_parliament, name="load-parliament", daemon=True).start()
PolicyPack("security-baseline", policies=ALL_POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
