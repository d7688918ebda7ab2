"""The declared public route table: every path the gateway serves, who may call it, and where."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UPSTREAMS = ("catalog", "billing", "enrollment", "mentorship", "chat", "notifications", "gateway")
"""The services the gateway forwards to, and `gateway` for the routes it serves itself."""
_PARAM = re.compile(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>")
KiB = 1024
MiB = 1024 * KiB
DEFAULT_BODY_BYTES = 1 * MiB


class Auth(enum.Enum):
    """Who may call a route, checked at the gateway before anything is forwarded."""

    PUBLIC = "public"
    OPTIONAL = "optional"
    SIGNED_IN = "signed_in"
    NO_ROLE_OK = "no_role_ok"
    STUDENT = "student"
    TEACHER = "teacher"


SIGNED_IN_LEVELS = (Auth.SIGNED_IN, Auth.NO_ROLE_OK, Auth.STUDENT, Auth.TEACHER)


@dataclass(frozen=True)
class Route:
    """One public route; `self_param` names a path parameter that must equal the token's sub."""

    method: str
    path: str
    auth: Auth
    upstream: str
    summary: str
    self_param: str | None = None
    rate_limited: bool = True
    max_body_bytes: int = DEFAULT_BODY_BYTES
    body_field: str | None = None
    """The body field a too-large request most likely overfills, named in the 413."""
    websocket: bool = False
    """A GET upgraded to a WebSocket, tunnelled to the upstream instead of proxied."""
    ip_budget: str | None = None
    """A named per-client-IP budget (see ratelimit.py) on top of the general limit, spent only by
    requests that are forwarded, and kept even when the general limits are off."""
    edge_cache: bool = False
    """Anonymous answers the upstream marks `Cache-Control: public` may be held at the edge for
    a moment (see edge_cache.py)."""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"{self.method} {self.path}: unknown method")
        if self.upstream not in UPSTREAMS:
            raise ValueError(f"{self.method} {self.path}: unknown upstream {self.upstream}")
        if self.self_param is not None and (
            self.self_param not in self.params or self.auth not in SIGNED_IN_LEVELS
        ):
            raise ValueError(f"{self.method} {self.path}: self_param needs a signed-in path param")
        if self.websocket and self.method != "GET":
            raise ValueError(f"{self.method} {self.path}: a WebSocket route is a GET upgrade")
        if self.edge_cache and (self.method != "GET" or self.websocket):
            raise ValueError(f"{self.method} {self.path}: only a plain GET may be edge-cached")

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


