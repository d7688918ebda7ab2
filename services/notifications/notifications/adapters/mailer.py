"""Sends mail through the official `resend` SDK (RESEND_API_URL points it at the stand-in)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import resend
from resend.exceptions import ResendError
from resend.http_client_requests import RequestsClient

from notifications.errors import MailRejected, MailUnavailable
from shared.config import MailSettings, held_secret

SEND_TIMEOUT_SECONDS = 10
RETRYABLE_CODES = frozenset({"429", "500", "502", "503", "504"})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    html: str
    text: str
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = field(default=())


class ResendMailer:
    """The SDK is configured module-wide: one API key and URL per process."""

    def __init__(self, settings: MailSettings) -> None:
        resend.api_key = held_secret(settings.resend_api_key, "RESEND_API_KEY")
        resend.api_url = settings.resend_api_url
        resend.default_http_client = RequestsClient(timeout=SEND_TIMEOUT_SECONDS)
        self._sender = settings.email_from

    def send(self, message: Message, idempotency_key: str) -> str:
        """Resend's email id; the same key never sends twice (Resend keeps keys 24 h)."""
        params: dict[str, Any] = {
            "from": self._sender,
            "to": [message.to],
            "subject": message.subject,
            "html": message.html,
            "text": message.text,
        }
        if message.reply_to:
            params["reply_to"] = message.reply_to
        if message.attachments:
            params["attachments"] = [
                {
                    "filename": a.filename,
                    "content": base64.b64encode(a.content).decode(),
                    "content_type": a.content_type,
                }
                for a in message.attachments
            ]
        try:
            sent = resend.Emails.send(params, {"idempotency_key": idempotency_key})  # type: ignore[arg-type]
        except ResendError as exc:
            if str(exc.code) in RETRYABLE_CODES or exc.error_type == "HttpClientError":
                raise MailUnavailable(f"{exc.code} {exc.error_type}: {exc.message}") from exc
            raise MailRejected(f"{exc.code} {exc.error_type}: {exc.message}") from exc
        return str(sent["id"])
