"""The refund rule's use limit: reported progress, or the share of paid videos handed out."""

from __future__ import annotations

import uuid

import pytest

from billing import refunds
from billing.adapters.catalog_client import CoursePlayback
from billing.adapters.enrollment_client import Standing
from billing.adapters.repository import to_item
from billing.bootstrap import Billing
from billing.domain.model import SUCCESS, Order
from billing.domain.refund_policy import IssuedShare, refusal_for_issued_share
from billing.errors import RefundRefused
from shared.clock import now_iso

PAID_VIDEOS = frozenset({"v1", "v2", "v3", "v4", "v5"})


def share(*issued: str) -> IssuedShare:
    return IssuedShare(PAID_VIDEOS, frozenset(issued))


def test_the_share_counts_paid_videos_of_the_course_only() -> None:
    assert share("v1").percent == 20
    assert share("v1", "preview", "removed_chapter").issued_paid == {"v1"}
    assert IssuedShare(frozenset(), frozenset({"v1"})).percent == 0


@pytest.mark.parametrize(
    ("issued", "refused"),
    [((), False), (("v1",), False), (("v1", "v2"), True), (tuple(PAID_VIDEOS), True)],
)
def test_a_refund_is_refused_once_the_issued_share_reaches_the_limit(
    issued: tuple[str, ...], refused: bool
) -> None:
    refusal = refusal_for_issued_share(share(*issued), 30)
    assert (refusal is not None) is refused
    if refusal is not None:
        assert refusal.code == "refund_content_issued"
        assert refusal.details["issuedPercent"] == 20 * len(issued)
        assert refusal.details["paidVideoChapters"] == 5


def test_the_limit_is_reached_exactly_at_it() -> None:
    three = IssuedShare(frozenset({"a", "b", "c"}), frozenset({"a"}))
    assert refusal_for_issued_share(three, 33.4) is None
    assert refusal_for_issued_share(three, 33) is not None
    assert refusal_for_issued_share(IssuedShare(frozenset(), frozenset()), 0) is None


def paid_order(app: Billing) -> Order:
    now = now_iso()
    order = Order(
        order_id=f"pl_{uuid.uuid4().hex}",
        user_id="u1",
        course_id="c1",
        teacher_id="t1",
        course_title="Course",
        amount=49900,
        currency="INR",
        status=SUCCESS,
        created_at=now,
        updated_at=now,
        paid_at=now,
    )
    uow = app.runtime.unit_of_work()
    uow.tx.put(to_item(order))
    uow.commit()
    return order


def issued_by(
    monkeypatch: pytest.MonkeyPatch,
    app: Billing,
    progress: int,
    course_page: frozenset[str],
    stream: frozenset[str],
) -> None:
    """What enrollment and catalog would answer on their internal endpoints."""
    monkeypatch.setattr(app.enrollment, "standing", lambda _u, _c: Standing(progress, stream))
    played = CoursePlayback(PAID_VIDEOS, course_page)
    monkeypatch.setattr(app.catalog, "course_playback", lambda _c, _u: played)


def test_both_records_count_together(billing: Billing, monkeypatch: pytest.MonkeyPatch) -> None:
    order = paid_order(billing)
    issued_by(monkeypatch, billing, 0, frozenset({"v1"}), frozenset({"v2"}))
    with pytest.raises(RefundRefused) as caught:
        refunds.request_refund(billing, "u1", order.order_id, "opened two of five")
    assert caught.value.code == "refund_content_issued"
    assert caught.value.details == {
        "issuedPercent": 40,
        "issuedChapters": 2,
        "paidVideoChapters": 5,
        "limitPercent": 30,
    }


def test_reported_progress_is_checked_first(
    billing: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = paid_order(billing)
    issued_by(monkeypatch, billing, 50, PAID_VIDEOS, PAID_VIDEOS)
    with pytest.raises(RefundRefused) as caught:
        refunds.request_refund(billing, "u1", order.order_id, "watched half")
    assert caught.value.code == "progress_limit_reached"


def test_one_chapter_of_five_played_in_either_place_still_refunds(
    billing: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = paid_order(billing)
    issued_by(monkeypatch, billing, 20, frozenset({"v1"}), frozenset({"v1"}))
    refunded, created = refunds.request_refund(billing, "u1", order.order_id, "one chapter")
    assert created and refunded.refund is not None and refunded.refund.amount == 49900
