"""The security-baseline Pulumi program: the current stack's spec, built."""

from baseline.garbage_collection import tune_for_a_batch_run
from baseline.spec_loader import spec_from_pulumi_config
from baseline.stack import build

tune_for_a_batch_run()
build(spec_from_pulumi_config())
