"""Benchmarks of the offline preview: they measure and report, and never assert a time.

`python -m benchmarks.run` (`make bench`) writes `benchmarks/results.md`.
"""
