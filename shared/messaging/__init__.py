"""Reliable messaging: Celery, publisher, transactional outbox, relay, inbox, dead letters."""
