"""The contact form: validated, mailed to support with reply-to the sender, sent once per key."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request

from notifications.adapters.mailer import MailRejected, MailUnavailable, Message
from notifications.bootstrap import Notifications
from notifications.domain.contact import ContactInvalid, parse_contact
from notifications.rendering import render
from shared.clock import now_iso
from shared.context import new_id
from shared.user_settings import DEFAULT_TIMEZONE
from shared.web.errors import BadRequest, Unavailable, UpstreamError
from shared.web.responses import ok

bp = Blueprint("contact", __name__, url_prefix="/api/emails")

SENT = "Email sent successfully!"


@bp.post("/contact")
def contact() -> Response:
    """200 `{id}` once Resend accepted the mail; a retry with the same Idempotency-Key answers
    the same id and sends nothing."""
    app: Notifications = current_app.extensions["notifications"]
    try:
        message = parse_contact(request.get_json(silent=True))
    except ContactInvalid as exc:
        raise BadRequest("The contact form is invalid.", details=exc.details) from None
    key = request.headers.get("Idempotency-Key")
    fingerprint = hashlib.sha256(key.encode()).hexdigest() if key else None
    if fingerprint and (sent_id := app.contacts.sent_id(fingerprint)):
        return ok({"id": sent_id}, SENT)
    sent_at = now_iso()
    rendered = render("contact", {**asdict(message), "sentAt": sent_at}, ZoneInfo(DEFAULT_TIMEZONE))
    mail = Message(
        to=app.settings.mail.email_user,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        reply_to=message.email,
    )
    try:
        email_id = app.mailer.send(mail, f"contact/{fingerprint or new_id()}")
    except MailUnavailable as exc:
        raise Unavailable("Mail could not be sent; try again.", code="mail_unavailable") from exc
    except MailRejected as exc:
        raise UpstreamError("The mail provider refused the message.", code="mail_rejected") from exc
    if fingerprint:
        app.contacts.record(fingerprint, email_id, sent_at)
    return ok({"id": email_id}, SENT)
