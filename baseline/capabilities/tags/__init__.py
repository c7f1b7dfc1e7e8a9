"""Tags: the tags on every resource the baseline creates."""
