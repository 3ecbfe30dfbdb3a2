"""Collect: one module per source, each turning the source's own format into a `Batch`."""
