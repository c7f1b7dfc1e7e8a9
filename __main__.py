"""The security-baseline Pulumi program: the current stack's spec, built."""

from baseline.spec_loader import spec_from_pulumi_config
from baseline.stack import build

build(spec_from_pulumi_config())
