"""HTTP and WebSocket entrypoints of the chat service."""
