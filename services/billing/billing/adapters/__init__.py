"""Billing adapters: keys, repository, Cashfree and catalog clients."""
