"""The contact form (served by notifications): a message to support."""

from __future__ import annotations

from shared.api.common import error
from shared.api.spec import Answer, Body, Operations, OperationSpec, Schema, envelope, obj, string

TAG = "contact"

SCHEMAS: dict[str, Schema] = {}

OPERATIONS: Operations = {
    "POST /api/emails/contact": OperationSpec(
        TAG,
        {
            200: Answer(
                "Sent (`Email sent successfully!`); the same Idempotency-Key answers the same id"
                " and sends nothing.",
                envelope(obj({"id": string("The mail provider's id.")})),
            ),
            400: error("`error.details` names each bad field."),
            502: error("The mail provider refused the message (`mail_rejected`)."),
        },
        "Mailed to support with reply-to the sender. Trimmed lengths: name 2 to 100, subject"
        " 1 to 200, message 10 to 5000; one-line fields hold no control characters.",
        body=Body(
            obj(
                {
                    "name": string(minLength=2, maxLength=100),
                    "email": string(format="email", maxLength=254),
                    "subject": string(minLength=1, maxLength=200),
                    "message": string(minLength=10, maxLength=5000),
                },
                closed=True,
            )
        ),
    ),
}
