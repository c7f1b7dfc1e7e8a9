"""Alerts: findings, tamper and pipeline events routed to the notification topics."""
