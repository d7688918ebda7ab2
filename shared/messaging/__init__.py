"""Reliable messaging: Celery factory, publisher, transactional outbox, relay, inbox, dead letters."""
