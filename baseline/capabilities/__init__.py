"""The capabilities of the baseline, one folder each."""
