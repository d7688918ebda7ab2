"""Billing's HTTP entrypoints."""
