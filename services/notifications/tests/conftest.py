"""Notifications against a real table (the moto server) and the stand-ins (Clerk, Resend) over HTTP."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient
from notifications_helpers import Build
from werkzeug.serving import make_server

from notifications import bootstrap
from notifications.app import create_app as create_notifications_app
from notifications.bootstrap import Notifications
from shared.config import Settings, load_settings
from shared.dynamo.tables import ensure_table
from shared.runtime import Runtime
from standins.app import create_app
from standins.config import StandinConfig


@pytest.fixture(scope="module")
def standins() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, create_app(StandinConfig.from_env()), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def settings(standins: str) -> Callable[..., Settings]:
    """Notifications' settings on a table of this test's own, with `env` overrides (e.g. a
    RESEND_API_URL that does not answer)."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    defaults = {
        "TABLE_PREFIX": prefix,
        "CLERK_API_URL": f"{standins}/idp/v1",
        "RESEND_API_URL": f"{standins}/resend",
    }
    return lambda **env: load_settings("notifications", {**os.environ, **defaults, **env})


@pytest.fixture
def build(settings: Callable[..., Settings]) -> Iterator[Build]:
    """Notifications on its own table, wired as its processes wire it; `resend_url` may point
    somewhere that does not answer."""
    built: list[Notifications] = []

    def make(resend_url: str | None = None) -> Notifications:
        overrides = {"RESEND_API_URL": resend_url} if resend_url else {}
        app = bootstrap.build(Runtime(settings(**overrides)))
        if not built:
            ensure_table(app.runtime.dynamodb, app.runtime.table)
        built.append(app)
        return app

    yield make
    if built:
        built[0].runtime.dynamodb.delete_table(TableName=built[0].runtime.table)


@pytest.fixture
def web(build: Build, settings: Callable[..., Settings]) -> Callable[..., FlaskClient]:
    """A client of the web app (the contact form) on the test's table, with `env` overrides."""

    def make(**env: str) -> FlaskClient:
        build()  # the table
        return create_notifications_app(settings(**env)).test_client()

    return make
