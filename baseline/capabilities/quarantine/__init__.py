"""Quarantine: the locked bucket that remediation copies sensitive objects into."""
