"""Integration events: the envelope, the typed contracts and who subscribes to what."""
