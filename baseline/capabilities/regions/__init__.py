"""Regions: the home region and the regions the baseline covers."""