ROUTES: tuple[Route, ...] = (
    Route("GET", "/courses", Auth.PUBLIC, "catalog", "List published courses", edge_cache=True),
    Route("GET", "/courses/teacher", Auth.TEACHER, "catalog", "List the caller's own courses"),
    Route("GET", "/courses/<courseId>", Auth.OPTIONAL, "catalog", "Get a course"),
    Route("POST", "/courses", Auth.TEACHER, "catalog", "Create a draft course"),
    Route(
        "PUT",
        "/courses/<courseId>",
        Auth.TEACHER,
        "catalog",
        "Update a course (multipart with a thumbnail, or JSON)",
        max_body_bytes=6 * MiB,
        body_field="image",
    ),
    Route("DELETE", "/courses/<courseId>", Auth.TEACHER, "catalog", "Delete or archive a course"),
    Route(
        "POST",
        "/courses/<courseId>/sections/<sectionId>/chapters/<chapterId>/get-upload-url",
        Auth.TEACHER,
        "catalog",
        "Get a presigned video upload URL",
    ),
    Route("POST", "/api/payments/create-order", Auth.STUDENT, "billing", "Create a payment order"),
    Route("POST", "/api/payments/refunds", Auth.STUDENT, "billing", "Ask for a refund of an order"),
    Route(
        "GET",
        "/api/payments/order-status/<userId>/<orderId>",
        Auth.SIGNED_IN,
        "billing",
        "Get an order's payment status",
        self_param="userId",
    ),
    Route(
        "GET",
        "/api/payments/transactions/<userId>",
        Auth.SIGNED_IN,
        "billing",
        "List the caller's transactions",
        self_param="userId",
    ),
    Route(
        "GET", "/api/payments/sales", Auth.TEACHER, "billing", "Paid orders of the caller's courses"
    ),
    Route(
        "GET",
        "/api/payments/sales/totals",
        Auth.TEACHER,
        "billing",
        "The caller's sales totals per course and currency",
    ),
    Route(
        "POST",
        "/api/payments/webhook",
        Auth.PUBLIC,
        "billing",
        "Cashfree webhook (HMAC-verified by billing)",
        rate_limited=False,
    ),
    Route(
        "GET",
        "/users/course-progress/<userId>/enrolled-courses",
        Auth.SIGNED_IN,
        "enrollment",
        "List the caller's enrolled courses",
        self_param="userId",
    ),
    Route(
        "GET",
        "/users/course-progress/<userId>/courses/<courseId>",
        Auth.SIGNED_IN,
        "enrollment",
        "Get the caller's progress in a course",
        self_param="userId",
    ),
    Route(
        "PUT",
        "/users/course-progress/<userId>/courses/<courseId>",
        Auth.SIGNED_IN,
        "enrollment",
        "Report progress in a course",
        self_param="userId",
    ),
    Route(
        "GET",
        "/courses/<courseId>/chapters/<chapterId>/stream",
        Auth.OPTIONAL,
        "enrollment",
        "Get a signed playback URL for a chapter's video",
    ),
    Route(
        "GET",
        "/teacher/analytics/courses/<courseId>",
        Auth.TEACHER,
        "enrollment",
        "Course analytics for its teacher (JSON, or CSV with ?format=csv)",
    ),
    Route("PUT", "/mentorship/availability", Auth.TEACHER, "mentorship", "Set weekly availability"),
    Route("GET", "/mentorship/availability", Auth.TEACHER, "mentorship", "Get own availability"),
    Route(
        "GET",
        "/mentorship/availability/<teacherId>/slots",
        Auth.SIGNED_IN,
        "mentorship",
        "List a teacher's free slots (UTC)",
    ),
    Route("POST", "/mentorship", Auth.STUDENT, "mentorship", "Book a session"),
    Route(
        "GET",
        "/mentorship/user/<userId>",
        Auth.SIGNED_IN,
        "mentorship",
        "List the caller's sessions",
        self_param="userId",
    ),
    Route("GET", "/mentorship/<sessionId>", Auth.SIGNED_IN, "mentorship", "Get a session"),
    Route("PATCH", "/mentorship/<sessionId>", Auth.SIGNED_IN, "mentorship", "Cancel or complete"),
    Route("GET", "/mentorship/<sessionId>/ics", Auth.SIGNED_IN, "mentorship", "Calendar invite"),
    Route(
        "GET",
        "/mentorship/token/<sessionId>",
        Auth.SIGNED_IN,
        "mentorship",
        "Agora video token for a session",
    ),
    Route(
        "GET",
        "/ws/chat/<sessionId>",
        Auth.PUBLIC,
        "chat",
        "A session's chat as a WebSocket (token as ?token= or the bearer.<jwt> subprotocol, so"
        " public here: chat verifies it and the participant at the handshake, before any frame)",
        websocket=True,
    ),
    Route(
        "GET",
        "/mentorship/chat/<sessionId>",
        Auth.SIGNED_IN,
        "chat",
        "A session's chat history, oldest first, paged backwards with ?before=",
    ),
    Route(
        "POST",
        "/api/emails/contact",
        Auth.PUBLIC,
        "notifications",
        "Send a message to support",
        max_body_bytes=32 * KiB,
        body_field="message",
        ip_budget="contact",
    ),
    Route("POST", "/users/onboarding", Auth.NO_ROLE_OK, "gateway", "Choose a role, once"),
    Route("GET", "/users/me", Auth.NO_ROLE_OK, "gateway", "Get the caller's profile"),
    Route(
        "PUT",
        "/user/clerk/<userId>",
        Auth.NO_ROLE_OK,
        "gateway",
        "Update the caller's notification settings",
        self_param="userId",
    ),
    Route("GET", "/openapi.json", Auth.PUBLIC, "gateway", "This API's OpenAPI 3.1 document"),
    Route("GET", "/docs", Auth.PUBLIC, "gateway", "A page that renders the OpenAPI document"),
)
