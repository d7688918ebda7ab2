"""Who is calling: the verified user id and role, nothing taken from the request body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["student", "teacher"]
ROLES: tuple[Role, ...] = ("student", "teacher")


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: Role | None
    token: str = field(repr=False)
    claims: dict[str, Any] = field(repr=False, compare=False)


def role_from_claims(claims: dict[str, Any]) -> Role | None:
    """userType, then metadata.userType, then metadata.role: the first valid one wins."""
    metadata = claims.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    for candidate in (claims.get("userType"), metadata.get("userType"), metadata.get("role")):
        if candidate in ROLES:
            return candidate  # type: ignore[no-any-return]
    return None
