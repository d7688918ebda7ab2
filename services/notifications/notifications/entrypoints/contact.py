"""The contact form: validated, mailed to support with reply-to the sender, sent once per key."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from notifications.bootstrap import Notifications
from notifications.commands import SendContactMessage
from notifications.errors import MailRejected, MailUnavailable
from shared.api.contact import ContactBody, SentMessage
from shared.web.body import parse_body
from shared.web.errors import translate_errors
from shared.web.responses import ok

bp = Blueprint("contact", __name__, url_prefix="/api/emails")
translate_errors(
    bp,
    {
        MailUnavailable: (503, "mail_unavailable", "Mail could not be sent; try again."),
        MailRejected: (502, "mail_rejected", "The mail provider refused the message."),
    },
)

SENT = "Email sent successfully!"


@bp.post("/contact")
def contact() -> Response:
    """200 `{id}` once Resend accepted the mail; a retry with the same Idempotency-Key answers
    the same id and sends nothing."""
    form = parse_body(ContactBody)
    command = SendContactMessage(
        form.name, form.email, form.subject, form.message, request.headers.get("Idempotency-Key")
    )
    app: Notifications = current_app.extensions["notifications"]
    return ok(SentMessage(id=app.send_contact_message(command)).wire(), SENT)
