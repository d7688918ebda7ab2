"""Catalog domain: courses, their outline and the rules for publishing them."""
