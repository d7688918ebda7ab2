"""The dev identity provider's RSA key: loaded from a PEM file or generated at start; rotatable."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningKey:
    """An RS256 private key with its key id (the RFC 7638 thumbprint of the public key)."""

    private_key: rsa.RSAPrivateKey
    kid: str

    def public_jwk(self) -> dict[str, str]:
        """The public half as a JWK, as it appears in a JWKS document."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }

    def private_pem(self) -> bytes:
        """The private key as an unencrypted PKCS#8 PEM."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


class KeyRing:
    """The key that signs now; rotating replaces it, and the JWKS then lists only the new one."""

    def __init__(self, pem_path: str | None) -> None:
        self._pem_path = pem_path
        self._lock = threading.Lock()
        self._current = load_or_create_signing_key(pem_path)

    @property
    def current(self) -> SigningKey:
        return self._current

    def rotate(self) -> tuple[SigningKey, SigningKey]:
        """Sign with a fresh key from now on (kept in the PEM file, if any): (retired, new)."""
        with self._lock:
            retired = self._current
            self._current = create_signing_key(self._pem_path)
            return retired, self._current


def load_or_create_signing_key(pem_path: str | None) -> SigningKey:
    """Read the PEM at `pem_path`; else generate a key, written to `pem_path` when one is given."""
    if pem_path and Path(pem_path).exists():
        loaded = serialization.load_pem_private_key(Path(pem_path).read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{pem_path} does not hold an RSA private key")
        return _with_kid(loaded)
    return create_signing_key(pem_path)


def create_signing_key(pem_path: str | None) -> SigningKey:
    """A new key, written to `pem_path` when one is given."""
    signing_key = _with_kid(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    if pem_path:
        path = Path(pem_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(signing_key.private_pem())
        path.chmod(0o600)
        logger.info("generated a new IdP signing key at %s", pem_path)
    return signing_key


def _with_kid(private_key: rsa.RSAPrivateKey) -> SigningKey:
    numbers = private_key.public_key().public_numbers()
    canonical = json.dumps(
        {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)},
        separators=(",", ":"),
        sort_keys=True,
    )
    thumbprint = hashlib.sha256(canonical.encode()).digest()
    return SigningKey(private_key, "ins_" + _b64url(thumbprint)[:27])


def _b64url_uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
