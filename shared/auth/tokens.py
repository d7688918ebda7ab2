"""Verify Clerk session JWTs: RS256 only, exp/nbf with 5 s leeway, azp, optional iss."""

from __future__ import annotations

from typing import Any

import jwt

from shared.auth.principal import Principal, role_from_claims
from shared.config import ClerkSettings, held_secret
from shared.web.errors import Unauthorized
from shared.web.ids import is_id

LEEWAY_SECONDS = 5
ALGORITHMS = ["RS256"]


class TokenVerifier:
    """Checks a bearer token against a PEM key (networkless) or a cached JWKS."""

    def __init__(self, settings: ClerkSettings) -> None:
        self._settings = settings
        self._pem = settings.jwt_key.replace("\\n", "\n") if settings.jwt_key else None
        self._jwks = None if self._pem else jwks_client(settings)

    def verify(self, token: str) -> Principal:
        claims = self._decode(token)
        azp = claims.get("azp")
        if azp is not None and (
            not isinstance(azp, str) or azp.rstrip("/") not in self._settings.authorized_parties
        ):
            raise Unauthorized("The token was issued for another origin.", code="token_invalid_azp")
        sub = claims.get("sub")
        if not is_id(sub):  # it becomes keys and URL paths everywhere
            raise Unauthorized("The token has no valid subject.", code="token_invalid")
        return Principal(user_id=sub, role=role_from_claims(claims), token=token, claims=claims)

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise Unauthorized("Only RS256 tokens are accepted.", code="token_invalid_alg")
            key: Any = self._pem or self._signing_key(token)
            return jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                leeway=LEEWAY_SECONDS,
                issuer=self._settings.issuer,
                options={"require": ["exp", "sub", "iat"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The token has expired.", code="token_expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized("The token is not valid yet.", code="token_not_active_yet") from exc
        except jwt.PyJWKClientConnectionError as exc:
            raise Unauthorized("Signing keys are unavailable.", code="jwks_unavailable") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The token is not valid.", code="token_invalid") from exc

    def _signing_key(self, token: str) -> Any:
        assert self._jwks is not None
        return self._jwks.get_signing_key_from_jwt(token).key


def jwks_client(settings: ClerkSettings) -> jwt.PyJWKClient:
    """The key set, trusted for `jwks_cache_seconds`; an unknown `kid` refetches it at most once
    per `jwks_refetch_seconds`. No per-`kid` cache (`cache_keys`): pyjwt's never expires, so a
    key rotated out would keep working."""
    return jwt.PyJWKClient(
        settings.jwks_url or "",
        cache_keys=False,
        cache_jwk_set=True,
        lifespan=settings.jwks_cache_seconds,
        cooldown_duration=settings.jwks_refetch_seconds,
        headers=jwks_headers(settings),
        timeout=5,
    )


def jwks_headers(settings: ClerkSettings) -> dict[str, str]:
    """The secret key goes only to Clerk's Backend API (`…/v1/jwks`), which requires it; the
    Frontend API's public `/.well-known/jwks.json` gets no credentials."""
    if settings.jwks_needs_secret_key:
        return {"Authorization": f"Bearer {held_secret(settings.secret_key, 'CLERK_SECRET_KEY')}"}
    return {}
