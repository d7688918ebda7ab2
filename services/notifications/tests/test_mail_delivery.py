"""Sending due mail: once, retried when Resend or Clerk cannot answer, never for nobody."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from notifications_helpers import Build, a_closed_port, captured, new_user

from notifications.bootstrap import Notifications
from notifications.commands import SendDueMail
from notifications.domain.mail import (
    ALERT,
    FAILED,
    PENDING,
    RECEIPT,
    SENDING,
    SENT,
    SKIPPED,
    Mail,
)
from shared.clock import iso, now_iso, utc_now
from shared.context import bound, correlation_id_var, event_id_var
from shared.events.contracts import PaymentSucceeded
from shared.events.envelope import wrap
from shared.tests.factories import course_snapshot


def receipt_for(user_id: str, key: str = "receipt/e1") -> Mail:
    now = now_iso()
    context = {
        "courseTitle": "Rust",
        "orderId": "pl_1",
        "amount": 49900,
        "currency": "INR",
        "paidAt": now,
        "refundWindowDays": "7",
        "refundMaxProgress": "30",
    }
    return Mail(f"{key}/{user_id}", "receipt", RECEIPT, user_id, context, now, now)


def add(app: Notifications, mail: Mail) -> None:
    uow = app.runtime.unit_of_work()
    app.mails.add(uow, mail)
    uow.commit()


def send_due(app: Notifications, as_of: datetime | None = None) -> int:
    return app.send_due_mail(SendDueMail(as_of))


def test_a_due_mail_goes_out_once(build: Build, standins: str) -> None:
    app = build()
    user = new_user(standins, "once@example.test")
    add(app, receipt_for(user))
    assert send_due(app) == 1
    assert send_due(app) == 0, "sent mail leaves the queue"
    [mail] = captured(standins, "once@example.test")
    assert mail["subject"] == "Your receipt for Rust"
    assert app.mails.get(f"receipt/e1/{user}").status == SENT


def test_resend_down_puts_the_mail_back_with_a_backoff_then_it_goes(
    build: Build, standins: str
) -> None:
    down = build(resend_url=a_closed_port())
    user = new_user(standins, "later@example.test")
    add(down, receipt_for(user))
    assert send_due(down) == 0
    waiting = down.mails.get(f"receipt/e1/{user}")
    assert (waiting.status, waiting.attempts) == (PENDING, 1)
    assert waiting.send_at > now_iso() and waiting.note
    assert down.mails.due(now_iso(), 10) == ([], None)

    up = build()
    assert send_due(up, as_of=utc_now() + timedelta(minutes=1)) == 1
    assert len(captured(standins, "later@example.test")) == 1


def test_settings_and_missing_users_skip_mail_and_a_refused_one_fails(
    build: Build, standins: str
) -> None:
    app = build()
    quiet = new_user(standins, "quiet@example.test", {"emailAlerts": False})
    now = now_iso()
    alert = Mail(f"booked/e2/{quiet}", "booked", ALERT, quiet, {}, now, now)
    add(app, alert)
    add(app, receipt_for("user_nobody"))
    broken = new_user(standins, "broken@@example")
    add(app, receipt_for(broken, key="receipt/e3"))
    send_due(app)
    assert app.mails.get(alert.key).status == SKIPPED
    assert app.mails.get("receipt/e1/user_nobody").note == "no such user"
    refused = app.mails.get(f"receipt/e3/{broken}")
    assert refused.status == FAILED and "422" in (refused.note or "")


def test_a_claimed_mail_is_not_sent_by_a_second_sender(build: Build, standins: str) -> None:
    app = build()
    user = new_user(standins, "claim@example.test")
    mail = receipt_for(user)
    add(app, mail)
    now = utc_now()
    assert app.mails.claim(mail, iso(now), iso(now + timedelta(minutes=2)))
    assert not app.mails.claim(mail, iso(now), iso(now + timedelta(minutes=2)))
    assert send_due(app) == 0
    assert app.mails.get(mail.key).status == SENDING
    assert captured(standins, "claim@example.test") == []
    later = now + timedelta(minutes=3)  # the first sender died: its lease ran out
    assert app.mails.claim(mail, iso(later), iso(later + timedelta(minutes=2)))


def test_a_mail_is_sent_under_the_ids_of_the_request_and_event_that_planned_it(
    build: Build, standins: str
) -> None:
    app = build()
    user = new_user(standins, "traced@example.test")
    event = PaymentSucceeded(
        order_id="pl_9",
        user_id=user,
        course_id="c1",
        amount=49900,
        currency="INR",
        provider_payment_id="cf9",
        paid_at=now_iso(),
    )
    envelope = wrap(event, "billing")
    card = course_snapshot(course_id="c1")
    with bound("req-traced-0001", envelope.event_id):  # as the consumer binds them
        uow = app.runtime.unit_of_work()
        app.cards.upsert(uow, card)
        app.on_event[event.EVENT_TYPE](event, envelope, uow)
        uow.commit()
    planned = app.mails.get(f"receipt/{envelope.event_id}/{user}")
    assert (planned.correlation_id, planned.causation_id) == ("req-traced-0001", envelope.event_id)

    seen: list[tuple[str, str | None, str | None]] = []

    class Ids(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((record.getMessage(), correlation_id_var.get(), event_id_var.get()))

    logger = logging.getLogger("notifications.delivery")
    handler, level = Ids(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        assert send_due(app) == 1
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert seen == [("mail sent", "req-traced-0001", envelope.event_id)]


def test_a_receipt_names_the_course_as_bought_without_reading_a_card(
    build: Build, standins: str
) -> None:
    """The payment event carries the title the order was sold under: the receipt goes out at
    once, though no course card arrived, and the sender reads no card."""
    app = build()
    user = new_user(standins, "titled@example.test")
    event = PaymentSucceeded(
        order_id="pl_t",
        user_id=user,
        course_id="c_nocard",
        amount=49900,
        currency="INR",
        provider_payment_id="cft",
        paid_at=now_iso(),
        course_title="Go in Depth",
    )
    uow = app.runtime.unit_of_work()
    app.on_event[event.EVENT_TYPE](event, wrap(event, "billing"), uow)
    uow.commit()
    reads: list[str] = []
    app.cards.get = lambda course_id: reads.append(course_id)
    assert send_due(app) == 1
    [mail] = captured(standins, "titled@example.test")
    assert mail["subject"] == "Your receipt for Go in Depth"
    assert reads == []
