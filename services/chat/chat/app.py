"""Chat web app factory (served by gunicorn's gevent worker: one greenlet per socket)."""

from __future__ import annotations

from flask import Flask

from chat import bootstrap
from chat.entrypoints import api, internal, ws
from shared.config import Settings, load_settings
from shared.runtime import Runtime
from shared.web.app import build_app


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings("chat")
    chat = bootstrap.build(Runtime(settings))
    app = build_app(
        settings,
        [api.bp, ws.bp, internal.bp],
        chat.runtime.readiness_checks(),
        chat.runtime.state_metrics(),
    )
    app.extensions["chat"] = chat
    app.extensions["chat_live"] = bootstrap.live_rooms(settings)
    app.config["SOCK_SERVER_OPTIONS"] = ws.SERVER_OPTIONS
    return app
