"""Payments (billing): Cashfree orders, their status, transactions, sales, refunds, webhooks."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field

from shared.api.common import INVALID, NEXT_CURSOR, PAGE, Error, error
from shared.api.spec import (
    Answer,
    Body,
    Operations,
    OperationSpec,
    Param,
    ResponseModel,
    Schema,
    Timestamp,
    array,
    component_schemas,
    envelope,
    ref,
    string,
)
from shared.web.body import Id, RequestBody

TAG = "payments"

MinorUnits = Annotated[int, Field(ge=0, description="Minor units (paise).")]
OrderState = Literal["PENDING", "SUCCESS", "FAILED"]


class CashfreeNamed(ResponseModel):
    """An answer in Cashfree's own snake_case field names, not camelCase."""

    model_config = ConfigDict(alias_generator=None)


class CashfreeOrder(CashfreeNamed):
    """Cashfree's order as created, in Cashfree's own snake_case fields."""

    order_id: str
    cf_order_id: str | None
    payment_session_id: str | None
    """For Cashfree's browser SDK."""
    order_status: str | None
    """Cashfree's, e.g. ACTIVE."""
    order_amount: float | int | None
    """Rupees (major units)."""
    order_currency: str | None
    order_expiry_time: str | None = None


class FreeOrder(CashfreeNamed):
    """A price-0 course: enrolled at once, no Cashfree order."""

    order_id: str
    order_status: Literal["PAID"]


CreatedOrder = CashfreeOrder | FreeOrder
"""What create-order answers."""


class OrderStatus(ResponseModel):
    status: OrderState
    order_id: str


class Refund(ResponseModel):
    """A refund as its buyer sees it."""

    refund_id: str
    order_id: str
    course_id: str
    amount: MinorUnits
    currency: str
    status: str
    """PENDING until Cashfree settles it; then SUCCESS, FAILED…"""
    reason: str
    kind: Literal["requested", "duplicate_payment", "provider"]
    requested_at: Timestamp
    processed_at: Timestamp | None


class Transaction(ResponseModel):
    """api.md's transaction, with the order's refund (or null)."""

    user_id: str
    transaction_id: str
    """The order id."""
    date_time: Timestamp
    course_id: str
    payment_provider: Literal["cashfree"]
    amount: MinorUnits
    currency: str
    status: OrderState
    refund: Refund | None


class Sale(Transaction):
    """A paid order of one of the caller's courses."""

    course_title: str


class SalesTotal(ResponseModel):
    """A course's running totals in one currency."""

    course_id: str
    course_title: str
    currency: str
    orders: int = Field(ge=0)
    amount: MinorUnits
    refunds: int = Field(ge=0)
    refunded_amount: MinorUnits
    net_amount: int
    """Minor units: amount less refundedAmount."""


class UnknownOrderStatus(ResponseModel):
    status: Literal["NOT_FOUND"]


class UnknownOrder(Error):
    """No such order of the caller's: the error, and `data.status` for pollers."""

    data: UnknownOrderStatus = UnknownOrderStatus(status="NOT_FOUND")


class WebhookOutcome(ResponseModel):
    outcome: str
    """In a word: the order's or refund's status now, or why it did not apply (`unknown_order`,
    `ignored`…)."""


SCHEMAS: dict[str, Schema] = component_schemas(
    CashfreeOrder,
    FreeOrder,
    OrderStatus,
    Refund,
    Transaction,
    Sale,
    SalesTotal,
    UnknownOrder,
    WebhookOutcome,
)

REFUND = envelope(ref("Refund"))
SELF_ID = string("The caller's own id.")
MAX_REASON_CHARS = 500


class CreateOrderBody(RequestBody):
    """The course to buy; its price is the catalog's, never the client's."""

    INVALID: ClassVar[str] = "The order request has invalid fields."
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("userId",)

    course_id: Id
    user_id: str | None = None
    """Must be the caller when present (else 403)."""


