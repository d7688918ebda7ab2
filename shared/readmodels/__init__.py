"""Local read models built from other services' events."""
