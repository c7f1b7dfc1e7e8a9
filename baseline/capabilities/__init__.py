"""The capabilities of the baseline, one folder each; registry.py lists them in order.

What a folder holds, and how to add one: docs/architecture.md.
"""
