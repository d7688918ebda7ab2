"""Flask plumbing every service shares: errors, envelopes, request ids, health."""
