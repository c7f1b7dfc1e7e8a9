"""`baseline audit --organization`: each account's coverage per service and region."""