class RefundBody(RequestBody):
    """The order whose money the buyer asks back."""

    INVALID: ClassVar[str] = "The refund request is invalid."
    IDENTITY_FIELDS: ClassVar[tuple[str, ...]] = ("userId",)

    order_id: Id
    reason: str = Field(default="", max_length=MAX_REASON_CHARS)
    """Why, in the buyer's words (kept with the refund)."""
    user_id: str | None = None
    """Must be the caller when present (else 403)."""


OPERATIONS: Operations = {
    "POST /api/payments/create-order": OperationSpec(
        TAG,
        {
            200: Answer(
                "Cashfree's order (an open one for the same course is answered again), or a"
                " free course's enrollment.",
                envelope({"anyOf": [ref("CashfreeOrder"), ref("FreeOrder")]}),
            ),
            400: INVALID,
            404: error("No such course, or it is not for sale (`course_not_found`)."),
            409: error("Already enrolled (`already_enrolled`), or checkout is busy."),
        },
        body=Body.of(CreateOrderBody),
    ),
    "POST /api/payments/refunds": OperationSpec(
        TAG,
        {
            200: Answer("The order's existing refund.", REFUND),
            202: Answer("The new refund; Cashfree settles it later.", REFUND),
            400: INVALID,
            404: error("No such order of the caller's (`order_not_found`)."),
            409: error(
                "Not refundable: `order_not_paid`, `nothing_to_refund`, `duplicate_payment`,"
                " `refund_window_closed`, `progress_limit_reached`, `refund_content_issued`"
                " (the share of the paid videos whose playback URLs were issued reached the"
                " limit), `order_busy`."
            ),
        },
        "Within the refund window, and below the limit both in reported progress and in the"
        " share of paid videos whose playback URLs were issued; on success the enrollment is"
        " revoked.",
        body=Body.of(RefundBody),
    ),
    "GET /api/payments/order-status/{userId}/{orderId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "SUCCESS once the payment is recorded; FAILED when the latest attempt failed and"
                " nothing succeeded; a PENDING order older than a minute is reconciled first.",
                envelope(ref("OrderStatus")),
            ),
            404: Answer(
                "No such order (`order_not_found`), with `data: {status: NOT_FOUND}`.",
                ref("UnknownOrder"),
            ),
        },
        path_params={"userId": SELF_ID},
    ),
    "GET /api/payments/transactions/{userId}": OperationSpec(
        TAG,
        {
            200: Answer(
                "The caller's transactions, newest first.",
                envelope(array(ref("Transaction"))),
                headers=NEXT_CURSOR,
            ),
            400: INVALID,
        },
        params=PAGE,
        path_params={"userId": SELF_ID},
    ),
    "GET /api/payments/sales": OperationSpec(
        TAG,
        {
            200: Answer(
                "Paid orders of the caller's courses, newest first.",
                envelope(array(ref("Sale"))),
                headers=NEXT_CURSOR,
            ),
            400: INVALID,
        },
        params=PAGE,
    ),
    "GET /api/payments/sales/totals": OperationSpec(
        TAG,
        {
            200: Answer(
                "Per course and currency, largest net first.", envelope(array(ref("SalesTotal")))
            )
        },
    ),
    "POST /api/payments/webhook": OperationSpec(
        TAG,
        {
            200: Answer(
                "Recorded, already recorded, or recorded as an operator alert because it cannot"
                " apply (retrying would not help).",
                envelope(ref("WebhookOutcome")),
            ),
            400: error("Signed, but not JSON."),
            401: error("The signature does not match (`bad_signature`)."),
        },
        "Cashfree's webhook: raw JSON signed with `x-webhook-signature` over"
        " `x-webhook-timestamp` and the exact body bytes. A 5xx only when our storage failed,"
        " so Cashfree retries.",
        params=tuple(
            Param(f"x-webhook-{name}", string(), meaning, location="header")
            for name, meaning in (
                ("signature", "Base64 HMAC-SHA256 of timestamp + raw body."),
                ("timestamp", "Cashfree's timestamp, signed with the body."),
                ("version", "Cashfree's webhook version."),
            )
        ),
        body=Body({"type": "object", "description": "Cashfree's webhook payload."}),
    ),
}
