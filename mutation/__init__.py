"""`make mutation`: cosmic-ray over the security-relevant modules (see run.py)."""
