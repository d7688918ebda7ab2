"""Enrollment domain: who may learn what, and how far they got."""
