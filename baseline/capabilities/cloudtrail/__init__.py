"""CloudTrail: the organization trail into the log archive."""
