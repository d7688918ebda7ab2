"""Identity: Clerk session-token verification, roles, and the access decorators."""
