"""Internal endpoints for operators and tests (never routed by the gateway)."""

from __future__ import annotations

import gc
import threading

from flask import Blueprint, Response, current_app

from chat.bootstrap import Chat
from shared.auth.access import require_internal
from shared.web.responses import ok

bp = Blueprint("chat_internal", __name__, url_prefix="/internal")


@bp.get("/stats")
@require_internal
def stats() -> Response:
    """What this process holds: rooms with local members, threads (greenlets under gevent)."""
    chat: Chat = current_app.extensions["chat"]
    gc.collect()
    return ok(
        {
            "rooms": chat.hub.local_rooms(),
            "members": chat.hub.local_members(),
            "threads": threading.active_count(),
        }
    )
