"""Macie: sensitive-data discovery, member enrollment and the remediation of its findings."""
