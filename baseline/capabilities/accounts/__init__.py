"""Accounts: the management, security and log-archive accounts the baseline deploys to."""
