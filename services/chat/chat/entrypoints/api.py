"""A session's chat history for its participants (served by chat, routed under /mentorship)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from chat.commands import ReadHistory
from chat.entrypoints.current import chat
from chat.entrypoints.errors import translate_chat_errors
from shared.auth.access import current_principal, require_auth
from shared.web.ids import require_id
from shared.web.responses import ok, parse_limit

bp = Blueprint("chat_history", __name__)
translate_chat_errors(bp)


@bp.get("/mentorship/chat/<sessionId>")
@require_auth()
def history(sessionId: str) -> Response:  # noqa: N803 - path names are the API's
    """Oldest to newest; `X-Next-Cursor` is the `before` that reads the page before this one."""
    app = chat()
    # a stranger is a 404 before the page is checked, whatever the query holds
    app.readable_room(ReadHistory(sessionId, current_principal().user_id))
    before = request.args.get("before") or None
    page = app.rooms.history(
        sessionId,
        before and require_id(before, "before"),
        parse_limit(request.args.get("limit")),
    )
    response = ok([m.wire() for m in page.messages], "Chat history retrieved")
    if page.earlier:
        response.headers["X-Next-Cursor"] = page.earlier
    return response
