"""HTTP entrypoints of the mentorship service."""
