"""The refund rule's use limit: the share of paid videos handed out (both limits together are
tested through the handler, in test_billing_handlers)."""

from __future__ import annotations

import pytest

from billing.domain.refund_policy import IssuedShare, refusal_for_issued_share

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
