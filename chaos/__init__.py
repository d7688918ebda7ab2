"""Chaos runs: paid, duplicated, reordered and forged orders under SIGKILLs, then an audit."""
