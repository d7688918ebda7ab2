"""Mail catcher with Resend's `POST /emails` shape, listing what it captured."""

from __future__ import annotations

import hmac
import re
import threading
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from standins.config import StandinConfig
from standins.idempotency import IdempotencyKeyMismatchError, IdempotencyStore, fingerprint
from standins.resend_attachments import AttachmentError, CapturedAttachment, parse_attachments

MAX_RECIPIENTS = 50
MAX_IDEMPOTENCY_KEY_LENGTH = 256
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+")
_NAMED_ADDRESS = re.compile(r"[^<>]*<\s*([^@\s<>]+@[^@\s<>]+)\s*>")


@dataclass(frozen=True)
class CapturedEmail:
    """One accepted email, as listed by `GET /resend/emails`."""

    id: str
    sender: str
    to: list[str]
    subject: str
    html: str | None
    text: str | None
    reply_to: list[str] | None
    headers: dict[str, str] | None
    attachments: list[CapturedAttachment]
    created_at: str

    def to_json(self) -> dict[str, Any]:
        fields = asdict(self)
        attachments = [attachment.to_json() for attachment in self.attachments]
        return {"from": fields.pop("sender"), **fields, "attachments": attachments}


class ResendError(Exception):
    """An API error in Resend's shape `{statusCode, message, name}`."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status, self.name, self.message = status, name, message

    def to_response(self) -> tuple[Response, int]:
        return jsonify({"statusCode": self.status, "message": self.message, "name": self.name}), (
            self.status
        )


class Mailbox:
    """Thread-safe list of captured emails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._emails: list[CapturedEmail] = []

    def add(self, email: CapturedEmail) -> None:
        with self._lock:
            self._emails.append(email)

    def newest_first(self, recipient: str | None) -> list[dict[str, Any]]:
        with self._lock:
            emails = list(reversed(self._emails))
        wanted = _bare_address(recipient) if recipient else None
        return [
            email.to_json()
            for email in emails
            if wanted is None or wanted in (_bare_address(to) for to in email.to)
        ]

    def clear(self) -> None:
        with self._lock:
            self._emails.clear()


def create_resend_blueprint(config: StandinConfig) -> Blueprint:
    """The `/resend` blueprint: send (with `Idempotency-Key`), list, clear."""
    blueprint = Blueprint("resend", __name__, url_prefix="/resend")
    blueprint.register_error_handler(ResendError, ResendError.to_response)
    mailbox = Mailbox()
    idempotency = IdempotencyStore()

    @blueprint.post("/emails")
    def send_email() -> Response:
        presented = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(presented, f"Bearer {config.resend_api_key}".encode()):
            raise ResendError(401, "validation_error", "API key is invalid")
        body = request.get_json(silent=True)
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return jsonify(_accept(body, mailbox))
        if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
            raise ResendError(400, "invalid_idempotency_key", "The key must be 1-256 characters.")
        try:
            stored = idempotency.lookup(key, fingerprint(body))
        except IdempotencyKeyMismatchError:
            raise ResendError(
                409,
                "invalid_idempotent_request",
                "Same idempotency key used with a different request payload. "
                "Change your idempotency key or payload.",
            ) from None
        if stored is not None:
            return jsonify(stored.body)
        accepted = _accept(body, mailbox)
        idempotency.remember(key, fingerprint(body), 200, accepted)
        return jsonify(accepted)

    @blueprint.get("/emails")
    def list_emails() -> Response:
        return jsonify({"data": mailbox.newest_first(request.args.get("to"))})

    @blueprint.delete("/emails")
    def clear_emails() -> Response:
        mailbox.clear()
        return jsonify({"deleted": True})

    return blueprint


def _accept(body: Any, mailbox: Mailbox) -> dict[str, str]:
    """Validate a send request like Resend does, capture it, and answer `{id}`."""
    if not isinstance(body, dict):
        raise ResendError(422, "validation_error", "The request body must be a JSON object.")
    for field in ("from", "to", "subject"):
        if body.get(field) in (None, "", []):
            raise ResendError(422, "missing_required_field", f"Missing `{field}` field.")
    if not body.get("html") and not body.get("text"):
        raise ResendError(422, "missing_required_field", "Missing `html` or `text` field.")
    if not isinstance(body["from"], str) or not _is_address(body["from"]):
        raise ResendError(
            422,
            "validation_error",
            "Invalid `from` field. The email address needs to follow the "
            "`email@example.com` or `Name <email@example.com>` format.",
        )
    recipients = _address_list(body["to"], "to")
    if len(recipients) > MAX_RECIPIENTS:
        raise ResendError(422, "validation_error", "Too many recipients in `to` (max 50).")
    for field in ("subject", "html", "text"):
        if body.get(field) is not None and not isinstance(body[field], str):
            raise ResendError(422, "validation_error", f"Invalid `{field}` field.")
    headers = body.get("headers")
    if headers is not None and not isinstance(headers, dict):
        raise ResendError(422, "validation_error", "Invalid `headers` field.")
    try:
        attachments = parse_attachments(body.get("attachments"))
    except AttachmentError as error:
        raise ResendError(422, "validation_error", str(error)) from None
    reply_to = body.get("reply_to")
    email = CapturedEmail(
        id=str(uuid.uuid4()),
        sender=body["from"],
        to=recipients,
        subject=body["subject"],
        html=body.get("html"),
        text=body.get("text"),
        reply_to=_address_list(reply_to, "reply_to") if reply_to else None,
        headers=headers,
        attachments=attachments,
        created_at=datetime.now(UTC).isoformat(),
    )
    mailbox.add(email)
    return {"id": email.id}


def _address_list(value: Any, field: str) -> list[str]:
    addresses = [value] if isinstance(value, str) else value
    if not isinstance(addresses, list) or not all(
        isinstance(address, str) and _is_address(address) for address in addresses
    ):
        raise ResendError(422, "validation_error", f"Invalid `{field}` field.")
    return list(addresses)


def _is_address(value: str) -> bool:
    return bool(_ADDRESS.fullmatch(value.strip()) or _NAMED_ADDRESS.fullmatch(value.strip()))


def _bare_address(value: str) -> str:
    named = _NAMED_ADDRESS.fullmatch(value.strip())
    return (named.group(1) if named else value.strip()).lower()
