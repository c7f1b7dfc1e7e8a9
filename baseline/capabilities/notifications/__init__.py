"""Notifications: the encrypted topics the baseline publishes to."""
