"""Fixtures shared by test modules: the moto server of the audit tests (tests/audit_harness.py)."""

from tests.audit_harness import endpoint, url

__all__ = ["endpoint", "url"]
