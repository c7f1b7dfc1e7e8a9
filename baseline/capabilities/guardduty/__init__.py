"""GuardDuty: threat detection in every account and region."""
