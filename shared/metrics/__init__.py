"""Prometheus metrics: what every process counts, how it is exposed, the state read at scrape."""
