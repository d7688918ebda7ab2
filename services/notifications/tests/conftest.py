"""Notifications against a real table (the moto server) and the stand-ins (Clerk, Resend) over HTTP."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from notifications_helpers import Build
from werkzeug.serving import make_server

from notifications import bootstrap
from notifications.bootstrap import Notifications
from shared.config import load_settings
from shared.dynamo.tables import ensure_table
from standins.app import create_app
from standins.config import StandinConfig


@pytest.fixture(scope="module")
def standins() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(StandinConfig.from_env()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def build(standins: str) -> Iterator[Build]:
    """Notifications on its own table; `resend_url` may point somewhere that does not answer."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    built: list[Notifications] = []

    def make(resend_url: str = f"{standins}/resend") -> Notifications:
        env = {
            **os.environ,
            "TABLE_PREFIX": prefix,
            "CLERK_API_URL": f"{standins}/idp/v1",
            "RESEND_API_URL": resend_url,
        }
        app = bootstrap.build(load_settings("notifications", env))
        if not built:
            ensure_table(app.runtime.dynamodb, app.runtime.table)
        built.append(app)
        return app

    yield make
    if built:
        built[0].runtime.dynamodb.delete_table(TableName=built[0].runtime.table)
