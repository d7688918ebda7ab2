"""Mentorship rules with no I/O: availability, slots, the session lifecycle."""
