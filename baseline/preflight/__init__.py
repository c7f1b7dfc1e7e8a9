"""`baseline preflight`: what would break the first `pulumi up`, found read-only, and the
import file that adopts what exists already."""
