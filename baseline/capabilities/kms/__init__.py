"""KMS: who administers and who uses the baseline's customer managed keys."""
