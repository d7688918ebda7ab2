"""Catalog adapters: DynamoDB keys and repository."""
