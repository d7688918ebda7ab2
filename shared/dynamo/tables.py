"""The one table shape every service uses, created idempotently at start."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

INDEXES = ("GSI1", "GSI2", "GSI3", "OUTBOX")
TTL_ATTRIBUTE = "expires_at"


def _index(name: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_definition(name: str) -> dict[str, Any]:
    """PK/SK single-table design with three general indexes and a sparse outbox index."""
    attributes = ["PK", "SK"] + [f"{i}{part}" for i in INDEXES for part in ("PK", "SK")]
    return {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [_index(i) for i in INDEXES],
    }


def ensure_table(client: Any, name: str) -> None:
    """Create the table and its TTL if missing; safe to call from many processes."""
    try:
        client.create_table(**table_definition(name))
        log.info("created table", extra={"table": name})
    except client.exceptions.ResourceInUseException:
        pass
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
