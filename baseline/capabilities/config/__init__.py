"""AWS Config: recorders, delivery to the log archive, conformance packs, the aggregator."""
