"""Billing's pure rules: money conversion, order transitions, webhook signatures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.adapters.signature import expected_signature, signature_valid
from billing.checkout import customer_id_for, phone_for
from billing.domain.model import FAILED, PENDING, SUCCESS, Attempt, Order
from billing.domain.money import BadAmount, to_major, to_minor
from billing.errors import MalformedWebhook
from billing.webhook import parse_verified


def order(status: str = PENDING) -> Order:
    return Order("o1", "user_1", "c1", "t1", "Course", 49900, "INR", status, "t0", "t0")


def attempt(status: str, pid: str = "p1") -> Attempt:
    return Attempt(pid, status, 49900, "INR", "t1")


def test_money_converts_at_the_edge_only() -> None:
    assert to_minor(Decimal("499.00"), "INR") == 49900
    assert to_minor("10.15", "INR") == 1015
    assert to_major(49900, "INR") == Decimal("499.00")
    with pytest.raises(BadAmount):
        to_minor("1.005", "INR")
    with pytest.raises(BadAmount):
        to_minor("abc", "INR")


def test_success_is_final_and_failure_counts_only_before_it() -> None:
    paid = order().after(attempt(SUCCESS))
    assert paid.status == SUCCESS and paid.provider_payment_id == "p1"
    assert paid.after(attempt("FAILED", "p2")) is paid
    failed = order().after(attempt("USER_DROPPED"))
    assert failed.status == FAILED
    assert failed.after(attempt(SUCCESS, "p3")).status == SUCCESS
    assert order().after(attempt("PENDING")) == order()


def test_only_the_paying_attempt_is_known_to_be_recorded() -> None:
    """A redelivered webhook of the payment that paid the order needs no write; any other
    attempt (a second payment, a failure) is still recorded."""
    paid = order().after(attempt(SUCCESS))
    assert paid.paid_by(attempt(SUCCESS))
    assert not paid.paid_by(attempt(SUCCESS, "p2"))
    assert not paid.paid_by(attempt("FAILED"))
    assert not order().paid_by(attempt(SUCCESS))


def test_signature_is_checked_over_exact_bytes() -> None:
    body = b'{"data":{"order":{"order_amount":499.00}}}'
    signature = expected_signature("secret", "1700000000000", body)
    assert signature_valid("secret", "1700000000000", body, signature)
    assert not signature_valid(
        "secret", "1700000000000", body.replace(b"499.00", b"499"), signature
    )
    assert not signature_valid("secret", "1700000000001", body, signature)
    assert not signature_valid("secret", "", body, signature)


@pytest.mark.parametrize("header", ["é" * 44, "Ã©", "\x00", "😀"])
def test_a_signature_header_that_is_not_ascii_simply_does_not_match(header: str) -> None:
    """hmac.compare_digest raises TypeError on non-ASCII str: that was a 500, not a 401."""
    assert not signature_valid("secret", "1700000000000", b"{}", header)
    assert not signature_valid("secret", header, b"{}", expected_signature("secret", "1", b"{}"))


def test_cashfree_customer_fields() -> None:
    assert customer_id_for("user_2abcXYZ") == "user2abcXYZ"
    assert len(customer_id_for("u")) == 41
    assert phone_for("+91 98765 43210", "9999999999") == "9876543210"
    assert phone_for(None, "9999999999") == "9999999999"


@pytest.mark.parametrize(
    "raw",
    [b"[" * 10_000 + b"]" * 10_000, b"[1]", b'{"a": NaN}', b'{"a": "\\ud800"}'],
    ids=["deep", "not-an-object", "nan", "lone-surrogate"],
)
def test_a_signed_body_that_cannot_apply_is_malformed_json(raw: bytes) -> None:
    with pytest.raises(MalformedWebhook):
        parse_verified(raw, "1", expected_signature("s", "1", raw), secret="s")
