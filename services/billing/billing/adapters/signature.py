"""Cashfree webhook signatures: base64(HMAC-SHA256(secret, timestamp + raw body))."""

from __future__ import annotations

import base64
import hashlib
import hmac


def expected_signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_valid(secret: str, timestamp: str, raw_body: bytes, signature: str) -> bool:
    """Constant-time check over the exact bytes received; a header that is not ASCII (as no
    base64 is) simply does not match."""
    if not timestamp or not signature or not signature.isascii():
        return False
    return hmac.compare_digest(expected_signature(secret, timestamp, raw_body), signature)
