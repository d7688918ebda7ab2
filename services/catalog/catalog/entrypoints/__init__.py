"""Catalog's HTTP entrypoints."""
