"""Billing against a real table (the moto server) and the Cashfree simulator over HTTP."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from billing import bootstrap
from billing.bootstrap import Billing
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from shared.runtime import Runtime
from standins.app import create_app
from standins.config import StandinConfig


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    config = StandinConfig.from_env()
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def billing(simulator: str) -> Iterator[Billing]:
    """Billing with its own table; nothing listens for the simulator's webhooks."""
    env = {
        **os.environ,
        "TABLE_PREFIX": f"t{uuid.uuid4().hex[:8]}-",
        "CASHFREE_API_URL": f"{simulator}/pg",
    }
    app = bootstrap.build(Runtime(load_settings("billing", env)))
    ensure_table(app.runtime.dynamodb, app.runtime.table)
    yield app
    app.runtime.dynamodb.delete_table(TableName=app.runtime.table)
