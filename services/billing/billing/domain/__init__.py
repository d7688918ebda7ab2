"""Billing domain: orders, payment attempts and money."""
