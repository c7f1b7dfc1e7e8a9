"""`baseline audit`: read-only checks of a live AWS account against the spec of a stack."""
