"""DynamoDB helpers: client, item codec, key builders, table schema and transactions."""
