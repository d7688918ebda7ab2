"""What billing refuses or cannot do, in its own words; the API maps each to an answer."""

from __future__ import annotations

from typing import Any

from billing.domain.refund_policy import Refusal


class CourseNotForSale(LookupError):
    """The course is unknown to the catalog, or not published."""


class AlreadyEnrolled(Exception):
    """The buyer already owns the course."""


class CheckoutBusy(Exception):
    """The buyer's checkout for the course kept changing under us."""


class OrderNotFound(LookupError):
    """No such order of the caller's."""


class OrderBusy(Exception):
    """The order kept changing under a refund request."""


class RefundRefused(Exception):
    """A refund policy says no; `code`, the text and `details` say which and why."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.code = refusal.code
        self.details: dict[str, Any] = refusal.details


class BadSignature(Exception):
    """A webhook whose signature does not match its exact bytes."""


class MalformedWebhook(ValueError):
    """A signed webhook whose body is not a JSON object."""


class DependencyUnavailable(Exception):
    """A service billing asks could not answer; `code` names which, the text says what."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
