"""Enrollment adapters: keys and repository."""
