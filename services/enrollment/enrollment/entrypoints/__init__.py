"""Enrollment's HTTP entrypoints."""
