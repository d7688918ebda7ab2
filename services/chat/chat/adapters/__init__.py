"""Chat's ways out: DynamoDB and Redis pub/sub."""
