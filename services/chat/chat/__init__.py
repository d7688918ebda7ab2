"""Chat: the live WebSocket room of a mentorship session, persisted and fanned out."""
