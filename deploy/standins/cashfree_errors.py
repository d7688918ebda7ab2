"""Cashfree's error body `{message, code, type}` as an exception the blueprints turn into JSON."""

from __future__ import annotations

from flask import Response, jsonify

INVALID_REQUEST = "invalid_request_error"


class CashfreeError(Exception):
    """An API error with Cashfree's HTTP status, message, code and type."""

    def __init__(self, status: int, message: str, code: str, error_type: str = INVALID_REQUEST):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.error_type = error_type

    def to_response(self) -> tuple[Response, int]:
        """The JSON response Cashfree sends for this error."""
        body = {"message": self.message, "code": self.code, "type": self.error_type}
        return jsonify(body), self.status


def invalid_field(field: str, reason: str) -> CashfreeError:
    """A 400 for one request field, e.g. code `customer_details.customer_phone_invalid`."""
    return CashfreeError(400, f"{field} : {reason}", f"{field}_invalid")


def order_not_found() -> CashfreeError:
    """The 404 for an unknown order id."""
    return CashfreeError(404, "order not found", "order_not_found")
