"""Benchmarks of the offline preview: they measure and report, and never assert a time.

`python -m benchmarks.run` (`make bench`) writes `build/bench/results.md`; with `--update`
(`make bench UPDATE=1`), the tracked `benchmarks/results.md`.
"""
