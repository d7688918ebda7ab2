"""Mentorship adapters: the ports to storage and outside services."""
