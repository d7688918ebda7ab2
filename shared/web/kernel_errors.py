"""How the shared kernel's errors answer over HTTP: one table, installed on every app."""

from __future__ import annotations

from shared.clerk import ClerkRefused, ClerkUnavailable, UserNotFound
from shared.dynamo.pagination import ForeignCursor
from shared.web.errors import ErrorTable

KERNEL_ERRORS: ErrorTable = {
    UserNotFound: (404, "user_not_found", "No such user."),
    ClerkUnavailable: (503, "clerk_unavailable", "The identity provider is unavailable."),
    ClerkRefused: (503, "clerk_error", "The identity provider refused the request."),
    ForeignCursor: (400, "validation_error", "The cursor does not belong to this list."),
}
