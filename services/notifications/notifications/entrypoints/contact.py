"""The contact form: validated, mailed to support with reply-to the sender, sent once per key."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from notifications.bootstrap import Notifications
from notifications.commands import SendContactMessage
from notifications.errors import MailRejected, MailUnavailable
from shared.api.contact import ContactBody
from shared.web.body import parse_object
from shared.web.errors import BadRequest, translate_errors
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
    form = _contact_form()
    command = SendContactMessage(
        form.name, form.email, form.subject, form.message, request.headers.get("Idempotency-Key")
    )
    app: Notifications = current_app.extensions["notifications"]
    return ok({"id": app.send_contact_message(command)}, SENT)


def _contact_form() -> ContactBody:
    """The body as a ContactBody. One that is not a JSON object is named `body` in the form's
    own 400 `validation_error` (as it always was), not parse_body's `malformed_json`."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(ContactBody.INVALID, details={"body": "must be a JSON object"})
    return parse_object(ContactBody, body)
