"""Firewall Manager: its administrator, its policies and Shield Advanced."""
