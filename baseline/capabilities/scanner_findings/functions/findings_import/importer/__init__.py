"""The importer behind ``handler.py``: events, report parsers, ASFF and Security Hub.

A package rather than sibling modules so that its modules import each other relatively, which
works both when it sits at the root of the Lambda bundle and under ``components`` in tests.
"""
