"""Internal endpoints for operators and tests (never routed by the gateway)."""

from __future__ import annotations

import gc
import threading

from flask import Blueprint, Response

from chat.entrypoints.current import live
from shared.auth.access import require_internal
from shared.web.responses import ok

bp = Blueprint("chat_internal", __name__, url_prefix="/internal")


@bp.get("/stats")
@require_internal
def stats() -> Response:
    """What this process holds: rooms with local members, threads (greenlets under gevent)."""
    hub = live().hub
    gc.collect()
    return ok(
        {
            "rooms": hub.local_rooms(),
            "members": hub.local_members(),
            "threads": threading.active_count(),
        }
    )
