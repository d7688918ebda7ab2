"""Chat rules with no I/O: rooms and messages."""
